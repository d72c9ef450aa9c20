"""Write a simulated country to disk in the real sources' formats (see DATA.md)."""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..progress import progress_bar

YEARS = (2014, 2016, 2018, 2020, 2022)
HIDDEN_YEAR = 2024
#: LBM edition constant: lbm = afw + C (meting-2022 edition, DATA.md).
LBM_CONSTANT = 4.102265
SCORE_COLS = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"]
DIMS = ["fys", "onv", "soc", "vrz", "won"]
#: Bundle layout: source name -> path relative to the bundle root.
LAYOUT = {
    "scores_pc6": "lbm/Leefbaarometer-scores pc6 2014-2022.parquet",
    "scores_grid": "lbm/Leefbaarometer-scores grids 2014-2022.csv",
    "scores_pc4": "lbm/Leefbaarometer-scores PC4 2014-2022.csv",
    "scores_buurt": "lbm/Leefbaarometer-scores buurten 2014-2022.csv",
    "scores_wijk": "lbm/Leefbaarometer-scores wijken 2014-2022.csv",
    "scores_gemeente": "lbm/Leefbaarometer-scores gemeenten 2014-2022.csv",
    "hidden_pc6": "verborgen/Leefbaarometer-scores pc6 2024.parquet",
    "hidden_grid": "verborgen/Leefbaarometer-scores grids 2024.csv",
    "hidden_pc4": "verborgen/Leefbaarometer-scores PC4 2024.csv",
    "hidden_buurt": "verborgen/Leefbaarometer-scores buurten 2024.csv",
    "hidden_wijk": "verborgen/Leefbaarometer-scores wijken 2024.csv",
    "hidden_gemeente": "verborgen/Leefbaarometer-scores gemeenten 2024.csv",
    "woningen_pc6": "cbs/woningen pc6.parquet",
    "woningen_grid": "cbs/woningen grid.parquet",
    "woningen_pc4": "cbs/woningen pc4.csv",
    "indicators_pc6": "indicatoren/lbm-indicatoren pc6.parquet",
    "indicators_grid": "indicatoren/lbm-indicatoren grid.parquet",
    "indicators_pc4": "indicatoren/lbm-indicatoren pc4.csv",
    "kwb": "cbs/kwb-{year}.csv",
    "seswoa": "cbs/ses-woa-{year}.csv",
    "ondermijning": "ondermijning/ondermijning-gemeenten.csv",
    "boundaries": "geo/gebieden.gpkg",
    "gemeente_corop": "geo/gemeente-corop.csv",
    "pc6_nesting": "geo/pc6-buurt.parquet",
    "grid_crosswalk": "geo/grid-pc6.parquet",
    "truth": "truth.json",
    "manifest": "bundle.json",
}
#: Fixed timestamp for GeoPackage metadata so reruns are byte-identical.
GPKG_DATE = "2024-01-01T00:00:00.000Z"


def write_bundle(root: Path, geo: dict, world: dict, truth: dict, manifest: dict,
                 progress: bool = False) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for rel in LAYOUT.values():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
    steps = [
        ("geography", lambda: _write_geography(root, geo)),
        ("scores", lambda: _write_scores(root, geo, world)),
        ("dwellings and indicators", lambda: _write_area_tables(root, geo, world)),
        ("cbs kwb and ses-woa", lambda: _write_cbs(root, geo, world)),
        ("ondermijning", lambda: _write_crime(root, geo, world)),
    ]
    for name, step in progress_bar(steps, desc="writing bundle", enabled=progress):
        step()
    (root / LAYOUT["truth"]).write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n")
    (root / LAYOUT["manifest"]).write_text(json.dumps({**manifest, "layout": LAYOUT}, indent=2) + "\n")


def _parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")


def _csv(df: pd.DataFrame, path: Path, **kw) -> None:
    df.to_csv(path, index=False, lineterminator="\n", **kw)


def _boxes(df: pd.DataFrame) -> np.ndarray:
    return shapely.box(df.x0 * 100, df.y0 * 100, df.x1 * 100, df.y1 * 100)


