"""Step 1 of the method: potentially vulnerable buurten (potentieel kwetsbare buurten, PKB)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scale import VOLDOENDE, ClassScale


@dataclass(frozen=True)
class SelectionParams:
    """Parameters of METHOD.md section 3 (all configurable).

    ``rule1_upper`` and ``rule2_upper`` are threshold names of :class:`ClassScale`
    (``halfway_ruim_voldoende``, ``lower_goed``, ...) or numbers.
    """

    min_share_voldoende: float = 0.15
    rule1_upper: str | float = "halfway_ruim_voldoende"
    rule2_upper: str | float = "lower_goed"

    @classmethod
    def from_config(cls, cfg) -> "SelectionParams":
        s = cfg.raw["selection"]
        return cls(float(s["min_share_voldoende"]), s["rule1_upper"], s["rule2_upper"])

    def bound(self, value, scale: ClassScale) -> float:
        return float(getattr(scale, value)) if isinstance(value, str) else float(value)


def select_pkb(buurt_scores: pd.Series, areas: pd.DataFrame | None, scale: ClassScale,
               params: SelectionParams = SelectionParams()) -> pd.DataFrame:
    """Apply both selection rules to buurten.

    Parameters
    ----------
    buurt_scores
        Buurt ``afw`` in the base year, indexed by ``bu_code``.
    areas
        Areas of the modelling unit in the base year with ``bu_code``, ``score_base`` and ``weight``
        (for rule 2); None skips rule 2.
    scale, params
        Class boundaries and selection parameters.

    Returns
    -------
    DataFrame indexed by ``bu_code`` with ``score``, ``share_voldoende``, ``rule1``, ``rule2``, ``pkb``.
    """
    lo = scale.lower_edge(VOLDOENDE)
    up1 = params.bound(params.rule1_upper, scale)
    up2 = params.bound(params.rule2_upper, scale)
    out = pd.DataFrame({"score": buurt_scores.astype(float)})
    if areas is not None:
        a = areas.dropna(subset=["bu_code", "score_base"])
        is_vold = scale.classify(a.score_base.to_numpy()) == VOLDOENDE
        w = a.weight.to_numpy(dtype=float)
        g = pd.DataFrame({"bu_code": a.bu_code.to_numpy(), "wv": w * is_vold, "w": w}).groupby("bu_code").sum()
        out["share_voldoende"] = (g.wv / g.w).reindex(out.index)
    else:
        out["share_voldoende"] = np.nan
    out["rule1"] = (out.score >= lo) & (out.score <= up1)
    out["rule2"] = (out.score >= lo) & (out.score < up2) & (out.share_voldoende >= params.min_share_voldoende)
    out["pkb"] = out.rule1 | out.rule2
    out.index.name = "bu_code"
    return out


def select_areas_without_nesting(scores: pd.Series, scale: ClassScale,
                                 params: SelectionParams = SelectionParams()) -> pd.Series:
    """Reduced run: rule 1 on the area's own base-year score (no buurt nesting, rule 2 skipped)."""
    lo = scale.lower_edge(VOLDOENDE)
    up1 = params.bound(params.rule1_upper, scale)
    return (scores >= lo) & (scores <= up1)


def pkb_mask(table, bundle, scale: ClassScale, params: SelectionParams) -> tuple[pd.Series, pd.DataFrame | None]:
    """Selection flag for every area of an analysis table, plus the buurt selection table."""
    df = table.data
    base = table.period["base"]
    if df.bu_code.isna().all():
        return select_areas_without_nesting(df.score_base, scale, params), None
    if table.unit == "buurt":
        bs = df.set_index("bu_code").score_base
        sel = select_pkb(bs, None, scale, params)
    else:
        if bundle.has("scores_buurt"):
            b = bundle.scores("buurt")
            bs = b[b.jaar == base].set_index("bu_code").afw
        else:
            g = df.assign(vw=df.score_base * df.weight).groupby("bu_code")[["vw", "weight"]].sum()
            bs = g.vw / g.weight
        sel = select_pkb(bs, df, scale, params)
    mask = df.bu_code.map(sel.pkb).fillna(False).astype(bool)
    return mask, sel


def base_rates(df: pd.DataFrame, selected: pd.Series, scale: ClassScale) -> dict:
    """Decline rate inside vs outside the selection: among areas not weak-or-lower at the base year,
    the weighted share weak-or-lower at the target year."""
    ok = df.target.notna() & ~scale.is_weak_or_lower(df.score_base)
    weak_t = scale.is_weak_or_lower(df.target)
    out = {}
    for name, m in (("selected", selected & ok), ("other", ~selected & ok)):
        w = df.weight[m]
        out[name] = float((w * weak_t[m]).sum() / w.sum()) if w.sum() > 0 else float("nan")
        out[f"n_{name}"] = int(m.sum())
    out["ratio"] = out["selected"] / out["other"] if out["other"] > 0 else float("nan")
    return out
