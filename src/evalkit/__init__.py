"""evalkit — evaluate a Five-Year Plan for civil affairs and draft the next one.

Modules are imported on demand (``import evalkit.io``); importing :mod:`evalkit` itself is cheap.
"""
from evalkit.errors import EvalkitError

__all__ = ["EvalkitError", "__version__"]
__version__ = "0.1.0"