def _write_geography(root: Path, geo: dict) -> None:
    path = root / LAYOUT["boundaries"]
    if path.exists():
        path.unlink()
    layers = {
        "provincie": geo["provincie"][["pv_code", "pv_naam"]].rename(columns={"pv_code": "statcode", "pv_naam": "statnaam"}),
        "coropgebied": geo["corop"][["corop_code", "corop_naam"]].rename(columns={"corop_code": "statcode", "corop_naam": "statnaam"}),
        "gemeente": geo["gemeente"][["gm_code", "gm_naam", "corop_code"]],
        "wijk": geo["wijk"][["wk_code", "wk_naam", "gm_code"]],
        "buurt": geo["buurt"][["bu_code", "bu_naam", "wk_code", "gm_code"]],
    }
    src = {"provincie": geo["provincie"], "coropgebied": geo["corop"], "gemeente": geo["gemeente"],
           "wijk": geo["wijk"], "buurt": geo["buurt"]}
    with pyogrio_config({"OGR_CURRENT_DATE": GPKG_DATE}):
        for name, attrs in layers.items():
            gdf = gpd.GeoDataFrame(attrs.reset_index(drop=True), geometry=_boxes(src[name]), crs=28992)
            pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", append=path.exists(),
                                    layer_options={"SPATIAL_INDEX": "NO"})
    gc = geo["gemeente"][["gm_code", "gm_naam", "corop_code", "corop_naam"]].copy()
    gc["area_share"] = 1.0
    _csv(gc.sort_values("gm_code"), root / LAYOUT["gemeente_corop"])
    _parquet(geo["pc6"][["pc6", "pc4", "bu_code"]], root / LAYOUT["pc6_nesting"])
    xw = geo["crosswalk"].copy()
    xw["aandeel"] = xw.woningen / xw.groupby("pc6").woningen.transform("sum")
    _parquet(xw, root / LAYOUT["grid_crosswalk"])


class pyogrio_config:
    """Set GDAL config options for the duration of a block."""

    def __init__(self, options: dict):
        self.options = options

    def __enter__(self):
        self.old = {k: pyogrio.get_gdal_config_option(k) for k in self.options}
        pyogrio.set_gdal_config_options(self.options)

    def __exit__(self, *exc):
        pyogrio.set_gdal_config_options(self.old)


def _aggregate_scores(keys: np.ndarray, afw: np.ndarray, dims: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    ok = ~np.isnan(afw) & (w > 0)
    cols = {"afw": afw[ok] * w[ok], "w": w[ok]}
    for j, dname in enumerate(DIMS):
        cols[dname] = dims[ok, j] * w[ok]
    df = pd.DataFrame(cols)
    df["k"] = keys[ok]
    g = df.groupby("k", sort=True).sum()
    out = pd.DataFrame({c: g[c] / g.w for c in ["afw"] + DIMS})
    return out


def _score_table(world: dict, keys_by_pc6: np.ndarray, weights_fn, years, id_col: str,
                 with_afw: bool = True) -> pd.DataFrame:
    parts = []
    for t in years:
        s = world["scores"][t]
        k, w = weights_fn(t)
        dims = s[DIMS].to_numpy()
        if keys_by_pc6 is None:
            agg = s.assign(k=k)[lambda d: ~d.afw.isna() & (w > 0)].set_index("k")[["afw"] + DIMS]
        else:
            agg = _aggregate_scores(k, s.afw.to_numpy()[keys_by_pc6], dims[keys_by_pc6], w)
        agg.index.name = id_col
        agg = agg.reset_index()
        agg.insert(1, "jaar", t)
        agg.insert(2, "lbm", agg.afw + LBM_CONSTANT)
        if t == 2016:
            agg[DIMS] = np.nan
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True).sort_values([id_col, "jaar"], kind="stable")
    cols = [id_col, "jaar"] + (SCORE_COLS if with_afw else ["lbm"] + DIMS)
    return out[cols].reset_index(drop=True)


