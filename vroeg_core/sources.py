"""Readers, one per real source format, each with the checks of its source's contract.

Every reader collects *all* problems it finds in a file and raises one :class:`InputError` that names
the file, the column and example rows. Readers return tidy DataFrames with this workbench's column
names (``codes.ID_COLUMN``); they know nothing of the model.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .codes import ID_COLUMN, PATTERNS, matches
from .errors import InputError, Problem, example_rows

SCORE_COLS = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"]
DIMS = ["fys", "onv", "soc", "vrz", "won"]
#: Tolerance for the edition constant lbm - afw (one edition has one constant).
EDITION_TOL = 1e-6
KWB_MISSING = [".", "", "-99999999", "-99999997", "-99999995"]


class Checker:
    """Collects the problems of one file."""

    def __init__(self, path: Path | str):
        self.file = str(path)
        self.problems: list[Problem] = []

    def add(self, column, message, df=None, mask=None) -> None:
        ex = example_rows(df, mask) if df is not None else ""
        self.problems.append(Problem(self.file, column, message, ex))

    def require(self, df: pd.DataFrame, columns) -> bool:
        missing = [c for c in columns if c not in df.columns]
        for c in missing:
            self.add(c, f"required column is missing (columns present: {', '.join(map(str, df.columns[:12]))})")
        return not missing

    def codes(self, df: pd.DataFrame, column: str, kind: str) -> None:
        bad = ~matches(df[column], kind)
        if bad.any():
            self.add(column, f"{int(bad.sum())} codes do not have the form of a {kind} code "
                             f"(expected /{PATTERNS[kind]}/)", df, bad)

    def unique(self, df: pd.DataFrame, keys: list[str]) -> None:
        dup = df.duplicated(keys, keep=False)
        if dup.any():
            self.add(",".join(keys), f"{int(dup.sum())} rows share a key ({', '.join(keys)})", df, dup)

    def numeric(self, df: pd.DataFrame, column: str, lo=None, hi=None) -> None:
        if column not in df.columns:
            return
        raw = df[column]
        val = pd.to_numeric(raw, errors="coerce")
        bad_text = val.isna() & raw.notna()
        if bad_text.any():
            self.add(column, f"{int(bad_text.sum())} values are not numbers", df, bad_text)
        out = pd.Series(False, index=df.index)
        if lo is not None:
            out |= val < lo
        if hi is not None:
            out |= val > hi
        if out.any():
            self.add(column, f"{int(out.sum())} values outside [{lo}, {hi}]", df, out)
        df[column] = val

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def _read_table(path: Path, sep=None, na_values=("NA",), dtype=None) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), None, "file not found")])
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, sep=sep, engine="python" if sep is None else "c", na_values=list(na_values),
                       keep_default_na=False, dtype=dtype, encoding="utf-8-sig")


def _apply_renames(df: pd.DataFrame, rename: dict | None) -> pd.DataFrame:
    return df.rename(columns=rename) if rename else df


# --------------------------------------------------------------------------------------------------
# Leefbaarometer scores
# --------------------------------------------------------------------------------------------------
def read_lbm_scores(path, level: str, id_column: str | None = None, year_column: str = "jaar",
                    rename: dict | None = None) -> pd.DataFrame:
    """Read a Leefbaarometer 3.0 scores file (CSV with ``NA`` or Parquet) at any level.

    Parameters
    ----------
    path
        The file, e.g. ``Leefbaarometer-scores PC4 2002-2022.csv``.
    level
        ``pc6``, ``pc4``, ``grid``, ``buurt``, ``wijk`` or ``gemeente``.
    id_column
        Column with the area code in the file (default: the usual name for the level, e.g. ``PC4``).
    year_column, rename
        Column with the year, and optional renames applied first.

    Returns
    -------
    DataFrame with the level's id column (``codes.ID_COLUMN``), ``jaar`` and ``lbm, afw, fys, onv,
    soc, vrz, won``. When the file has no ``afw`` (the grid file), ``afw`` is derived: the sum of the
    dimensions where they exist, else ``lbm`` minus the edition constant found on the other rows.
    """
    default_ids = {"pc6": ["pc6", "PC6"], "pc4": ["PC4", "pc4"], "grid": ["grid_id"],
                   "buurt": ["bu_code"], "wijk": ["wk_code"], "gemeente": ["gm_code"]}
    df = _apply_renames(_read_table(path, sep=","), rename)
    ck = Checker(path)
    id_col = id_column or next((c for c in default_ids[level] if c in df.columns), default_ids[level][0])
    if not ck.require(df, [id_col, year_column, "lbm"]):
        ck.raise_if_any()
    out_id = ID_COLUMN[level]
    df = df.rename(columns={id_col: out_id, year_column: "jaar"})
    df[out_id] = df[out_id].astype("string").str.strip()
    if level == "pc4":
        df[out_id] = df[out_id].str.replace(r"\.0$", "", regex=True)
    ck.codes(df, out_id, level)
    ck.numeric(df, "jaar", 1990, 2100)
    ck.unique(df, [out_id, "jaar"])
    for c in SCORE_COLS:
        if c in df.columns:
            ck.numeric(df, c, *((0, 10) if c == "lbm" else (-3, 3)))
        elif c != "afw":
            df[c] = np.nan
    ck.raise_if_any()
    if "afw" not in df.columns:
        dims_sum = df[DIMS].sum(axis=1, min_count=5)
        const = (df.lbm - dims_sum).dropna()
        if const.empty:
            ck.add("afw", "no afw column and no rows with all five dimensions to derive it from")
            ck.raise_if_any()
        df["afw"] = dims_sum.fillna(df.lbm - float(const.median()))
    has_both = df.lbm.notna() & df.afw.notna()
    const = (df.lbm - df.afw)[has_both]
    if len(const) and (const.max() - const.min()) > EDITION_TOL:
        c0 = float(const.median())
        off = has_both & ((df.lbm - df.afw - c0).abs() > EDITION_TOL)
        by_year = (df.lbm - df.afw)[has_both].groupby(df.jaar[has_both]).median().round(6).to_dict()
        ck.add("lbm", "mixed Leefbaarometer editions: lbm - afw is not one constant "
                      f"(per year: {by_year}); never mix editions", df, off)
    full = df[DIMS].notna().all(axis=1) & df.afw.notna()
    resid = (df[DIMS].sum(axis=1) - df.afw).abs()
    bad = full & (resid > 1e-6)
    if bad.any():
        ck.add("afw", f"{int(bad.sum())} rows where afw != fys + onv + soc + vrz + won", df, bad)
    ck.raise_if_any()
    df["jaar"] = df.jaar.astype(int)
    return df[[out_id, "jaar"] + SCORE_COLS].reset_index(drop=True)


def lbm_edition_constant(scores: pd.DataFrame) -> float:
    """The edition constant ``lbm - afw`` of a scores table."""
    return float((scores.lbm - scores.afw).median())


# --------------------------------------------------------------------------------------------------
# Area tables: dwellings/households, LBM model indicators, nesting, crosswalk
# --------------------------------------------------------------------------------------------------
def read_area_table(path, level: str, value_ranges: dict[str, tuple], id_column: str | None = None,
                    year_column: str | None = "jaar", rename: dict | None = None,
                    required: list[str] | None = None) -> pd.DataFrame:
    """Read a per-area (per year) table: the level's id, optionally ``jaar``, numeric columns."""
    df = _apply_renames(_read_table(path, sep=","), rename)
    ck = Checker(path)
    out_id = ID_COLUMN[level]
    id_col = id_column or out_id
    need = [id_col] + ([year_column] if year_column else []) + list(required or [])
    if not ck.require(df, need):
        ck.raise_if_any()
    df = df.rename(columns={id_col: out_id} | ({year_column: "jaar"} if year_column else {}))
    df[out_id] = df[out_id].astype("string").str.strip()
    ck.codes(df, out_id, level)
    keys = [out_id] + (["jaar"] if year_column else [])
    ck.unique(df, keys)
    for c, (lo, hi) in value_ranges.items():
        ck.numeric(df, c, lo, hi)
    ck.raise_if_any()
    if year_column:
        df["jaar"] = df.jaar.astype(int)
    return df.reset_index(drop=True)


