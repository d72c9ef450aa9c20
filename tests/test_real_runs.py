"""The whole method on the real Leefbaarometer PC4 series, configured by a TOML file only, checked
against an independent numpy computation written here."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from vroeg_core.config import PROJ_ROOT, RunConfig
from vroeg_core.run import run_national

WEAK, HALF_RV = -0.1640, -0.046425


def _independent(real_dir, start, base, target, dims=False):
    d = pd.read_csv(real_dir / "lbm3_scores_pc4_2002_2022.csv", keep_default_na=False, na_values=["NA"])
    w = d.pivot(index="PC4", columns="jaar", values="afw")
    sel = w[base].between(WEAK, HALF_RV) & w[start].notna() & w[target].notna()
    s = w[sel]
    cols = [np.ones(len(s)), s[start].to_numpy(), (s[base] - s[start]).to_numpy()]
    if dims:
        dd = d[d.jaar == base].set_index("PC4").reindex(s.index)
        cols += [dd[c].to_numpy() for c in ("fys", "onv", "soc", "vrz")]  # won is collinear
    X = np.column_stack(cols)
    y = s[target].to_numpy()
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    p = X @ beta
    r2 = 1 - ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    r2_pers = 1 - ((y - s[base]) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    # base rates: not weak at base, weak at target, inside vs outside the selection (all with a target)
    ok = w[base].notna() & w[target].notna() & (w[base] >= WEAK)
    inside = w[base].between(WEAK, HALF_RV)
    rate_in = (w[target][ok & inside] < WEAK).mean()
    rate_out = (w[target][ok & ~inside] < WEAK).mean()
    return {"n": len(s), "beta": beta, "pred": p, "y": y, "r2": r2, "r2_pers": r2_pers,
            "rate_in": rate_in, "rate_out": rate_out}


@pytest.mark.parametrize("config,dims", [("configs/real-pc4.toml", False), ("configs/real-pc4-dims.toml", True)])
def test_real_pc4_run_matches_numpy(real_dir, tmp_path, config, dims):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "vroeg_core.cli", "run", "--config", str(PROJ_ROOT / config),
                        "--out", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "rule 2 is skipped" in r.stdout
    m = json.loads((out / "metrics.json").read_text())
    for part, (s, b, t) in (("estimation", (2014, 2018, 2020)), ("validation", (2018, 2020, 2022))):
        ind = _independent(real_dir, s, b, t, dims)
        mm = m[part]
        assert (mm["start_year"], mm["base_year"], mm["target_year"]) == (s, b, t)
        assert mm["n_areas"] == ind["n"]
        assert mm["r2_persistence_area"] == pytest.approx(ind["r2_pers"], abs=1e-9)
        if part == "estimation":
            assert mm["r2_area"] == pytest.approx(ind["r2"], abs=1e-9)
            coefs = pd.read_csv(out / "coefficients.csv").set_index("term").coef
            assert coefs.iloc[:3].to_numpy() == pytest.approx(ind["beta"][:3], abs=1e-9)
            # quadrant accuracy at the reported cut-off
            acc = np.mean((ind["pred"] < mm["threshold"]) == (ind["y"] < WEAK))
            assert mm["quadrant_accuracy"] == pytest.approx(acc)
            assert m["base_rates"]["selected"] == pytest.approx(ind["rate_in"])
            assert m["base_rates"]["other"] == pytest.approx(ind["rate_out"])
    assert m["unit"] == "pc4" and m["estimation"]["r2_buurt"] is None
    for f in ("model.json", "coefficients.csv", "coefficients_validation.csv", "risk_table.csv",
              "accounting.csv", "threshold_curve.csv"):
        assert (out / f).exists()
    if dims:
        assert any("dim_won left out" in n for n in m["notices"])


def test_absent_inputs_switch_indicators_off(real_dir, tmp_path):
    """All Tabel 2-1 indicators asked for, only a scores file given: notices and accounting lines,
    no crash."""
    cfg = RunConfig.load(PROJ_ROOT / "configs/real-pc4.toml", model={"indicators": "all"})
    res = run_national(cfg, tmp_path / "o")
    assert res.fit.features == ["score_start", "trend"]
    acc = res.estimation.accounting
    off = acc[acc.reden.str.contains("uitgeschakeld")]
    assert len(off) == 20
    assert any(n.startswith("indicator baanbereikbaarheid off") for n in res.metrics["notices"])
    assert any("baanbereikbaarheid" in r for r in off.reden)


def test_configured_file_that_does_not_exist_is_an_error(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[data]\nbundle = "../shared/data/real"\n[model]\nunit = "pc4"\nweight = "none"\n'
                 '[inputs.scores_pc4]\npath = "../shared/data/real/nope.csv"\n')
    r = subprocess.run([sys.executable, "-m", "vroeg_core.cli", "run", "--config", str(f), "--out",
                        str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 2 and "nope.csv" in r.stderr and "does not exist" in r.stderr
