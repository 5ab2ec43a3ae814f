"""Deprecated alias of :mod:`evalkit.reproduce`, the reference reproductions behind ``make validate``.

Renamed so that "validate" means one thing: checking an input file (``evalkit validate PATH``). This alias
keeps ``import evalkit.validation`` working for one release and warns.
"""
import sys
import warnings

from evalkit import reproduce

__all__: list[str] = []

warnings.warn("evalkit.validation is now evalkit.reproduce", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = reproduce
