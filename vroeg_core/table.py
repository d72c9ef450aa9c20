"""The analysis table: one row per area for one period, with its target, its start and base score,
every indicator of the register at its own scale and moment, its weight and its nesting.

Only data up to the base year enters the features; the target is the score at the target year.
Every area that leaves is counted with its reason (``Accounting``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .bundle import Bundle
from .codes import ID_COLUMN
from .register import load_register, select_indicators

ACCOUNTING_COLUMNS = ["stap", "reden", "gebieden", "woningen"]


@dataclass
class Accounting:
    """Row accounting: how many areas (and dwellings) enter, leave and why."""

    rows: list = field(default_factory=list)

    def add(self, step: str, reason: str, n: int, weight: float) -> None:
        self.rows.append({"stap": step, "reden": reason, "gebieden": int(n), "woningen": float(weight)})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=ACCOUNTING_COLUMNS)

    def drop(self, df: pd.DataFrame, mask: pd.Series, step: str, reason: str, weight_col="weight") -> pd.DataFrame:
        """Remove rows where ``mask`` holds, recording them; returns the remaining rows."""
        mask = mask.fillna(False).astype(bool)
        w = df.loc[mask, weight_col].fillna(0).sum() if weight_col in df else 0.0
        self.add(step, reason, int(mask.sum()), w)
        return df.loc[~mask]


@dataclass
class AnalysisTable:
    """All areas of one unit and period with target, scores, features, weight and nesting."""

    data: pd.DataFrame
    unit: str
    period: dict
    features: list[str]
    accounting: Accounting
    notices: list[str]
    weight_name: str

    @property
    def id_column(self) -> str:
        return ID_COLUMN[self.unit]


def _wide_scores(scores: pd.DataFrame, id_col: str, years, column="afw") -> pd.DataFrame:
    s = scores[scores.jaar.isin(years)]
    return s.pivot(index=id_col, columns="jaar", values=column)


def build_table(bundle: Bundle, period: dict, unit: str | None = None, indicators="all",
                weight: str | None = None, register: pd.DataFrame | None = None,
                with_target: bool = True) -> AnalysisTable:
    """Build the analysis table for a unit and period.

    Parameters
    ----------
    bundle
        The run's inputs.
    period
        ``{"start": 2014, "base": 2018, "target": 2020}``.
    unit, weight, indicators
        Default from the bundle's configuration.
    with_target
        Read the target year's scores (from the hidden file when the main file lacks that year).

    Returns
    -------
    AnalysisTable with one row per area that has a base-year score and a positive weight.
    """
    cfg = bundle.config
    unit = unit or cfg.unit
    weight = weight or cfg.raw["model"]["weight"]
    indicators = cfg.raw["model"]["indicators"] if indicators is None else indicators
    reg = select_indicators(register if register is not None else load_register(), indicators)
    start, base, target = int(period["start"]), int(period["base"]), int(period["target"])
    id_col = ID_COLUMN[unit]
    acc = Accounting()
    notices: list[str] = []

    scores = bundle.scores(unit)
    years = set(scores.jaar.unique())
    for y, what in ((start, "start"), (base, "base")):
        if y not in years:
            raise ValueError(f"the {unit} scores have no year {y} ({what} of the period); years: {sorted(years)}")
    wide = _wide_scores(scores, id_col, [start, base])
    df = pd.DataFrame(index=pd.Index(np.sort(scores[id_col].unique()), name=id_col))
    wide = wide.reindex(df.index)
    df["score_start_year"] = wide.get(start)
    df["score_base"] = wide.get(base)
    df["target"] = np.nan
    if with_target:
        tgt = None
        if target in years:
            tgt = _wide_scores(scores, id_col, [target])[target]
        elif bundle.has(f"hidden_{unit}"):
            hid = bundle.scores(unit, hidden=True)
            if target in set(hid.jaar):
                tgt = _wide_scores(hid, id_col, [target])[target]
                notices.append(f"target year {target} read from the held-back file")
        if tgt is None:
            notices.append(f"no {unit} scores for target year {target}: the table has no target")
        else:
            df["target"] = tgt.reindex(df.index)
    df.index.name = id_col
    df = df.reset_index()
    acc.add("invoer", f"gebieden in scorebestand {unit}", len(df), np.nan)

    # weights ---------------------------------------------------------------------------------------
    if weight == "none":
        df["weight"] = 1.0
        notices.append("weights are 1 (model.weight = none)")
    elif unit == "buurt":
        if bundle.has("kwb", base):
            k = bundle.kwb(base)
            col = "a_woning" if weight == "woningen" else "a_hh"
            df["weight"] = df.bu_code.map(k[k.recs == "Buurt"].set_index("gwb_code")[col]).astype(float)
        else:
            df["weight"] = 1.0
            notices.append(f"no KWB for {base}: buurt weights are 1")
    elif bundle.has(f"woningen_{unit}"):
        w = bundle.weights(unit)
        w = w[w.jaar == base].set_index(id_col)
        if weight not in w.columns:
            raise ValueError(f"weight column {weight!r} not in {bundle.path(f'woningen_{unit}')}")
        df["weight"] = df[id_col].map(w[weight]).astype(float)
    else:
        df["weight"] = 1.0
        notices.append(f"no dwelling counts for unit {unit}: weights are 1")
    df = acc.drop(df, df.score_base.isna(), "invoer", f"geen score in basisjaar {base}")
    df = acc.drop(df, ~(df.weight > 0), "invoer", f"geen woningen in basisjaar {base}")

    # nesting --------------------------------------------------------------------------------------
    nest = bundle.nesting(unit)
    if nest is not None:
        cols = list(dict.fromkeys([id_col, "bu_code", "wk_code", "gm_code"]))
        df = df.merge(nest[cols].drop_duplicates(id_col), on=id_col, how="left")
        df = acc.drop(df, df.bu_code.isna(), "invoer", "niet te koppelen aan een buurt")
    else:
        df["bu_code"] = pd.NA
        df["wk_code"] = pd.NA
        df["gm_code"] = pd.NA
        notices.append(f"no buurt nesting for unit {unit}: buurt, wijk and gemeente indicators are off; "
                       "selection rule 1 applies to the area's own score, rule 2 is skipped")

    # features -------------------------------------------------------------------------------------
    features = []
    ctx = _Context(bundle, unit, id_col, start, base, scores, df, nest is not None)
    for row in reg.itertuples(index=False):
        values, why = ctx.build(row)
        if values is None:
            notices.append(f"indicator {row.name} off: {why}")
            acc.add("indicatoren", f"indicator {row.name} uitgeschakeld: {why}", 0, 0.0)
            continue
        df[row.name] = values.to_numpy() if isinstance(values, pd.Series) else values
        features.append(row.name)
    df = df.reset_index(drop=True)
    return AnalysisTable(df, unit, {"start": start, "base": base, "target": target}, features, acc,
                         notices, weight)


class _Context:
    """Builds one register row's values for every area of the table."""

    def __init__(self, bundle, unit, id_col, start, base, scores, df, nested):
        self.b, self.unit, self.id_col = bundle, unit, id_col
        self.start, self.base = start, base
        self.scores, self.df, self.nested = scores, df, nested

    def _at_scale(self, values: pd.Series, scale: str) -> pd.Series:
        key = {"area": self.id_col, "buurt": "bu_code", "wijk": "wk_code", "gemeente": "gm_code"}[scale]
        return self.df[key].map(values)

    def _year_value(self, row, year) -> pd.Series | None:
        """Source values at one year, keyed by the code of the row's scale."""
        src, col = row.source, row.column
        if src == "lbm":
            if row.scale == "area":
                s = self.scores[self.scores.jaar == year].set_index(self.id_col)[col]
                return s
            level = {"buurt": "buurt", "wijk": "wijk", "gemeente": "gemeente"}[row.scale]
            sc = self.b.scores(level)
            return sc[sc.jaar == year].set_index({"buurt": "bu_code", "wijk": "wk_code", "gemeente": "gm_code"}[level])[col]
        if src == "indicators":
            t = self.b.area_indicators(self.unit)
            t = t[t.jaar == year].set_index(self.id_col)
            if col not in t.columns:
                return None
            return t[col]
        if src == "kwb":
            k = self.b.kwb(year)
            recs = {"buurt": "Buurt", "wijk": "Wijk", "gemeente": "Gemeente"}[row.scale]
            k = k[k.recs == recs].set_index("gwb_code")
            if row.transform == "share_pct":
                num, den = col.split("/")
                return 100 * k[num] / k[den]
            return k[col]
        if src == "seswoa":
            s = self.b.seswoa(year)
            return s[s.niveau == row.scale].set_index("code")[col]
        if src == "ondermijning":
            o = self.b.ondermijning()
            return o[o.jaar == year].set_index("gm_code")[col]
        raise ValueError(row.source)

    def available(self, row) -> str | None:
        """None when the row can be built, else the reason it cannot."""
        if row.scale != "area" and not self.nested:
            return f"schaal {row.scale} vraagt een buurtindeling"
        if row.scale == "buurt" and row.source == "lbm" and self.unit == "buurt" and row.transform != "wsd":
            return "eenheid is zelf de buurt"
        if row.transform == "wsd" and self.unit == "buurt":
            return "eenheid is zelf de buurt"
        need = [self.base] + ([self.start] if row.moment in ("start", "period") else [])
        if row.moment == "start":
            need = [self.start]
        src = row.source
        if src == "lbm":
            if row.scale != "area" and row.transform != "wsd" and not self.b.has(f"scores_{row.scale}"):
                return f"geen LBM-scores op niveau {row.scale}"
            if row.column in ("fys", "onv", "soc", "vrz", "won"):
                yr = self.scores[self.scores.jaar == self.base][row.column]
                if yr.notna().sum() == 0:
                    return f"geen dimensiescores in {self.base}"
            return None
        if src == "indicators":
            if self.unit == "buurt" or not self.b.has(f"indicators_{self.unit}"):
                return f"geen indicatorbestand voor eenheid {self.unit}"
            yrs = set(self.b.area_indicators(self.unit).jaar)
        elif src in ("kwb", "seswoa"):
            yrs = set(self.b.years(src)) if self.b.has(src) else set()
        elif src == "ondermijning":
            if not self.b.has("ondermijning"):
                return "geen ondermijningsbestand"
            yrs = set(self.b.ondermijning().jaar)
        missing = [y for y in need if y not in yrs]
        if missing:
            return f"bron {src} ontbreekt voor {missing}"
        return None

    def build(self, row):
        why = self.available(row)
        if why:
            return None, why
        tr = row.transform
        if tr == "wsd":
            s = self.scores[self.scores.jaar == self.base].set_index(self.id_col)[row.column]
            d = self.df[[self.id_col, "bu_code", "weight"]].copy()
            d["v"] = d[self.id_col].map(s)
            d = d.dropna(subset=["v"])
            m = _wmean(d, "bu_code")
            d["dev2"] = (d.v - d.bu_code.map(m)) ** 2
            var = d.assign(v=d.dev2).pipe(_wmean, "bu_code")
            return self._at_scale(np.sqrt(var.clip(lower=0)), "buurt"), None
        if row.moment == "start":
            return self._at_scale(self._year_value(row, self.start), row.scale), None
        now = self._year_value(row, self.base)
        if tr in ("level", "share_pct"):
            if row.moment == "period":
                before = self._year_value(row, self.start)
                return self._at_scale(now - before.reindex(now.index), row.scale), None
            return self._at_scale(now, row.scale), None
        before = self._year_value(row, self.start).reindex(now.index)
        if tr == "diff":
            v = now - before
        elif tr == "pct_change":
            v = 100 * (now / before - 1)
        elif tr == "increase_at_most":
            v = ((now - before) <= float(row.param)).astype(float).where(now.notna() & before.notna())
        else:
            raise ValueError(tr)
        return self._at_scale(v, row.scale), None


def _wmean(d: pd.DataFrame, key: str) -> pd.Series:
    g = d.assign(vw=d.v * d.weight).groupby(key)[["vw", "weight"]].sum()
    return g.vw / g.weight
