"""Short calls for the notebooks: each reads like a step of the method.

    cfg = configure(BUNDLE, CONFIG)
    bundle = open_bundle(cfg)
    table, selected, buurten = select(bundle, cfg, "estimation")
    fit = estimate(table, selected)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .bundle import Bundle
from .config import RunConfig, resolve
from .evaluation import evaluate, risk_table
from .model import apply_coefficients, estimate, model_sample
from .register import labels
from .run import check_inputs, compare_coefficients, compare_truth, ensure_bundle, run_national, select as _select
from .selection import base_rates

__all__ = ["configure", "open_bundle", "select", "estimate", "evaluate", "risk_table", "apply_model",
           "selection_summary", "metrics_summary", "risk_summary", "coefficient_summary",
           "compare_coefficients", "compare_truth", "run_national", "base_rates"]


def configure(bundle: str | None = None, config: str | None = None, **overrides) -> RunConfig:
    """Validate notebook parameters and build the run configuration.

    ``bundle`` (a directory) overrides ``data.bundle`` of ``config`` (a TOML file); empty strings mean
    "use the default".
    """
    if bundle:
        overrides.setdefault("data", {})["bundle"] = str(resolve(bundle))
    return RunConfig.load(config or None, **overrides)


def open_bundle(cfg: RunConfig, check: bool = True) -> Bundle:
    """The run's inputs (the synthetic default is generated when missing), checked once."""
    ensure_bundle(cfg)
    b = Bundle(cfg)
    if check:
        check_inputs(b)
    return b


def select(bundle: Bundle, cfg: RunConfig, period: str = "estimation"):
    """Analysis table of a period and its potentially vulnerable buurten."""
    return _select(bundle, cfg.period(period), cfg)


def apply_model(fit, table, selected):
    """Apply a fitted model to another period's selected areas (the estimation medians fill gaps)."""
    med = dict(zip(fit.reference.feature, fit.reference["median"]))
    sample, acc, _, _ = model_sample(table, selected, fit.features, medians=med)
    return sample.assign(prediction=apply_coefficients(fit.params, fit.reference, sample)), acc


def selection_summary(table, selected, buurten, scale) -> pd.DataFrame:
    """Counts of the selection and decline rates inside vs outside (rounded, for checked cells)."""
    br = base_rates(table.data, selected, scale)
    rows = {
        "potentieel kwetsbare buurten": int(buurten.pkb.sum()) if buurten is not None else np.nan,
        "  waarvan via regel 1": int(buurten.rule1.sum()) if buurten is not None else np.nan,
        "  alleen via regel 2 (15 %)": int((buurten.rule2 & ~buurten.rule1).sum()) if buurten is not None else np.nan,
        "gebieden in selectie": int(selected.sum()),
        "woningen in selectie": int(table.data.weight[selected].sum()),
        "afname naar zwak of lager, binnen selectie (%)": round(100 * br["selected"], 2),
        "afname naar zwak of lager, buiten selectie (%)": round(100 * br["other"], 2),
        "verhouding binnen/buiten": round(br["ratio"], 1),
    }
    return pd.Series(rows, name="waarde").to_frame()


def metrics_summary(*named_metrics: tuple[str, dict]) -> pd.DataFrame:
    """Headline metrics side by side, rounded to 3 decimals."""
    keys = ["n_areas", "n_buurten", "dwellings", "r2_area", "r2_buurt", "r2_persistence_area",
            "r2_persistence_buurt", "quadrant_accuracy", "threshold"]
    df = pd.DataFrame({name: {k: m.get(k) for k in keys} for name, m in named_metrics})
    return df.astype(float).round(3)


def risk_summary(risk: pd.DataFrame) -> pd.DataFrame:
    out = risk.set_index("klasse")
    return pd.DataFrame({"aandeel zwak of lager (%)": (100 * out.share_weak_or_lower).round(1),
                         "woningen": out.dwellings.round(0).astype(int), "gebieden": out.areas})


def coefficient_summary(coefs: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Coefficients with Dutch labels, rounded for display."""
    names = labels()
    c = coefs.set_index("term")[["coef", "ci_low", "ci_high", "standardised"]]
    c.index = [names.get(t, t) for t in c.index]
    return c.round(decimals)
