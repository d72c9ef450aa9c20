"""Synthetic Netherlands: a complete input bundle in the real sources' formats with a known
data-generating process (DGP).

The score two years after a measurement follows the method's own regression on the Tabel 2-1
indicators (``truth.json`` records the true coefficients); earlier years follow a latent-level
process. Every feature the DGP uses is computed from the values *as published* (rounded like the
real sources), so the readers see exactly what the DGP used, except where CBS suppresses a value.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .geography import PERIPHERY, SCALES, SHRINKING, SOUTH_RANDSTAD, build_geography
from .writers import DIMS, HIDDEN_YEAR, LBM_CONSTANT, YEARS, write_bundle

#: Periods of the DGP: target -> (start, base). Same as METHOD.md sections 4 and 6.
DGP_PERIODS = {2020: (2014, 2018), 2022: (2018, 2020), 2024: (2018, 2022)}

#: True coefficients of the DGP, on the raw (published) variables. Names match the indicator register.
TRUE_COEFFICIENTS = {
    "score_start": 0.80,
    "trend": 0.62,
    "buurt_score_start": 0.10,
    "buurt_trend": 0.15,
    "baanbereikbaarheid": 0.00025,
    "koopwoningen_pct": 0.00012,
    "jongeren_15_24_pct": -0.0012,
    "ses_woa_verandering": 0.040,
    "bevolkingsgroei_pct": 0.0009,
    "geen_nieuwbouw": -0.0050,
    "hennep_per_10k_woningen": -0.0012,
    "veroordeelde_bedrijven_per_1k": -0.0016,
    "vermogensdelicten_per_10k_inw": -0.00012,
    "lbm_spreiding_buurt": -0.060,
    "ses_woa_spreiding": 0.012,
    "sociale_cohesie": 0.020,
    "sociale_cohesie_verandering": 0.030,
    "hoogbouw_pct": -0.00008,
    "industrie_pct": -0.00030,
    "halfverhard_pct": -0.00025,
    "winkels_pct": 0.00040,
    "leegstand_winkels_pct": -0.00030,
}
SIGMA_BUURT = 0.013  # shared shock of the areas in one buurt
SIGMA_AREA = 0.021   # area noise for an area of 18 dwellings (scales with 1/sqrt(dwellings))
MEAN_SHIFT = -0.004  # national mean change per two years in the DGP years

AREA_INDICATORS = ["baanbereikbaarheid", "koopwoningen_pct", "sociale_cohesie", "hoogbouw_pct",
                   "industrie_pct", "halfverhard_pct", "winkels_pct", "leegstand_winkels_pct"]


def wmean_by(keys: np.ndarray, values: np.ndarray, weights: np.ndarray) -> pd.Series:
    """Weighted mean of ``values`` per key (NaN values and zero weights ignored)."""
    ok = ~np.isnan(values) & (weights > 0)
    df = pd.DataFrame({"k": keys[ok], "vw": values[ok] * weights[ok], "w": weights[ok]})
    g = df.groupby("k", sort=True).sum()
    return g.vw / g.w


def wsd_by(keys: np.ndarray, values: np.ndarray, weights: np.ndarray) -> pd.Series:
    """Weighted standard deviation (population form) of ``values`` per key."""
    m = wmean_by(keys, values, weights)
    ok = ~np.isnan(values) & (weights > 0)
    dev2 = (values - m.reindex(keys).to_numpy()) ** 2
    v = wmean_by(keys[ok], dev2[ok], weights[ok])
    return np.sqrt(v.clip(lower=0))


def generate(scale: str = "small", seed: int = 2024, out: Path | str | None = None,
             progress: bool = False) -> dict:
    """Generate a synthetic bundle and write it to ``out``.

    Parameters
    ----------
    scale
        ``small`` (4 COROP regions, 20 gemeenten), ``medium`` (10 regions, 64 gemeenten) or
        ``national`` (40 regions, 342 gemeenten, 8 million dwellings).
    seed
        Random seed; the same seed gives byte-identical files.
    out
        Output directory (created).

    Returns
    -------
    dict
        The manifest written to ``bundle.json`` (sizes, timings, calibration).
    """
    t0 = time.perf_counter()
    sc = SCALES[scale]
    rng = np.random.default_rng(seed)
    geo = build_geography(sc, rng)
    world = simulate(geo, rng)
    t_sim = time.perf_counter() - t0
    manifest = {
        "generator": "vroeg_core.synth",
        "version": __version__,
        "scale": scale,
        "seed": seed,
        "lbm_constant": LBM_CONSTANT,
        "sizes": {
            "provincies": int(len(geo["provincie"])), "corop": int(len(geo["corop"])),
            "gemeenten": int(len(geo["gemeente"])), "wijken": int(len(geo["wijk"])),
            "buurten": int(len(geo["buurt"])), "pc6": int(len(geo["pc6"])),
            "pc4": int(geo["pc6"].pc4.nunique()),
            "grid_cells": int(geo["crosswalk"].grid_id.nunique()),
            "woningen_2024": int(geo["pc6"].woningen.sum()),
        },
    }
    truth = world.pop("truth")
    if out is not None:
        write_bundle(Path(out), geo, world, truth, manifest, progress=progress)
    manifest["seconds_simulate"] = round(t_sim, 2)
    return manifest


def simulate(geo: dict, rng: np.random.Generator) -> dict:
    """All attribute tables and scores of the synthetic country (in memory)."""
    gem, bu, pc6 = geo["gemeente"], geo["buurt"], geo["pc6"]
    n_g, n_b, n_p = len(gem), len(bu), len(pc6)
    g_index = pd.Series(np.arange(n_g), index=gem.gm_code)
    b_index = pd.Series(np.arange(n_b), index=bu.bu_code)
    p_b = b_index.reindex(pc6.bu_code).to_numpy()
    b_g = g_index.reindex(bu.gm_code).to_numpy()
    p_g = b_g[p_b]
    b_w = pd.Series(np.arange(len(geo["wijk"])), index=geo["wijk"].wk_code).reindex(bu.wk_code).to_numpy()
    p_w = b_w[p_b]
    is_city = gem.is_stad.to_numpy()
    periphery = gem.corop_code.isin(PERIPHERY).to_numpy()
    south = gem.corop_code.isin(SOUTH_RANDSTAD).to_numpy()
    shrinking = gem.corop_code.isin(SHRINKING).to_numpy()
    all_years = YEARS + (HIDDEN_YEAR,)

    # --- growth, new construction, dwellings per area-year --------------------------------------
    growth = np.where(shrinking, rng.normal(0.0, 0.008, n_g), rng.normal(0.035, 0.025, n_g))
    growth = np.clip(growth, -0.02, 0.12)
    p_new = np.clip(growth * 1.3, 0.0, 0.18)[p_g]
    is_new = rng.random(n_p) < p_new
    first_year = np.where(is_new, rng.choice([2016, 2018, 2020, 2022], n_p), 2014)
    dw_full = pc6.woningen.to_numpy()
    dw = {t: np.where(first_year <= t, dw_full, 0) for t in all_years}
    occ_base = np.clip(rng.normal(0.96, 0.02, n_p), 0.85, 1.0)
    hh = {t: np.round(dw[t] * np.clip(occ_base + rng.normal(0, 0.01, n_p), 0.8, 1.0)).astype(int)
          for t in all_years}

    # --- latent status ------------------------------------------------------------------------------
    s_g = rng.normal(0, 0.45, n_g) - 0.5 * is_city - 0.25 * periphery - 0.2 * south
    s_b = s_g[b_g] + rng.normal(0, 0.8, n_b)
    z = s_b[p_b] + rng.normal(0, 0.5, n_p)

    # --- area indicators per year (published rounded) ------------------------------------------------
    steps = {t: (t - 2014) // 2 for t in all_years}
    jb_g = 40 + 18 * is_city - 8 * periphery + rng.normal(0, 8, n_g)
    jb0 = jb_g[p_g] + rng.normal(0, 7, n_p)
    koop0 = 55 + 16 * z - 18 * is_city[p_g] + rng.normal(0, 12, n_p)
    coh0 = 0.25 * z + rng.normal(0, 0.2, n_p)
    hoog0 = 8 + 25 * is_city[p_g] - 4 * z + rng.normal(0, 10, n_p)
    ind0 = rng.lognormal(np.log(2.5), 0.8, n_p)
    half0 = rng.lognormal(np.log(3.5), 0.6, n_p)
    win0 = rng.lognormal(np.log(1.5), 0.7, n_p) * (1 + is_city[p_g])
    vac0 = 8 - 2 * z + 4 * periphery[p_g] + rng.normal(0, 4, n_p)
    area_ind = {}
    coh_walk = np.zeros(n_p)
    koop_walk = np.zeros(n_p)
    vac_walk = np.zeros(n_p)
    for t in all_years:
        k = steps[t]
        if k:
            coh_walk = coh_walk + rng.normal(-0.004, 0.05, n_p)
            koop_walk = koop_walk + rng.normal(0.3, 1.5, n_p)
            vac_walk = vac_walk + rng.normal(0.2, 1.5, n_p)
        area_ind[t] = pd.DataFrame({
            "baanbereikbaarheid": np.round(np.clip(jb0 * (1 + 0.015 * k) + rng.normal(0, 1, n_p), 0, 100), 1),
            "koopwoningen_pct": np.round(np.clip(koop0 + koop_walk, 0, 100), 1),
            "sociale_cohesie": np.round(coh0 + coh_walk, 3),
            "hoogbouw_pct": np.round(np.clip(hoog0, 0, 100), 1),
            "industrie_pct": np.round(np.clip(ind0, 0, 60), 2),
            "halfverhard_pct": np.round(np.clip(half0 * (1 + 0.02 * k), 0, 60), 2),
            "winkels_pct": np.round(np.clip(win0, 0, 40), 2),
            "leegstand_winkels_pct": np.round(np.clip(vac0 + vac_walk, 0, 60), 1),
        })
        area_ind[t][first_year > t] = np.nan

    # --- buurt: population, youth, SES-WOA ---------------------------------------------------------
    occ_trend = np.where(shrinking, -0.012, 0.0)  # fewer people per dwelling in shrinking regions
    pers_b = np.clip(rng.normal(2.15, 0.25, n_b), 1.3, 3.2)
    youth_b = np.clip(12 - 0.6 * s_b + rng.normal(0, 2.0, n_b) + 4 * is_city[b_g], 3, 35) / 100
    ses_b0 = 0.22 * s_b + rng.normal(0, 0.12, n_b)
    ses_drift = rng.normal(0, 0.02, n_b) + 0.01 * s_b
    spread_b = np.clip(0.95 - 0.08 * np.abs(s_b) + rng.normal(0, 0.12, n_b), 0.3, 1.4)
    buurt_year = {}
    for t in all_years:
        k = steps[t]
        w_b = np.bincount(p_b, weights=dw[t], minlength=n_b)
        h_b = np.bincount(p_b, weights=hh[t], minlength=n_b)
        inw = np.round(w_b * pers_b * (1 + occ_trend[b_g] * k) * (1 + rng.normal(0, 0.004, n_b)))
        y15 = np.round(inw * np.clip(youth_b + rng.normal(0, 0.004, n_b), 0.01, 0.5))
        ses = np.round(ses_b0 + ses_drift * k + rng.normal(0, 0.01, n_b), 3)
        spr = np.round(np.clip(spread_b + rng.normal(0, 0.01, n_b), 0.3, 1.4), 3)
        buurt_year[t] = pd.DataFrame({"a_woning": w_b.astype(int), "a_hh": h_b.astype(int),
                                      "a_inw": inw.astype(int), "a_15_24": y15.astype(int),
                                      "ses_woa": ses, "ses_spreiding": spr})

    # --- gemeente: undermining crime rates ------------------------------------------------------------
    hemp_g = rng.lognormal(np.log(1.8), 0.5, n_g) * (1 + 0.6 * periphery + 0.4 * south)
    conv_g = rng.lognormal(np.log(3.0), 0.35, n_g) * (1 + 0.3 * is_city)
    prop_g = 18 + 14 * is_city + 4 * south + rng.normal(0, 5, n_g)
    crime = {}
    for t in all_years:
        crime[t] = pd.DataFrame({
            "hennep_ontruimingen_per_10k_woningen": np.round(np.clip(hemp_g * rng.lognormal(0, 0.25, n_g), 0, None), 2),
            "veroordeelde_bedrijven_per_1k_bedrijven": np.round(np.clip(conv_g * rng.lognormal(0, 0.2, n_g), 0, None), 2),
            "vermogensdelicten_veroordelingen_per_10k_inwoners": np.round(np.clip(prop_g + rng.normal(0, 2.5, n_g), 1, None), 2),
        })

    # --- scores: latent level history 2014-2018 -----------------------------------------------------
    tail = -0.12 * np.clip(-s_b - 0.7, 0, None) ** 1.4
    mu = (0.085 + 0.068 * z + tail[p_b] + rng.normal(0, 0.025, n_g)[p_g] - 0.012 * periphery[p_g]
          + rng.normal(0, 0.055, n_p))
    dims_w = np.array([0.15, 0.25, 0.2, 0.2, 0.2])
    dims_off = rng.normal(0, 0.03, (n_p, 5))
    dims_off -= dims_off.mean(axis=1, keepdims=True)
    afw = {}
    d = rng.normal(0, 0.03, n_b)[p_b] + rng.normal(0, 0.03, n_p)
    for t in (2014, 2016, 2018):
        if t > 2014:
            d = 0.7 * d + rng.normal(0, 0.015, n_b)[p_b] + rng.normal(0, 0.02, n_p)
        afw[t] = np.where(first_year <= t, mu + d - 0.002 * steps[t], np.nan)

    def buurt_score(t):
        return wmean_by(p_b, afw[t], dw[t].astype(float)).reindex(np.arange(n_b)).to_numpy()

    # --- scores from the DGP, 2020 onwards -----------------------------------------------------------
    feats_by_target = {}
    intercept = None
    for target, (start, base) in DGP_PERIODS.items():
        X = _features(start, base, afw, dw, area_ind, buurt_year, crime, p_b, p_w, p_g, b_w, b_g, n_b,
                      len(geo["wijk"]), buurt_score)
        lin = sum(TRUE_COEFFICIENTS[k] * X[k] for k in TRUE_COEFFICIENTS)
        if intercept is None:
            ok0 = ~np.isnan(lin) & (dw[base] > 0)
            target_mean = np.average(afw[base][ok0], weights=dw[base][ok0]) + MEAN_SHIFT
            intercept = float(np.round(target_mean - np.average(lin[ok0], weights=dw[base][ok0]), 6))
        sigma_i = SIGMA_AREA * np.sqrt(18.0 / np.maximum(dw[target], 1))
        shock = rng.normal(0, SIGMA_BUURT, n_b)[p_b] + rng.normal(0, 1, n_p) * sigma_i
        y = intercept + lin + shock
        # areas without the method's features (new construction) follow the latent-level process
        d = 0.7 * d + rng.normal(0, 0.015, n_b)[p_b] + rng.normal(0, 0.02, n_p)
        fallback = mu + d - 0.002 * steps[target]
        y = np.where(np.isnan(y), fallback, y)
        afw[target] = np.where(first_year <= target, y, np.nan)
        feats_by_target[target] = X

    scores = {}
    for t in all_years:
        dims = dims_w[None, :] * afw[t][:, None] + dims_off
        df = pd.DataFrame(dims, columns=DIMS)
        df.insert(0, "afw", afw[t])
        if t == 2016:
            df[DIMS] = np.nan
        scores[t] = df

    truth = {
        "unit": "pc6",
        "weight": "woningen",
        "intercept": intercept,
        "coefficients": TRUE_COEFFICIENTS,
        "sigma_buurt": SIGMA_BUURT,
        "sigma_area_at_18_dwellings": SIGMA_AREA,
        "periods": {str(k): {"start_year": v[0], "base_year": v[1]} for k, v in DGP_PERIODS.items()},
        "notes": ("target afw = intercept + sum(coef * feature) + buurt shock + area noise; features "
                  "are computed from the published (rounded) source values as the indicator "
                  "register defines them; SES-WOA values CBS suppresses ('.') entered the DGP unrounded"),
    }
    return {"first_year": first_year, "dw": dw, "hh": hh, "scores": scores, "area_ind": area_ind,
            "buurt_year": buurt_year, "crime": crime, "truth": truth, "features": feats_by_target}


def _features(start, base, afw, dw, area_ind, buurt_year, crime, p_b, p_w, p_g, b_w, b_g, n_b, n_w,
              buurt_score) -> dict[str, np.ndarray]:
    """The Tabel 2-1 features of every PC6 area for one period, as the indicator register defines them."""
    X = {}
    X["score_start"] = afw[start]
    X["trend"] = afw[base] - afw[start]
    bs, bb = buurt_score(start), buurt_score(base)
    X["buurt_score_start"] = bs[p_b]
    X["buurt_trend"] = (bb - bs)[p_b]
    for c in ("baanbereikbaarheid", "koopwoningen_pct", "sociale_cohesie", "hoogbouw_pct",
              "industrie_pct", "halfverhard_pct", "winkels_pct", "leegstand_winkels_pct"):
        X[c] = area_ind[base][c].to_numpy()
    X["sociale_cohesie_verandering"] = (area_ind[base]["sociale_cohesie"] - area_ind[start]["sociale_cohesie"]).to_numpy()
    by_b, by_s = buurt_year[base], buurt_year[start]
    inw_w = np.bincount(b_w, weights=by_b.a_inw, minlength=n_w)
    y15_w = np.bincount(b_w, weights=by_b.a_15_24, minlength=n_w)
    with np.errstate(invalid="ignore", divide="ignore"):
        X["jongeren_15_24_pct"] = (100 * y15_w / inw_w)[p_w]
    X["ses_woa_verandering"] = (by_b.ses_woa - by_s.ses_woa).to_numpy()[p_b]
    X["ses_woa_spreiding"] = by_b.ses_spreiding.to_numpy()[p_b]
    n_g = int(b_g.max()) + 1
    inw_g_b = np.bincount(b_g, weights=by_b.a_inw, minlength=n_g)
    inw_g_s = np.bincount(b_g, weights=by_s.a_inw, minlength=n_g)
    won_g_b = np.bincount(b_g, weights=by_b.a_woning, minlength=n_g)
    won_g_s = np.bincount(b_g, weights=by_s.a_woning, minlength=n_g)
    X["bevolkingsgroei_pct"] = (100 * (inw_g_b / inw_g_s - 1))[p_g]
    X["geen_nieuwbouw"] = ((won_g_b - won_g_s) <= 2500).astype(float)[p_g]
    cr = crime[base]
    X["hennep_per_10k_woningen"] = cr.hennep_ontruimingen_per_10k_woningen.to_numpy()[p_g]
    X["veroordeelde_bedrijven_per_1k"] = cr.veroordeelde_bedrijven_per_1k_bedrijven.to_numpy()[p_g]
    X["vermogensdelicten_per_10k_inw"] = cr.vermogensdelicten_veroordelingen_per_10k_inwoners.to_numpy()[p_g]
    spread = wsd_by(p_b, afw[base], dw[base].astype(float)).reindex(np.arange(n_b)).to_numpy()
    X["lbm_spreiding_buurt"] = spread[p_b]
    return X
