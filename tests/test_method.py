"""Selection, analysis table, estimation, evaluation: checked against independent computations and the
synthetic truth."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from vroeg_core.config import RunConfig
from vroeg_core.evaluation import evaluate, risk_table, threshold_curve, tune_threshold
from vroeg_core.model import estimate
from vroeg_core.run import run_national
from vroeg_core.scale import ClassScale
from vroeg_core.selection import SelectionParams, base_rates, select_pkb
from vroeg_core.synth.writers import LAYOUT
from vroeg_core.table import build_table

from .conftest import make_bundle

S = ClassScale()
EST = {"start": 2014, "base": 2018, "target": 2020}


# ------------------------------------------------------------------ selection rules at the edges
def test_selection_rule1_edges():
    lo, up1 = S.lower_edge(5), S.halfway_ruim_voldoende
    scores = pd.Series({"BU00000001": lo - 1e-9, "BU00000002": lo, "BU00000003": up1,
                        "BU00000004": up1 + 1e-9})
    sel = select_pkb(scores, None, S)
    assert sel.rule1.tolist() == [False, True, True, False]
    assert not sel.rule2.any()  # rule 2 needs the area shares


def test_selection_rule2_fifteen_percent():
    up1, goed = S.halfway_ruim_voldoende, S.lower_goed
    s = up1 + 0.01  # above rule 1, below goed
    scores = pd.Series({"BU00000001": s, "BU00000002": s, "BU00000003": goed - 1e-9,
                        "BU00000004": goed, "BU00000005": s})
    v = -0.12   # class voldoende
    g = 0.05    # class goed
    areas = pd.DataFrame({
        "bu_code": ["BU00000001"] * 2 + ["BU00000002"] * 2 + ["BU00000003"] * 2 + ["BU00000004"] * 2 + ["BU00000005"],
        "score_base": [v, g, v, g, v, g, v, g, g],
        # 15 % exactly, just under, 50 %, 50 % but buurt at goed, none
        "weight": [15, 85, 14.99, 85.01, 1, 1, 1, 1, 10],
    })
    sel = select_pkb(scores, areas, S)
    assert sel.share_voldoende.round(4).tolist() == [0.15, 0.1499, 0.5, 0.5, 0.0]
    assert sel.rule2.tolist() == [True, False, True, False, False]
    assert sel.pkb.tolist() == [True, False, True, False, False]
    stricter = select_pkb(scores, areas, S, SelectionParams(min_share_voldoende=0.2))
    assert stricter.rule2.tolist() == [False, False, True, False, False]


def test_base_rates_hand_computed():
    df = pd.DataFrame({"score_base": [-0.1, -0.1, -0.2, 0.0, 0.0],
                       "target": [-0.2, 0.0, -0.3, -0.2, 0.0],
                       "weight": [1.0, 3.0, 5.0, 1.0, 9.0]})
    selected = pd.Series([True, True, True, False, False])
    br = base_rates(df, selected, S)
    # row 3 was already weak at base: left out
    assert br["selected"] == pytest.approx(1 / 4)
    assert br["other"] == pytest.approx(1 / 10)
    assert br["ratio"] == pytest.approx(2.5)


# ------------------------------------------------------------------ metrics vs plain numpy
def _fixture(n=400, seed=3):
    rng = np.random.default_rng(seed)
    score_base = rng.normal(-0.08, 0.06, n)
    pred = score_base + rng.normal(0, 0.02, n)
    target = pred + rng.normal(0, 0.025, n)
    return pd.DataFrame({"bu_code": [f"BU{i % 37:08d}" for i in range(n)], "weight": rng.integers(1, 40, n).astype(float),
                         "score_base": score_base, "prediction": pred, "target": target})


def test_metrics_equal_independent_numpy():
    df = _fixture()
    m, curve = evaluate(df, S)
    y, p, w = df.target.to_numpy(), df.prediction.to_numpy(), df.weight.to_numpy()
    yb = (w * y).sum() / w.sum()
    assert m["r2_area"] == pytest.approx(1 - (w * (y - p) ** 2).sum() / (w * (y - yb) ** 2).sum())
    assert m["r2_persistence_area"] == pytest.approx(
        1 - (w * (y - df.score_base) ** 2).sum() / (w * (y - yb) ** 2).sum())
    # buurt level: weighted means per buurt, weights = buurt dwellings
    codes = df.bu_code.to_numpy()
    ub = np.unique(codes)
    W = np.array([w[codes == c].sum() for c in ub])
    Y = np.array([(w * y)[codes == c].sum() for c in ub]) / W
    P = np.array([(w * p)[codes == c].sum() for c in ub]) / W
    Yb = (W * Y).sum() / W.sum()
    assert m["r2_buurt"] == pytest.approx(1 - (W * (Y - P) ** 2).sum() / (W * (Y - Yb) ** 2).sum())
    # tuned cut-off: brute force over the same grid, smallest |FP - FN|, then best accuracy
    obs = y < -0.164
    best = None
    for c in np.round(np.arange(-0.30, 0.0001, 0.0025), 4):
        pw = p < c
        fp, fn = np.sum(pw & ~obs), np.sum(~pw & obs)
        acc = np.mean(pw == obs)
        key = (abs(fp - fn), -acc, c)
        best = key if best is None or key < best else best
    assert m["threshold"] == pytest.approx(best[2])
    pw = p < best[2]
    assert m["quadrant_accuracy"] == pytest.approx(np.mean(pw == obs))
    assert m["confusion"] == {"tp": int(np.sum(pw & obs)), "fp": int(np.sum(pw & ~obs)),
                              "fn": int(np.sum(~pw & obs)), "tn": int(np.sum(~pw & ~obs))}
    assert len(curve) == 121


def test_risk_table_equals_independent_numpy():
    df = _fixture(seed=9)
    rt = risk_table(df, S).set_index("klasse")
    p, b, y, w = (df[c].to_numpy() for c in ("prediction", "score_base", "target", "weight"))
    weak = y < -0.164
    already = b < -0.22275
    groups = {"sterk verhoogd risico": ~already & (p < -0.1335),
              "verhoogd risico": ~already & (p >= -0.1335) & (p <= -0.046425),
              "laag risico": ~already & (p > -0.046425),
              "reeds zwak": already}
    for k, m in groups.items():
        assert rt.loc[k, "dwellings"] == pytest.approx(w[m].sum())
        if w[m].sum():
            assert rt.loc[k, "share_weak_or_lower"] == pytest.approx((w[m] * weak[m]).sum() / w[m].sum())


def test_threshold_accuracy_criterion():
    curve = threshold_curve([0.0, -0.2, -0.3, -0.1], [False, True, True, True], cutoffs=[-0.25, -0.15, -0.05])
    assert tune_threshold(curve, "accuracy") == -0.05
    assert curve.accuracy.tolist() == [0.5, 0.75, 1.0]


# ------------------------------------------------------------------ analysis table
def test_features_use_only_data_up_to_the_base_year(small_bundle, copy_bundle):
    before = build_table(make_bundle(small_bundle), EST, with_target=False)
    # change every value after the base year in every yearly source
    for key in ("scores_pc6", "scores_buurt", "scores_wijk", "scores_gemeente", "indicators_pc6", "woningen_pc6"):
        p = copy_bundle / LAYOUT[key]
        d = pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p, keep_default_na=False, na_values=["NA"])
        later = d.jaar > 2018
        if "lbm" in d.columns:  # keep one edition: lbm - afw constant, dimensions summing to afw
            d.loc[later, ["lbm", "afw"]] += 0.05
            d.loc[later, ["fys", "onv", "soc", "vrz", "won"]] += 0.01
        else:
            for c in d.columns:
                if c != "jaar" and pd.api.types.is_numeric_dtype(d[c]):
                    d.loc[later, c] = d.loc[later, c] // 2
        d.to_parquet(p, index=False) if p.suffix == ".parquet" else d.to_csv(p, index=False, na_rep="NA")
    for y in (2020, 2022, 2024):
        for key in ("kwb", "seswoa"):
            (copy_bundle / LAYOUT[key].format(year=y)).unlink()
    o = pd.read_csv(copy_bundle / LAYOUT["ondermijning"])
    o.loc[o.jaar > 2018, o.columns[2:]] *= 3
    o.to_csv(copy_bundle / LAYOUT["ondermijning"], index=False)
    after = build_table(make_bundle(copy_bundle), EST, with_target=False)
    assert before.features == after.features
    pd.testing.assert_frame_equal(before.data[before.features], after.data[after.features])


def test_table_matches_the_generator_features(small_bundle):
    """The table rebuilds the DGP's features from the files exactly (SES suppression aside)."""
    from vroeg_core.synth.generate import TRUE_COEFFICIENTS
    t = build_table(make_bundle(small_bundle), EST)
    assert set(TRUE_COEFFICIENTS) <= set(t.features)
    d = t.data
    assert (d.trend - (d.score_base - d.score_start)).abs().max() < 1e-12