def read_area_weights(path, level: str, **kw) -> pd.DataFrame:
    """Dwellings (``woningen``) and households (``huishoudens``) per area and year."""
    return read_area_table(path, level, {"woningen": (0, 1e6), "huishoudens": (0, 1e6)},
                           required=["woningen"], **kw)


#: The LBM model indicators that have no public source (DATA.md), with their valid ranges.
AREA_INDICATOR_RANGES = {
    "baanbereikbaarheid": (0, 1000), "koopwoningen_pct": (0, 100), "sociale_cohesie": (-10, 10),
    "hoogbouw_pct": (0, 100), "industrie_pct": (0, 100), "halfverhard_pct": (0, 100),
    "winkels_pct": (0, 100), "leegstand_winkels_pct": (0, 100),
}


def read_area_indicators(path, level: str, **kw) -> pd.DataFrame:
    """The LBM model indicators per area and year (columns as in ``AREA_INDICATOR_RANGES``)."""
    return read_area_table(path, level, AREA_INDICATOR_RANGES, **kw)


def read_pc6_nesting(path) -> pd.DataFrame:
    """PC6 -> PC4 and buurt."""
    df = read_area_table(path, "pc6", {}, year_column=None, required=["bu_code"])
    ck = Checker(path)
    ck.codes(df, "bu_code", "buurt")
    ck.raise_if_any()
    return df


