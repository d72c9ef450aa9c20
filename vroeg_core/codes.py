"""Region and area codes of the Dutch statistical geography (always strings)."""
from __future__ import annotations

import re

import pandas as pd

PATTERNS: dict[str, str] = {
    "gemeente": r"GM\d{4}",
    "wijk": r"WK\d{6}",
    "buurt": r"BU[0-9A-Z]{8}",
    "corop": r"CR\d{2}",
    "provincie": r"PV\d{2}",
    "pc6": r"\d{4}[A-Z]{2}",
    "pc4": r"\d{4}",
    "grid": r"E\d{3,4}N\d{3,4}",
}

#: The id column each unit uses in this workbench's tables.
ID_COLUMN: dict[str, str] = {
    "pc6": "pc6",
    "pc4": "pc4",
    "grid": "grid_id",
    "buurt": "bu_code",
    "wijk": "wk_code",
    "gemeente": "gm_code",
}


def matches(codes: pd.Series, kind: str) -> pd.Series:
    """Boolean Series: does each code have the form of ``kind``?"""
    return codes.astype("string").str.fullmatch(PATTERNS[kind]).fillna(False).astype(bool)


def validate_gemeente_code(code: str, known=None) -> str:
    """Check a gemeente code that comes from outside (CLI, notebook parameter) before it touches a path.

    Parameters
    ----------
    code
        The code, e.g. ``"GM0363"``.
    known
        Optional collection of codes present in the data; the code must be one of them.

    Returns
    -------
    str
        The code itself.
    """
    if not isinstance(code, str) or not re.fullmatch(PATTERNS["gemeente"], code):
        raise ValueError(f"gemeente code must be 'GM' followed by 4 digits, got {code!r}")
    if known is not None and code not in set(known):
        raise ValueError(f"gemeente {code} is not present in the data")
    return code


def grid_id(x, y) -> pd.Series:
    """Grid cell id ``E{floor(x/100)}N{floor(y/100)}`` of RD lower-left corners (metres)."""
    xs = pd.Series((pd.Series(x) // 100).astype("int64").astype(str))
    ys = pd.Series((pd.Series(y) // 100).astype("int64").astype(str))
    return "E" + xs + "N" + ys


def grid_xy(ids: pd.Series) -> pd.DataFrame:
    """Lower-left RD coordinates (metres) of grid cell ids."""
    parts = ids.astype(str).str.extract(r"^E(\d+)N(\d+)$")
    if parts.isna().any().any():
        raise ValueError("grid ids must look like E1213N4879")
    return pd.DataFrame({"x": parts[0].astype(int) * 100, "y": parts[1].astype(int) * 100}, index=ids.index)
