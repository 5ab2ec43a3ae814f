"""Shared test data generators, one module per subsystem (``from _data.<package> import …``)."""
