"""Validation of predictions: R^2 at area and buurt level, persistence baseline, quadrant accuracy with
a tuned cut-off (and the whole threshold curve), confusion counts, and the risk classes (Tabel 3-1)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .scale import ClassScale

RISK_CLASSES = ("sterk verhoogd risico", "verhoogd risico", "laag risico")
ALREADY_WEAK = "reeds zwak"


def r2(y, yhat, w=None) -> float:
    """Weighted coefficient of determination ``1 - sum w (y - yhat)^2 / sum w (y - ybar_w)^2``."""
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    w = np.ones_like(y) if w is None else np.asarray(w, float)
    ybar = np.sum(w * y) / np.sum(w)
    return float(1 - np.sum(w * (y - yhat) ** 2) / np.sum(w * (y - ybar) ** 2))


def aggregate_buurt(df: pd.DataFrame, cols=("target", "prediction")) -> pd.DataFrame:
    """Dwelling-weighted aggregate of area values per buurt; weight = the buurt's summed weight."""
    d = df.dropna(subset=["bu_code"])
    tmp = pd.DataFrame({"bu_code": d.bu_code, "weight": d.weight})
    for c in cols:
        tmp[c] = d[c] * d.weight
    g = tmp.groupby("bu_code").sum()
    for c in cols:
        g[c] = g[c] / g.weight
    return g.reset_index()


def threshold_curve(pred, observed_weak, w=None, cutoffs=None) -> pd.DataFrame:
    """Confusion counts for every cut-off: an area is predicted weak when ``pred < cutoff``.

    Returns one row per cut-off with unweighted ``tp, fp, fn, tn``, ``accuracy``, their weighted
    counterparts (``*_w``) and ``fp_minus_fn``.
    """
    pred = np.asarray(pred, float)
    obs = np.asarray(observed_weak, bool)
    w = np.ones_like(pred) if w is None else np.asarray(w, float)
    if cutoffs is None:
        cutoffs = np.round(np.arange(-0.30, 0.0001, 0.0025), 4)
    rows = []
    for c in cutoffs:
        p = pred < c
        tp, fp = np.sum(p & obs), np.sum(p & ~obs)
        fn, tn = np.sum(~p & obs), np.sum(~p & ~obs)
        tpw, fpw = w[p & obs].sum(), w[p & ~obs].sum()
        fnw, tnw = w[~p & obs].sum(), w[~p & ~obs].sum()
        rows.append({"cutoff": float(c), "tp": int(tp), "fp": int(fp), "fn": int(fn), "tn": int(tn),
                     "accuracy": (tp + tn) / len(pred), "fp_minus_fn": int(fp - fn),
                     "tp_w": tpw, "fp_w": fpw, "fn_w": fnw, "tn_w": tnw,
                     "accuracy_w": (tpw + tnw) / w.sum()})
    return pd.DataFrame(rows)


def tune_threshold(curve: pd.DataFrame, criterion: str = "balance") -> float:
    """Pick the cut-off: ``balance`` = smallest |FP - FN| (ties: higher accuracy, then lower cut-off);
    ``accuracy`` = highest accuracy (ties: lower cut-off)."""
    c = curve.copy()
    c["abs_gap"] = c.fp_minus_fn.abs()
    if criterion == "balance":
        best = c.sort_values(["abs_gap", "accuracy", "cutoff"], ascending=[True, False, True]).iloc[0]
    elif criterion == "accuracy":
        best = c.sort_values(["accuracy", "cutoff"], ascending=[False, True]).iloc[0]
    else:
        raise ValueError(criterion)
    return float(best.cutoff)


def quadrants(pred, target, scale: ClassScale, cutoff: float, w=None) -> dict:
    obs = scale.is_weak_or_lower(target)
    row = threshold_curve(pred, obs, w, [cutoff]).iloc[0]
    counts = ("tp", "fp", "fn", "tn")
    return {k: (int(v) if k in counts else float(v)) for k, v in row.items()}


def classify_risk(pred, score_base, scale: ClassScale) -> np.ndarray:
    """Risk class per area: ``reeds zwak`` when the base score is below halfway zwak; else by the
    predicted score: < halfway voldoende sterk verhoogd, <= halfway ruim voldoende verhoogd, else laag."""
    pred = np.asarray(pred, float)
    base = np.asarray(score_base, float)
    out = np.where(pred < scale.halfway_voldoende, RISK_CLASSES[0],
                   np.where(pred <= scale.halfway_ruim_voldoende, RISK_CLASSES[1], RISK_CLASSES[2]))
    return np.where(base < scale.halfway_zwak, ALREADY_WEAK, out).astype(object)


def risk_table(df: pd.DataFrame, scale: ClassScale) -> pd.DataFrame:
    """Tabel 3-1: per risk class the weighted share weak-or-lower at the target year and the dwellings."""
    k = classify_risk(df.prediction, df.score_base, scale)
    weak = scale.is_weak_or_lower(df.target)
    rows = []
    for name in RISK_CLASSES + (ALREADY_WEAK,):
        m = (k == name) & df.target.notna().to_numpy()
        w = df.weight.to_numpy()[m]
        share = float((w * weak[m]).sum() / w.sum()) if w.sum() > 0 else float("nan")
        rows.append({"klasse": name, "share_weak_or_lower": share, "dwellings": float(w.sum()),
                     "areas": int(m.sum())})
    return pd.DataFrame(rows)


def evaluate(df: pd.DataFrame, scale: ClassScale, criterion: str = "balance", cutoff: float | None = None) -> dict:
    """All metrics of one prediction: ``df`` has target, prediction, score_base, weight, bu_code.

    The cut-off is tuned on ``df`` unless given (apply a tuned cut-off to other periods).
    """
    d = df.dropna(subset=["target", "prediction"])
    w = d.weight.to_numpy(float)
    curve = threshold_curve(d.prediction, scale.is_weak_or_lower(d.target), w)
    c = tune_threshold(curve, criterion) if cutoff is None else float(cutoff)
    q = quadrants(d.prediction, d.target, scale, c, w)
    has_buurt = d.bu_code.notna().all() and len(d)
    b = aggregate_buurt(d, ("target", "prediction", "score_base")) if has_buurt else None
    out = {
        "n_areas": int(len(d)),
        "n_buurten": int(d.bu_code.nunique()) if has_buurt else None,
        "dwellings": float(w.sum()),
        "r2_area": r2(d.target, d.prediction, w),
        "r2_buurt": r2(b.target, b.prediction, b.weight) if b is not None else None,
        "r2_persistence_area": r2(d.target, d.score_base, w),
        "r2_persistence_buurt": r2(b.target, b.score_base, b.weight) if b is not None else None,
        "quadrant_accuracy": q["accuracy"],
        "quadrant_accuracy_weighted": q["accuracy_w"],
        "threshold": c,
        "confusion": {k: q[k] for k in ("tp", "fp", "fn", "tn")},
        "confusion_weighted": {k[:-2]: q[k] for k in ("tp_w", "fp_w", "fn_w", "tn_w")},
    }
    return out, curve
