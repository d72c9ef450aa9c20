"""The national steps of a round: selection, estimation, evaluation, validation, artefacts."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .artefacts import model_artefact, write_csv, write_json
from .bundle import Bundle
from .config import REPORTS_DIR, RunConfig
from .errors import InputError
from .evaluation import evaluate, risk_table
from .model import ModelFit, apply_coefficients, estimate, model_sample
from .register import labels, load_register
from .selection import SelectionParams, base_rates, pkb_mask
from .table import build_table


def ensure_bundle(cfg: RunConfig, progress: bool | None = None) -> Path:
    """Generate the synthetic default bundle when the configured one is missing."""
    root = cfg.bundle_dir
    if not (root / "bundle.json").exists() and not cfg.inputs:
        from .synth import generate
        d = cfg.raw["data"]
        print(f"generating synthetic bundle ({d['synthetic_scale']}, seed {d['synthetic_seed']}) in {root}")
        generate(d["synthetic_scale"], int(d["synthetic_seed"]), root, progress=bool(progress))
    return root


def check_inputs(bundle: Bundle) -> None:
    """Raise one InputError with every problem of every input."""
    problems = bundle.check()
    if problems:
        raise InputError(problems)


@dataclass
class PeriodResult:
    """Selection, sample, metrics and risk table of one period."""

    name: str
    table: object
    selected: pd.Series
    buurt_selection: pd.DataFrame | None
    base_rates: dict
    sample: pd.DataFrame
    metrics: dict
    curve: pd.DataFrame
    risk: pd.DataFrame
    accounting: pd.DataFrame


def select(bundle: Bundle, period: dict, cfg: RunConfig, register=None):
    """Analysis table and the potentially vulnerable buurten of a period."""
    scale = cfg.scale()
    table = build_table(bundle, period, indicators=cfg.raw["model"]["indicators"], register=register)
    selected, sel = pkb_mask(table, bundle, scale, SelectionParams.from_config(cfg))
    return table, selected, sel


def summarise_period(name, table, selected, sel, sample, accounting, cfg, cutoff=None) -> PeriodResult:
    scale = cfg.scale()
    m, curve = evaluate(sample, scale, cfg.raw["model"]["threshold_criterion"], cutoff)
    p = table.period
    metrics = {"start_year": p["start"], "base_year": p["base"], "target_year": p["target"], **m,
               "n_pkb_buurten": int(sel.pkb.sum()) if sel is not None else None}
    return PeriodResult(name, table, selected, sel, base_rates(table.data, selected, scale), sample, metrics,
                        curve, risk_table(sample, scale), accounting.frame())


def compare_coefficients(a: pd.DataFrame, b: pd.DataFrame, label_a: str, label_b: str) -> pd.DataFrame:
    """Coefficient table side by side with confidence intervals and sign agreement."""
    cols = ["term", "coef", "ci_low", "ci_high", "standardised"]
    m = a[cols].merge(b[cols], on="term", how="outer", suffixes=(f"_{label_a}", f"_{label_b}"))
    m["sign_agrees"] = np.sign(m[f"coef_{label_a}"]) == np.sign(m[f"coef_{label_b}"])
    m["ci_overlap"] = (m[f"ci_low_{label_a}"] <= m[f"ci_high_{label_b}"]) & (m[f"ci_low_{label_b}"] <= m[f"ci_high_{label_a}"])
    return m


def compare_truth(coefs: pd.DataFrame, truth: dict) -> pd.DataFrame:
    """Estimated vs true coefficients of a synthetic bundle."""
    t = pd.Series(truth["coefficients"], name="true")
    c = coefs.set_index("term").join(t, how="inner")
    c["in_ci"] = (c.true >= c.ci_low) & (c.true <= c.ci_high)
    c["sign_right"] = np.sign(c.coef) == np.sign(c.true)
    return c.reset_index()[["term", "true", "coef", "ci_low", "ci_high", "in_ci", "sign_right"]]


@dataclass
class NationalRun:
    """Results of :func:`run_national`."""

    config: RunConfig
    bundle: Bundle
    fit: ModelFit
    estimation: PeriodResult
    validation: PeriodResult
    refit: ModelFit
    comparison: pd.DataFrame
    truth: pd.DataFrame | None
    metrics: dict
    model: dict


def run_national(cfg: RunConfig, out: Path | None = None, check: bool = True,
                 progress: bool | None = None) -> NationalRun:
    """Run selection, estimation, evaluation and the validation on the next measurement; write the
    artefacts to ``out`` (default ``reports/national``)."""
    t0 = time.perf_counter()
    ensure_bundle(cfg, progress)
    bundle = Bundle(cfg)
    if check:
        check_inputs(bundle)
    reg = load_register()
    scale = cfg.scale()
    pe, pv = cfg.period("estimation"), cfg.period("validation")

    table_e, sel_e_mask, sel_e = select(bundle, pe, cfg, reg)
    fit = estimate(table_e, sel_e_mask, register=reg)
    est = summarise_period("estimation", table_e, sel_e_mask, sel_e, fit.sample, fit.accounting, cfg)

    table_v, sel_v_mask, sel_v = select(bundle, pv, cfg, reg)
    med = dict(zip(fit.reference.feature, fit.reference["median"]))
    sample_v, acc_v, _, _ = model_sample(table_v, sel_v_mask, fit.features, reg, medians=med)
    sample_v = sample_v.assign(prediction=apply_coefficients(fit.params, fit.reference, sample_v))
    val = summarise_period("validation", table_v, sel_v_mask, sel_v, sample_v, acc_v, cfg,
                           cutoff=est.metrics["threshold"])
    refit = estimate(table_v, sel_v_mask, fit.features, register=reg)
    comparison = compare_coefficients(fit.coefficients, refit.coefficients,
                                      str(pe["target"]), str(pv["target"]))
    truth = compare_truth(fit.coefficients, bundle.truth) if bundle.truth else None

    fingerprint = bundle.fingerprint()
    model = model_artefact(fit, est.metrics["threshold"], scale, SelectionParams.from_config(cfg),
                           fingerprint, labels(reg))
    metrics = {
        "unit": fit.unit,
        "weight": fit.weight_name,
        "bundle": bundle.manifest.get("scale", str(cfg.bundle_dir)),
        "input_fingerprint": fingerprint,
        "estimation": est.metrics,
        "validation": val.metrics,
        "base_rates": est.base_rates,
        "base_rates_validation": val.base_rates,
        "risk_table": est.risk.to_dict(orient="records"),
        "risk_table_validation": val.risk.to_dict(orient="records"),
        "coefficients_sign_agreement": float(comparison.sign_agrees[comparison.term != "Intercept"].mean()),
        "notices": sorted(set(fit.notices + refit.notices)),
    }
    if truth is not None:
        metrics["truth_recovery"] = {"share_in_ci": float(truth.in_ci.mean()),
                                     "share_sign_right": float(truth.sign_right.mean()),
                                     "n_coefficients": int(len(truth))}
    metrics["seconds"] = round(time.perf_counter() - t0, 2)
    res = NationalRun(cfg, bundle, fit, est, val, refit, comparison, truth, metrics, model)
    write_national(res, out or REPORTS_DIR / "national")
    return res


def write_national(res: NationalRun, out: Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    metrics = {k: v for k, v in res.metrics.items() if k != "seconds"}  # byte-identical reruns
    write_json(metrics, out / "metrics.json")
    write_json(res.model, out / "model.json")
    cols = ["term", "coef", "se", "ci_low", "ci_high", "p_value", "standardised"]
    write_csv(res.fit.coefficients[cols], out / "coefficients.csv")
    write_csv(res.refit.coefficients[cols], out / "coefficients_validation.csv")
    write_csv(res.comparison, out / "coefficient_comparison.csv")
    write_csv(pd.concat([res.estimation.risk.assign(analyse="estimation"),
                         res.validation.risk.assign(analyse="validation")]), out / "risk_table.csv")
    write_csv(pd.concat([res.estimation.accounting.assign(analyse="estimation"),
                         res.validation.accounting.assign(analyse="validation")]), out / "accounting.csv")
    write_csv(pd.concat([res.estimation.curve.assign(analyse="estimation"),
                         res.validation.curve.assign(analyse="validation")]), out / "threshold_curve.csv")
    if res.truth is not None:
        write_csv(res.truth, out / "truth_comparison.csv")
    id_col = res.estimation.table.id_column
    keep = list(dict.fromkeys([id_col, "bu_code", "wk_code", "gm_code", "weight", "score_base", "target", "prediction"]))
    for name, pr in (("estimation", res.estimation), ("validation", res.validation)):
        s = pr.sample[[c for c in keep if c in pr.sample.columns]].sort_values(id_col)
        s.to_parquet(out / f"predictions_{name}.parquet", index=False)
