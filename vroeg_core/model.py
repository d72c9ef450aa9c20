"""Step 2 of the method: the dwelling-weighted multivariate regression, its fit and its application."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from .register import load_register
from .table import Accounting, AnalysisTable


def wstd(x: np.ndarray, w: np.ndarray) -> float:
    m = np.average(x, weights=w)
    return float(np.sqrt(np.average((x - m) ** 2, weights=w)))


@dataclass
class ModelFit:
    """A fitted early-warning model: the statsmodels result with its spec, period, sample and
    row accounting."""

    result: object
    features: list[str]
    unit: str
    period: dict
    weight_name: str
    coefficients: pd.DataFrame
    sample: pd.DataFrame
    reference: pd.DataFrame
    accounting: Accounting
    notices: list[str] = field(default_factory=list)

    @property
    def params(self) -> dict:
        return {k: float(v) for k, v in self.result.params.items()}

    def predict(self, table: AnalysisTable, rows: pd.Series | None = None) -> pd.Series:
        """Apply the coefficients to (rows of) another table; see :func:`apply_coefficients`."""
        return apply_coefficients(self.params, self.reference, table.data if rows is None else table.data[rows])


def model_sample(table: AnalysisTable, selected: pd.Series, features: list[str] | None = None,
                 register: pd.DataFrame | None = None, need_target: bool = True,
                 medians: dict | None = None) -> tuple[pd.DataFrame, Accounting, list[str], list[str]]:
    """The rows that enter a fit: selected, with start score, target and every feature.

    Missing values follow the register's rule: ``drop`` removes the area (counted per indicator),
    ``median`` fills the sample median (or the given ``medians``) and counts the filled values.

    Returns
    -------
    (sample, accounting, features, notices)
    """
    reg = register if register is not None else load_register()
    feats = list(table.features if features is None else features)
    acc = Accounting(list(table.accounting.rows))
    notices: list[str] = []
    df = table.data.copy()
    step = "selectie"
    df = acc.drop(df, ~selected.reindex(df.index).fillna(False), step, "niet in potentieel kwetsbare buurt")
    step = "model"
    df = acc.drop(df, df.score_start_year.isna(), step, f"geen score in beginjaar {table.period['start']}")
    if need_target:
        df = acc.drop(df, df.target.isna(), step, f"geen score in doeljaar {table.period['target']}")
    used_medians = {}
    for f in feats:
        rule = reg.loc[f, "missing"] if f in reg.index else "drop"
        miss = df[f].isna()
        if rule == "median" and miss.any():
            med = float(medians[f]) if medians and f in medians else float(df[f].median())
            df[f] = df[f].fillna(med)
            acc.add(step, f"{f}: ontbrekend, mediaan ingevuld (blijft in analyse)", int(miss.sum()),
                    df.weight[miss].sum())
            used_medians[f] = med
        else:
            df = acc.drop(df, miss, step, f"ontbrekende indicator {f}")
    acc.add(step, "in modelsteekproef", len(df), df.weight.sum())
    return df, acc, feats, notices


def estimate(table: AnalysisTable, selected: pd.Series, features: list[str] | None = None,
             register: pd.DataFrame | None = None) -> ModelFit:
    """Estimate the dwelling-weighted linear model on the selected areas.

    Weighted least squares via statsmodels' formula interface; standard errors clustered by buurt
    (by area when the unit has no buurt nesting). Features without variation in the sample are
    left out with a notice. Standardised coefficients are ``coef * sd(x) / sd(y)`` (weighted).
    """
    df, acc, feats, notices = model_sample(table, selected, features, register)
    if len(df) < len(feats) + 2:
        raise ValueError(f"only {len(df)} areas in the model sample for {len(feats)} indicators")
    keep = []
    for f in feats:
        if df[f].nunique() < 2:
            notices.append(f"indicator {f} left out: no variation in the model sample")
            acc.add("model", f"indicator {f} weggelaten: geen variatie in steekproef", 0, 0.0)
        else:
            keep.append(f)
    keep = _drop_collinear(df, keep, notices, acc)
    formula = "target ~ " + (" + ".join(keep) if keep else "1")
    groups = df.bu_code if df.bu_code.notna().all() else df[table.id_column]
    groups = pd.factorize(groups)[0]
    res = smf.wls(formula, data=df, weights=df.weight).fit(cov_type="cluster", cov_kwds={"groups": groups})
    ci = res.conf_int()
    w = df.weight.to_numpy(dtype=float)
    sd_y = wstd(df.target.to_numpy(dtype=float), w)
    std = {f: res.params[f] * wstd(df[f].to_numpy(dtype=float), w) / sd_y for f in keep}
    coefs = pd.DataFrame({
        "term": res.params.index,
        "coef": res.params.to_numpy(),
        "se": res.bse.to_numpy(),
        "ci_low": ci[0].to_numpy(),
        "ci_high": ci[1].to_numpy(),
        "p_value": res.pvalues.to_numpy(),
        "standardised": [std.get(t, np.nan) for t in res.params.index],
    })
    ref = pd.DataFrame({
        "feature": keep,
        "mean": [np.average(df[f], weights=w) for f in keep],
        "sd": [wstd(df[f].to_numpy(dtype=float), w) for f in keep],
        "median": [float(df[f].median()) for f in keep],
    })
    sample = df.assign(prediction=res.fittedvalues)
    return ModelFit(res, keep, table.unit, dict(table.period), table.weight_name, coefs, sample, ref, acc,
                    table.notices + notices)


def _drop_collinear(df: pd.DataFrame, feats: list[str], notices: list[str], acc: Accounting) -> list[str]:
    """Keep features in register order while each adds to the rank of the design (with intercept).

    An exactly collinear feature (e.g. the five dimension scores, which sum to the base score = start
    score + trend) is left out with a notice instead of producing arbitrary coefficients.
    """
    X = np.ones((len(df), 1))
    keep = []
    for f in feats:
        cand = np.column_stack([X, df[f].to_numpy(dtype=float)])
        scaled = cand / np.maximum(np.abs(cand).max(axis=0), 1e-300)
        if np.linalg.matrix_rank(scaled, tol=1e-9) > X.shape[1]:
            X = cand
            keep.append(f)
        else:
            notices.append(f"indicator {f} left out: exactly collinear with the indicators before it")
            acc.add("model", f"indicator {f} weggelaten: collineair met eerdere indicatoren", 0, 0.0)
    return keep


def apply_coefficients(params: dict, reference: pd.DataFrame, data: pd.DataFrame) -> pd.Series:
    """Predicted score: intercept + sum(coef * feature); missing features take the estimation median."""
    pred = pd.Series(params.get("Intercept", 0.0), index=data.index, dtype=float)
    med = dict(zip(reference.feature, reference["median"]))
    for f, c in params.items():
        if f == "Intercept":
            continue
        if f not in data.columns:
            raise ValueError(f"the model needs indicator {f}, which the table does not have")
        pred = pred + c * data[f].fillna(med.get(f, np.nan))
    return pred


def contributions(params: dict, reference: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """Per area and indicator: ``coef * (x - mean of the estimation sample)``, in afw units.

    Negative values push the predicted score down (towards risk). A signalling aid, not a causal
    decomposition.
    """
    ref = reference.set_index("feature")
    out = {}
    for f in ref.index:
        out[f] = params[f] * (data[f].fillna(ref.loc[f, "median"]) - ref.loc[f, "mean"])
    return pd.DataFrame(out, index=data.index)
