"""Synthetic Netherlands in the real sources' formats, with a known data-generating process."""
from .generate import generate

__all__ = ["generate"]