def _write_scores(root: Path, geo: dict, world: dict) -> None:
    pc6, bu, xw = geo["pc6"], geo["buurt"], geo["crosswalk"]
    dw = world["dw"]
    pc6_codes = pc6.pc6.to_numpy()
    pc6_pos = pd.Series(np.arange(len(pc6)), index=pc6.pc6)
    xw_p = pc6_pos.reindex(xw.pc6).to_numpy()
    bu_of = pc6.bu_code.to_numpy()
    wk_of = bu.set_index("bu_code").wk_code.reindex(bu_of).to_numpy()
    gm_of = bu.set_index("bu_code").gm_code.reindex(bu_of).to_numpy()
    idx = np.arange(len(pc6))
    levels = {
        "pc6": ("pc6", None, lambda t: (pc6_codes, dw[t])),
        "grid": ("grid_id", xw_p, lambda t: (xw.grid_id.to_numpy(), np.where(dw[t][xw_p] > 0, xw.woningen.to_numpy(), 0))),
        "pc4": ("PC4", idx, lambda t: (pc6.pc4.astype(int).to_numpy(), dw[t].astype(float))),
        "buurt": ("bu_code", idx, lambda t: (bu_of, dw[t].astype(float))),
        "wijk": ("wk_code", idx, lambda t: (wk_of, dw[t].astype(float))),
        "gemeente": ("gm_code", idx, lambda t: (gm_of, dw[t].astype(float))),
    }
    for level, (id_col, keys, wfn) in levels.items():
        with_afw = level != "grid"  # the real grid file has no afw column
        for years, key in ((YEARS, f"scores_{level}"), ((HIDDEN_YEAR,), f"hidden_{level}")):
            df = _score_table(world, keys, wfn, years, id_col, with_afw)
            path = root / LAYOUT[key]
            if path.suffix == ".parquet":
                _parquet(df, path)
            else:
                _csv(df, path, na_rep="NA")


def _write_area_tables(root: Path, geo: dict, world: dict) -> None:
    pc6, xw = geo["pc6"], geo["crosswalk"]
    dw, hh = world["dw"], world["hh"]
    all_years = YEARS + (HIDDEN_YEAR,)
    pc6_pos = pd.Series(np.arange(len(pc6)), index=pc6.pc6)
    xw_p = pc6_pos.reindex(xw.pc6).to_numpy()
    share = (xw.woningen / xw.groupby("pc6").woningen.transform("sum")).to_numpy()
    w_rows, g_rows, c_rows, i_rows, ig_rows, ic_rows = [], [], [], [], [], []
    for t in all_years:
        w_rows.append(pd.DataFrame({"pc6": pc6.pc6, "jaar": t, "woningen": dw[t], "huishoudens": hh[t]}))
        gdw = dw[t][xw_p] * share
        ghh = hh[t][xw_p] * share
        g = pd.DataFrame({"grid_id": xw.grid_id, "woningen": gdw, "huishoudens": ghh}).groupby("grid_id", sort=True).sum()
        g = g.round().astype(int).reset_index()
        g.insert(1, "jaar", t)
        g_rows.append(g)
        c = pd.DataFrame({"pc4": pc6.pc4.astype(int), "woningen": dw[t], "huishoudens": hh[t]}).groupby("pc4", sort=True).sum().reset_index()
        c.insert(1, "jaar", t)
        c_rows.append(c)
        ind = world["area_ind"][t]
        i_rows.append(pd.concat([pd.DataFrame({"pc6": pc6.pc6, "jaar": t}), ind], axis=1))
        cols = list(ind.columns)
        gi = _wmean_table(xw.grid_id.to_numpy(), ind.to_numpy()[xw_p], gdw, cols, "grid_id")
        gi.insert(1, "jaar", t)
        ig_rows.append(gi)
        ci = _wmean_table(pc6.pc4.astype(int).to_numpy(), ind.to_numpy(), dw[t].astype(float), cols, "pc4")
        ci.insert(1, "jaar", t)
        ic_rows.append(ci)
    _parquet(pd.concat(w_rows, ignore_index=True), root / LAYOUT["woningen_pc6"])
    _parquet(pd.concat(g_rows, ignore_index=True), root / LAYOUT["woningen_grid"])
    _csv(pd.concat(c_rows, ignore_index=True), root / LAYOUT["woningen_pc4"])
    _parquet(pd.concat(i_rows, ignore_index=True), root / LAYOUT["indicators_pc6"])
    _parquet(pd.concat(ig_rows, ignore_index=True).round(3), root / LAYOUT["indicators_grid"])
    _csv(pd.concat(ic_rows, ignore_index=True).round(3), root / LAYOUT["indicators_pc4"], na_rep="NA")


