"""The indicator register (``indicators.csv``): Tabel 2-1 as data.

Each row names one model feature: its Dutch label, mechanism, moment (``start``, ``measurement`` =
base year, ``period`` = start to base), scale (area, buurt, wijk, gemeente), source, source column,
transform, unit, risk direction and missing-value rule. The analysis table is built from these rows,
and reports print the labels. Adding an indicator is one row here.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REGISTER_FILE = Path(__file__).with_name("indicators.csv")
MOMENTS = {"start", "measurement", "period"}
SCALES = {"area", "buurt", "wijk", "gemeente"}
SOURCES = {"lbm", "indicators", "kwb", "seswoa", "ondermijning"}
TRANSFORMS = {"level", "diff", "pct_change", "share_pct", "increase_at_most", "wsd"}
MISSING = {"drop", "median"}


def load_register(path: Path | str = REGISTER_FILE) -> pd.DataFrame:
    """Read and check the register; returns one row per indicator, indexed by ``name``."""
    reg = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = []
    for col, allowed in (("moment", MOMENTS), ("scale", SCALES), ("source", SOURCES),
                         ("transform", TRANSFORMS), ("missing", MISSING), ("risk_direction", {"lower", "higher"})):
        bad = ~reg[col].isin(allowed)
        if bad.any():
            problems.append(f"{path}: column '{col}' has values {sorted(set(reg[col][bad]))}, allowed {sorted(allowed)}")
    if reg.name.duplicated().any():
        problems.append(f"{path}: duplicate indicator names {sorted(set(reg.name[reg.name.duplicated()]))}")
    if problems:
        raise ValueError("\n".join(problems))
    reg["in_default"] = reg.in_default.astype(int).astype(bool)
    return reg.set_index("name", drop=False)


def select_indicators(register: pd.DataFrame, spec="all") -> pd.DataFrame:
    """Rows of the register for a spec: ``"all"`` (the default set, Tabel 2-1) or a list of names."""
    if isinstance(spec, str):
        if spec != "all":
            raise ValueError(f"indicators must be 'all' or a list of names, got {spec!r}")
        return register[register.in_default]
    unknown = [n for n in spec if n not in register.index]
    if unknown:
        raise ValueError(f"unknown indicators {unknown}; the register has {list(register.index)}")
    return register.loc[list(spec)]


def labels(register: pd.DataFrame | None = None) -> dict[str, str]:
    """Dutch label per indicator name."""
    reg = load_register() if register is None else register
    return dict(zip(reg.name, reg.label_nl))