def read_grid_crosswalk(path) -> pd.DataFrame:
    """Grid cell <-> PC6 crosswalk with dwellings per pair; adds ``aandeel`` (share of the PC6)."""
    df = _read_table(path, sep=",")
    ck = Checker(path)
    if not ck.require(df, ["grid_id", "pc6", "woningen"]):
        ck.raise_if_any()
    ck.codes(df, "grid_id", "grid")
    ck.codes(df, "pc6", "pc6")
    ck.unique(df, ["grid_id", "pc6"])
    ck.numeric(df, "woningen", 0, 1e6)
    ck.raise_if_any()
    df["aandeel"] = df.woningen / df.groupby("pc6").woningen.transform("sum")
    return df


# --------------------------------------------------------------------------------------------------
# CBS Kerncijfers wijken en buurten
# --------------------------------------------------------------------------------------------------
KWB_COLUMNS = ["gwb_code", "recs", "a_inw", "a_15_24", "a_hh", "a_woning", "p_koopw"]


def read_kwb(path, rename: dict | None = None) -> pd.DataFrame:
    """CBS Kerncijfers wijken en buurten (CSV with KWB mnemonics, ``;`` or ``,``).

    Missing values ``.`` and the geopackage's ``-99999999`` become NA. Returns one row per region with
    ``gwb_code``, ``recs`` (Land/Gemeente/Wijk/Buurt) and the numeric mnemonics.
    """
    path = Path(path)
    if path.suffix in (".xlsx", ".xls"):
        df = pd.read_excel(path, na_values=KWB_MISSING)
    else:
        df = _read_table(path, sep=None, na_values=KWB_MISSING, dtype={"gwb_code": str})
    df = _apply_renames(df, rename)
    ck = Checker(path)
    if not ck.require(df, KWB_COLUMNS):
        ck.raise_if_any()
    df["gwb_code"] = df.gwb_code.astype("string").str.strip()
    df["recs"] = df.recs.astype("string").str.strip()
    kinds = {"Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}
    for recs, kind in kinds.items():
        sub = df.recs == recs
        bad = sub & ~matches(df.gwb_code, kind)
        if bad.any():
            ck.add("gwb_code", f"{int(bad.sum())} {recs} rows have codes not of the form "
                               f"/{PATTERNS[kind]}/", df, bad)
    unknown = ~df.recs.isin(["Land", *kinds])
    if unknown.any():
        ck.add("recs", "recs must be Land, Gemeente, Wijk or Buurt", df, unknown)
    ck.unique(df, ["gwb_code"])
    for c in ["a_inw", "a_15_24", "a_hh", "a_woning", "a_bedv"]:
        ck.numeric(df, c, 0, 2e7)
    for c in ["p_koopw", "p_huurw"]:
        ck.numeric(df, c, 0, 100)
    more = df.a_15_24 > df.a_inw
    if more.any():
        ck.add("a_15_24", "a_15_24 is a count and cannot exceed a_inw", df, more)
    ck.raise_if_any()
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# CBS SES-WOA ("CSV met statistische symbolen")
# --------------------------------------------------------------------------------------------------
SES_COLUMNS = {
    "Perioden": "jaar",
    "Wijken en buurten": "naam",
    "Regiocode (gemeente, wijk, buurt) (code)": "code",
    "Particuliere huishoudens (Aantal)": "huishoudens",
    "SES-WOA/Totaalscore/Gemiddelde score (Getal)": "ses_woa",
    "Spreiding/Spreiding totaal/Waarde (Getal)": "ses_spreiding",
}


def read_seswoa(path) -> pd.DataFrame:
    """CBS SES-WOA export (``;``, BOM, quoted space-padded values, ``.`` = suppressed).

    Returns ``code, niveau (gemeente/wijk/buurt), naam, jaar, huishoudens, ses_woa, ses_spreiding``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), None, "file not found")])
    df = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    ck = Checker(path)
    if not ck.require(df, list(SES_COLUMNS)):
        ck.raise_if_any()
    df = df[list(SES_COLUMNS)].rename(columns=SES_COLUMNS)
    for c in df.columns:
        df[c] = df[c].str.strip()
    df = df.replace({".": np.nan, "": np.nan})
    df["jaar"] = df.jaar.str.extract(r"(\d{4})", expand=False)
    level = pd.Series(pd.NA, index=df.index, dtype="string")
    for prefix, kind in (("GM", "gemeente"), ("WK", "wijk"), ("BU", "buurt")):
        level = level.mask(matches(df.code, kind), kind)
    df["niveau"] = level
    bad = df.niveau.isna()
    if bad.any():
        ck.add("Regiocode (gemeente, wijk, buurt) (code)", f"{int(bad.sum())} region codes are not "
               "GM####, WK###### or BU########", df, bad)
    ck.unique(df, ["code", "jaar"])
    ck.numeric(df, "jaar", 1990, 2100)
    ck.numeric(df, "huishoudens", 0, 2e7)
    ck.numeric(df, "ses_woa", -5, 5)
    ck.numeric(df, "ses_spreiding", 0, 5)
    ck.raise_if_any()
    df["jaar"] = df.jaar.astype(int)
    return df[["code", "niveau", "naam", "jaar", "huishoudens", "ses_woa", "ses_spreiding"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Zicht op ondermijning (gemeente-year rates; the denominator is part of the column name)
# --------------------------------------------------------------------------------------------------
CRIME_COLUMNS = ["hennep_ontruimingen_per_10k_woningen", "veroordeelde_bedrijven_per_1k_bedrijven",
                 "vermogensdelicten_veroordelingen_per_10k_inwoners"]


def read_ondermijning(path, rename: dict | None = None) -> pd.DataFrame:
    """Undermining-crime rates per gemeente and year."""
    return read_area_table(path, "gemeente", {c: (0, 1e4) for c in CRIME_COLUMNS}, rename=rename,
                           required=CRIME_COLUMNS)


# --------------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------------
def read_gemeente_corop(path) -> pd.DataFrame:
    """Gemeente -> COROP table (``gm_code, gm_naam, corop_code, corop_naam``); every gemeente once."""
    df = _read_table(path, sep=",")
    ck = Checker(path)
    if not ck.require(df, ["gm_code", "corop_code"]):
        ck.raise_if_any()
    ck.codes(df, "gm_code", "gemeente")
    ck.codes(df, "corop_code", "corop")
    ck.unique(df, ["gm_code"])
    ck.raise_if_any()
    return df.reset_index(drop=True)


def read_boundaries(path, layer: str | None = None, code_column: str = "statcode", kind: str | None = None,
                    crs=None, repair: bool = True):
    """Read region polygons (GeoPackage layer or GeoJSON) into EPSG:28992.

    Parameters
    ----------
    code_column, kind
        Column with the region code and the code kind to check (``gemeente``, ``corop``, ...).
    crs
        The file's CRS when it does not state one correctly (the real COROP GeoJSON is RD without a
        ``crs`` member: pass 28992). A CRS that contradicts the coordinates is an error.
    repair
        Repair invalid rings with ``make_valid`` and report how many were repaired (``attrs``).

    Returns
    -------
    GeoDataFrame in EPSG:28992; ``gdf.attrs['repaired']`` counts repaired geometries.
    """
    import geopandas as gpd

    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), None, "file not found")])
    gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    ck = Checker(path if not layer else f"{path} (layer {layer})")
    if crs is not None:
        gdf = gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        ck.add("geometry", "the file states no CRS; set the input's crs in the configuration")
        ck.raise_if_any()
    minx, miny, maxx, maxy = gdf.total_bounds
    if gdf.crs.is_geographic and (abs(minx) > 180 or abs(maxy) > 90):
        ck.add("geometry", f"CRS is {gdf.crs.to_string()} but coordinates ({minx:.0f}, {miny:.0f}) .. "
               f"({maxx:.0f}, {maxy:.0f}) are projected metres (RD?); set crs = 28992 for this input")
        ck.raise_if_any()
    gdf = gdf.to_crs(28992)
    minx, miny, maxx, maxy = gdf.total_bounds
    if minx < -10_000 or maxx > 300_000 or miny < 280_000 or maxy > 640_000:
        ck.add("geometry", f"coordinates ({minx:.0f}, {miny:.0f}) .. ({maxx:.0f}, {maxy:.0f}) in "
               "EPSG:28992 lie outside the Netherlands; is the stated CRS right?")
    if code_column not in gdf.columns:
        ck.add(code_column, f"code column missing (columns: {', '.join(gdf.columns)})")
        ck.raise_if_any()
    gdf[code_column] = gdf[code_column].astype("string").str.strip()
    if kind:
        bad = ~matches(gdf[code_column], kind)
        if bad.any():
            ck.add(code_column, f"{int(bad.sum())} codes are not {kind} codes",
                   pd.DataFrame(gdf.drop(columns="geometry")), bad)
    dup = gdf[code_column].duplicated(keep=False)
    if dup.any():
        ck.add(code_column, f"{int(dup.sum())} rows share a code", pd.DataFrame(gdf.drop(columns="geometry")), dup)
    ck.raise_if_any()
    invalid = ~gdf.geometry.is_valid
    if invalid.any() and repair:
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].make_valid()
    gdf.attrs["repaired"] = int(invalid.sum()) if repair else 0
    return gdf


def read_lbm_wfs(path, code_column: str = "code") -> "pd.DataFrame":
    """Leefbaarometer WFS layer saved as GeoJSON (``code, naam, klasse, afw``, WGS84)."""
    gdf = read_boundaries(path, code_column=code_column, kind=None, crs=4326)
    ck = Checker(path)
    ck.require(gdf, ["afw", "klasse"])
    ck.raise_if_any()
    gdf["afw"] = pd.to_numeric(gdf.afw, errors="coerce")
    return gdf