def _wmean_table(keys, values: np.ndarray, w: np.ndarray, cols, id_col) -> pd.DataFrame:
    ok = ~np.isnan(values).any(axis=1) & (w > 0)
    df = pd.DataFrame(values[ok] * w[ok, None], columns=cols)
    df["w"] = w[ok]
    df[id_col] = keys[ok]
    g = df.groupby(id_col, sort=True).sum()
    out = g[cols].div(g.w, axis=0)
    return out.reset_index()


def _write_cbs(root: Path, geo: dict, world: dict) -> None:
    bu, wk, gem = geo["buurt"], geo["wijk"], geo["gemeente"]
    pc6 = geo["pc6"]
    n_b = len(bu)
    b_pos = pd.Series(np.arange(n_b), index=bu.bu_code)
    p_b = b_pos.reindex(pc6.bu_code).to_numpy()
    gm_naam = gem.set_index("gm_code").gm_naam
    for t in YEARS + (HIDDEN_YEAR,):
        by = world["buurt_year"][t].copy()
        by["bu_code"], by["wk_code"], by["gm_code"] = bu.bu_code, bu.wk_code, bu.gm_code
        koop = world["area_ind"][t].koopwoningen_pct.to_numpy()
        w = world["dw"][t].astype(float)
        ok = ~np.isnan(koop) & (w > 0)
        num = np.bincount(p_b[ok], weights=koop[ok] * w[ok], minlength=n_b)
        den = np.bincount(p_b[ok], weights=w[ok], minlength=n_b)
        with np.errstate(invalid="ignore", divide="ignore"):
            by["koop_num"], by["koop_den"] = num, den
        # --- KWB kerncijfers: Land, Gemeente, Wijk, Buurt rows ----------------------------------
        rows = []
        sums = ["a_inw", "a_15_24", "a_hh", "a_woning", "koop_num", "koop_den"]
        for recs, key, names in (("Land", None, None), ("Gemeente", "gm_code", gm_naam),
                                 ("Wijk", "wk_code", wk.set_index("wk_code").wk_naam),
                                 ("Buurt", "bu_code", bu.set_index("bu_code").bu_naam)):
            g = by[sums].sum().to_frame().T.assign(code="NL00") if key is None else \
                by.groupby(key, sort=True)[sums].sum().reset_index().rename(columns={key: "code"})
            g["recs"] = recs
            g["regio"] = "Nederland" if key is None else names.reindex(g.code).to_numpy()
            g["gm_naam"] = "" if key is None else gm_naam.reindex(g.code.str.slice(2, 6).radd("GM")).to_numpy()
            rows.append(g)
        k = pd.concat(rows, ignore_index=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            p_koop = np.round(k.koop_num / k.koop_den)
        kwb = pd.DataFrame({
            "gwb_code": k.code, "regio": k.regio, "gm_naam": k.gm_naam, "recs": k.recs,
            "a_inw": k.a_inw.astype(int), "a_15_24": k.a_15_24.astype(int), "a_hh": k.a_hh.astype(int),
            "a_woning": k.a_woning.astype(int), "p_koopw": p_koop, "p_huurw": 100 - p_koop,
            "a_bedv": np.round(k.a_woning * 0.16).astype(int),
        })
        kwb["p_koopw"] = kwb.p_koopw.astype("Int64")
        kwb["p_huurw"] = kwb.p_huurw.astype("Int64")
        _csv(kwb, root / LAYOUT["kwb"].format(year=t), sep=";", na_rep=".")
        # --- SES-WOA in the CBS 'CSV met statistische symbolen' export ------------------------------
        ses_rows = []
        for key, names in (("gm_code", gm_naam), ("wk_code", wk.set_index("wk_code").wk_naam),
                           ("bu_code", bu.set_index("bu_code").bu_naam)):
            if key == "bu_code":
                g = pd.DataFrame({"code": by.bu_code, "hh": by.a_hh, "ses": by.ses_woa, "spr": by.ses_spreiding})
            else:
                tmp = by.assign(sw=by.ses_woa * by.a_hh, pw=by.ses_spreiding * by.a_hh)
                g = tmp.groupby(key, sort=True)[["sw", "pw", "a_hh"]].sum().reset_index()
                with np.errstate(invalid="ignore", divide="ignore"):
                    g = pd.DataFrame({"code": g[key], "hh": g.a_hh, "ses": np.round(g.sw / g.a_hh, 3),
                                      "spr": np.round(g.pw / g.a_hh, 3)})
            g["naam"] = names.reindex(g.code).to_numpy()
            ses_rows.append(g)
        s = pd.concat(ses_rows, ignore_index=True)
        suppressed = s.hh < 100
        laag = np.clip(np.round(30 - 25 * s.ses.fillna(0), 1), 2, 80)
        hoog = np.clip(np.round(30 + 30 * s.ses.fillna(0), 1), 2, 90)
        _write_seswoa(root / LAYOUT["seswoa"].format(year=t), t, s, suppressed, laag, hoog)


def _fmt(values, fmt: str, width: int, missing) -> list[str]:
    out = []
    for v, m in zip(values, missing):
        text = "." if m else format(v, fmt)
        out.append('"' + text.rjust(width) + '"')
    return out


def _write_seswoa(path: Path, year: int, s: pd.DataFrame, suppressed, laag, hoog) -> None:
    header = ["Perioden", "Wijken en buurten", "Regiocode (gemeente, wijk, buurt) (code)",
              "Particuliere huishoudens (Aantal)", "Opleidingsniveau/Laag/Waarde (%)",
              "Opleidingsniveau/Middelbaar/Waarde (%)", "Opleidingsniveau/Hoog/Waarde (%)",
              "SES-WOA/Totaalscore/Gemiddelde score (Getal)", "Spreiding/Spreiding totaal/Waarde (Getal)"]
    sup = suppressed.to_numpy()
    hh100 = (np.round(s.hh.to_numpy() / 100) * 100).astype(int)
    cols = [
        [f'"{year}"'] * len(s),
        ['"' + str(n).replace('"', "'") + '"' for n in s.naam],
        ['"' + c.ljust(10) + '"' for c in s.code],
        _fmt(hh100, "d", 8, np.zeros(len(s), bool)),
        _fmt(laag, ".1f", 8, sup),
        _fmt(100 - laag - hoog, ".1f", 8, sup),
        _fmt(hoog, ".1f", 8, sup),
        _fmt(s.ses.to_numpy(), ".3f", 8, sup | s.ses.isna().to_numpy()),
        _fmt(s.spr.to_numpy(), ".3f", 8, sup | s.spr.isna().to_numpy()),
    ]
    lines = [";".join('"' + h + '"' for h in header)]
    lines += [";".join(row) for row in zip(*cols)]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


def _write_crime(root: Path, geo: dict, world: dict) -> None:
    gem = geo["gemeente"]
    parts = []
    for t in YEARS + (HIDDEN_YEAR,):
        c = world["crime"][t].copy()
        c.insert(0, "gm_code", gem.gm_code.to_numpy())
        c.insert(1, "jaar", t)
        parts.append(c)
    _csv(pd.concat(parts, ignore_index=True).sort_values(["gm_code", "jaar"]), root / LAYOUT["ondermijning"])