def test_accounting_adds_up(small_bundle):
    b = make_bundle(small_bundle)
    t = build_table(b, EST)
    from vroeg_core.selection import pkb_mask
    mask, _ = pkb_mask(t, b, S, SelectionParams())
    fit = estimate(t, mask)
    acc = fit.accounting.frame()
    entered = acc.gebieden.iloc[0]
    left = acc[~acc.reden.str.contains("ingevuld|in modelsteekproef|gebieden in scorebestand|uitgeschakeld|weggelaten")].gebieden.sum()
    assert entered - left == len(fit.sample) == acc[acc.reden == "in modelsteekproef"].gebieden.item()
    assert acc[acc.reden == "geen score in basisjaar 2018"].gebieden.item() > 0  # new construction


# ------------------------------------------------------------------ recovery of the truth
@pytest.mark.slow
def test_estimation_recovers_true_coefficients(national_bundle):
    """On the national synthetic bundle (about 47,000 PC6 areas in 1,300 selected buurten) the method's
    own estimate, on the selection only, covers the truth: >= 90 % of the true coefficients inside the
    95 % interval and every sign right."""
    b = make_bundle(national_bundle)
    t = build_table(b, EST)
    from vroeg_core.selection import pkb_mask
    mask, _ = pkb_mask(t, b, S, SelectionParams())
    fit = estimate(t, mask)
    truth = pd.Series(b.truth["coefficients"])
    c = fit.coefficients.set_index("term").reindex(truth.index).dropna(subset=["coef"])
    inside = (truth[c.index] >= c.ci_low) & (truth[c.index] <= c.ci_high)
    assert len(c) >= 20
    assert inside.mean() >= 0.9, inside[~inside]
    assert (np.sign(c.coef) == np.sign(truth[c.index])).all()
    assert len(fit.sample) > 30_000


# ------------------------------------------------------------------ the command and its artefacts
def test_vroeg_run_writes_artefacts_byte_identically(small_bundle, tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        r = subprocess.run([sys.executable, "-m", "vroeg_core.cli", "run", "--data", str(small_bundle),
                            "--out", str(out)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        outs.append(out)
    files = ["metrics.json", "model.json", "coefficients.csv", "coefficients_validation.csv", "risk_table.csv",
             "accounting.csv", "threshold_curve.csv", "truth_comparison.csv", "coefficient_comparison.csv"]
    for f in files:
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    m = json.loads((outs[0] / "metrics.json").read_text())
    assert m["unit"] == "pc6"
    for part in ("estimation", "validation"):
        for key in ("start_year", "base_year", "target_year", "n_areas", "n_buurten", "dwellings", "r2_area",
                    "r2_buurt", "r2_persistence_area", "quadrant_accuracy", "threshold"):
            assert isinstance(m[part][key], (int, float)), (part, key)
    assert set(m["base_rates"]) >= {"selected", "other", "ratio"}
    assert [r["klasse"] for r in m["risk_table"]] == ["sterk verhoogd risico", "verhoogd risico", "laag risico", "reeds zwak"]
    model = json.loads((outs[0] / "model.json").read_text())
    assert model["artefact"] == "vroeg.model" and model["input_fingerprint"] == m["input_fingerprint"]
    assert set(model["coefficients"]) == set(model["features"]) | {"Intercept"}
    coefs = pd.read_csv(outs[0] / "coefficients.csv")
    assert list(coefs.columns[:6]) == ["term", "coef", "se", "ci_low", "ci_high", "p_value"]


def test_run_refuses_bad_input_before_starting(copy_bundle, tmp_path):
    p = copy_bundle / LAYOUT["scores_gemeente"]
    d = pd.read_csv(p)
    d = pd.concat([d, d.iloc[[0]]])
    d.to_csv(p, index=False)
    r = subprocess.run([sys.executable, "-m", "vroeg_core.cli", "run", "--data", str(copy_bundle),
                        "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 2 and "share a key" in r.stderr
    assert not (tmp_path / "o").exists()


def test_median_rule_fills_and_counts(small_bundle):
    """A register row with missing = median keeps its areas and counts the filled values."""
    from vroeg_core.model import model_sample
    from vroeg_core.register import load_register
    reg = load_register().copy()
    reg.loc["ses_woa_verandering", "missing"] = "median"
    b = make_bundle(small_bundle)
    t = build_table(b, EST, register=reg)
    everything = pd.Series(True, index=t.data.index)
    n_missing = int(t.data.loc[t.data.score_start_year.notna(), "ses_woa_verandering"].isna().sum())
    assert n_missing > 0  # CBS suppresses small buurten
    sample, acc, _, _ = model_sample(t, everything, register=reg)
    a = acc.frame()
    filled = a[a.reden.str.startswith("ses_woa_verandering: ontbrekend, mediaan ingevuld")]
    assert filled.gebieden.item() == n_missing
    assert sample.ses_woa_verandering.notna().all()
    dropped_reg = load_register()
    sample2, acc2, _, _ = model_sample(t, everything, register=dropped_reg)
    assert len(sample) - len(sample2) >= n_missing - int(t.data.ses_woa_spreiding.isna().sum())


@pytest.mark.parametrize("unit,min_features", [("grid", 20), ("buurt", 8)])
def test_other_units_run_end_to_end(small_bundle, tmp_path, unit, min_features):
    cfg = RunConfig.load(data={"bundle": str(small_bundle)}, model={"unit": unit})
    res = run_national(cfg, tmp_path / unit)
    e = res.metrics["estimation"]
    assert res.metrics["unit"] == unit and e["n_areas"] > 40
    assert len(res.fit.features) >= min_features
    assert 0.5 < e["r2_area"] <= 1 and e["r2_buurt"] is not None
    ids = pd.read_parquet(tmp_path / unit / "predictions_estimation.parquet").iloc[:, 0]
    assert ids.str.fullmatch(r"E\d{4}N\d{4}" if unit == "grid" else r"BU\d{8}").all()


def test_contributions_add_up_to_prediction_minus_reference(small_bundle):
    """Per-indicator contributions coef * (x - mean) sum to the prediction minus the prediction at the
    estimation means."""
    from vroeg_core.model import apply_coefficients, contributions
    from vroeg_core.selection import pkb_mask
    b = make_bundle(small_bundle)
    t = build_table(b, EST)
    mask, _ = pkb_mask(t, b, S, SelectionParams())
    fit = estimate(t, mask)
    c = contributions(fit.params, fit.reference, fit.sample)
    at_mean = fit.params["Intercept"] + sum(fit.params[f] * m for f, m in zip(fit.reference.feature, fit.reference["mean"]))
    pred = apply_coefficients(fit.params, fit.reference, fit.sample)
    assert np.allclose(c.sum(axis=1) + at_mean, pred)
    assert np.allclose(pred, fit.sample.prediction)
