"""Made-up Dutch geography: provinces, COROP regions, gemeenten, wijken, buurten, PC6 areas and
100 m grid cells, all in EPSG:28992 and aligned to the 100 m grid.

Every level is a set of axis-parallel rectangles that tiles its parent exactly (a treemap of the
parent's rectangle), so nesting, gap-free tiling and non-overlap hold by construction and can be
tested. Dwellings are spread over the inhabited cells of each buurt and cut into PC6 areas along a
stream of addresses; a PC6 area that straddles two cells gives the dwelling-share crosswalk.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# (code, name, province code) of the 40 real COROP regions; provinces with their CBS codes.
PROVINCES = {
    "PV20": "Groningen", "PV21": "Fryslân", "PV22": "Drenthe", "PV23": "Overijssel",
    "PV24": "Flevoland", "PV25": "Gelderland", "PV26": "Utrecht", "PV27": "Noord-Holland",
    "PV28": "Zuid-Holland", "PV29": "Zeeland", "PV30": "Noord-Brabant", "PV31": "Limburg",
}
COROP = [
    ("CR01", "Oost-Groningen", "PV20"), ("CR02", "Delfzijl en omgeving", "PV20"),
    ("CR03", "Overig Groningen", "PV20"), ("CR04", "Noord-Friesland", "PV21"),
    ("CR05", "Zuidwest-Friesland", "PV21"), ("CR06", "Zuidoost-Friesland", "PV21"),
    ("CR07", "Noord-Drenthe", "PV22"), ("CR08", "Zuidoost-Drenthe", "PV22"),
    ("CR09", "Zuidwest-Drenthe", "PV22"), ("CR10", "Noord-Overijssel", "PV23"),
    ("CR11", "Zuidwest-Overijssel", "PV23"), ("CR12", "Twente", "PV23"),
    ("CR13", "Veluwe", "PV25"), ("CR14", "Achterhoek", "PV25"),
    ("CR15", "Arnhem/Nijmegen", "PV25"), ("CR16", "Zuidwest-Gelderland", "PV25"),
    ("CR17", "Utrecht", "PV26"), ("CR18", "Kop van Noord-Holland", "PV27"),
    ("CR19", "Alkmaar en omgeving", "PV27"), ("CR20", "IJmond", "PV27"),
    ("CR21", "Agglomeratie Haarlem", "PV27"), ("CR22", "Zaanstreek", "PV27"),
    ("CR23", "Groot-Amsterdam", "PV27"), ("CR24", "Het Gooi en Vechtstreek", "PV27"),
    ("CR25", "Agglomeratie Leiden en Bollenstreek", "PV28"),
    ("CR26", "Agglomeratie 's-Gravenhage", "PV28"), ("CR27", "Delft en Westland", "PV28"),
    ("CR28", "Oost-Zuid-Holland", "PV28"), ("CR29", "Groot-Rijnmond", "PV28"),
    ("CR30", "Zuidoost-Zuid-Holland", "PV28"), ("CR31", "Zeeuwsch-Vlaanderen", "PV29"),
    ("CR32", "Overig Zeeland", "PV29"), ("CR33", "West-Noord-Brabant", "PV30"),
    ("CR34", "Midden-Noord-Brabant", "PV30"), ("CR35", "Noordoost-Noord-Brabant", "PV30"),
    ("CR36", "Zuidoost-Noord-Brabant", "PV30"), ("CR37", "Noord-Limburg", "PV31"),
    ("CR38", "Midden-Limburg", "PV31"), ("CR39", "Zuid-Limburg", "PV31"),
    ("CR40", "Flevoland", "PV24"),
]
#: Regions the seed names as high-risk (periphery, southern Randstad, Flevoland) and shrinking ones.
PERIPHERY = {"CR01", "CR02", "CR08", "CR14", "CR31", "CR39", "CR37", "CR38", "CR04"}
SOUTH_RANDSTAD = {"CR26", "CR27", "CR29", "CR30", "CR40"}
SHRINKING = {"CR01", "CR02", "CR14", "CR31", "CR39"}
#: Big cities: (COROP, dwellings at national scale).
BIG_CITIES = [("CR23", 450_000), ("CR29", 330_000), ("CR26", 270_000), ("CR17", 170_000),
              ("CR03", 120_000)]


@dataclass(frozen=True)
class Scale:
    """Size of a synthetic country."""

    name: str
    corop: tuple[str, ...]
    n_gemeenten: int
    dwellings: int
    buurt_factor: float  # buurten per gemeente = buurt_factor * dwellings ** 0.8
    box: tuple[int, int, int, int]  # country rectangle in 100 m cells (x0, y0, x1, y1)


SCALES = {
    "small": Scale("small", ("CR01", "CR02", "CR03", "CR07"), 20, 230_000, 0.0185,
                   (2000, 5400, 2700, 6100)),
    "medium": Scale("medium", ("CR01", "CR02", "CR03", "CR04", "CR05", "CR06", "CR07", "CR08",
                               "CR09", "CR29"), 64, 1_300_000, 0.0181, (1500, 4000, 2700, 6100)),
    "national": Scale("national", tuple(c for c, _, _ in COROP), 342, 8_000_000, 0.01375,
                      (1100, 3100, 2700, 6200)),
}


def treemap(rect: tuple[int, int, int, int], weights: np.ndarray) -> np.ndarray:
    """Split an integer rectangle into ``len(weights)`` rectangles with areas roughly proportional
    to ``weights``, by recursive binary cuts along the longer side.

    Returns an array of shape (n, 4) with (x0, y0, x1, y1); the pieces tile ``rect`` exactly.
    """
    w = np.asarray(weights, dtype=float)
    out = np.zeros((len(w), 4), dtype=np.int64)
    stack = [(rect, 0, len(w))]
    cums = np.concatenate([[0.0], np.cumsum(w)])
    while stack:
        (x0, y0, x1, y1), lo, hi = stack.pop()
        if hi - lo == 1:
            out[lo] = (x0, y0, x1, y1)
            continue
        total = cums[hi] - cums[lo]
        # split the list where the cumulative weight is closest to half
        mid = int(np.searchsorted(cums[lo + 1:hi], cums[lo] + total / 2)) + lo + 1
        mid = min(max(mid, lo + 1), hi - 1)
        frac = (cums[mid] - cums[lo]) / total
        n_left, n_right = mid - lo, hi - mid
        if (x1 - x0) >= (y1 - y0):
            length, other = x1 - x0, y1 - y0
        else:
            length, other = y1 - y0, x1 - x0
        # each side needs at least as many cells as pieces it must hold
        need_l = -(-n_left // other)
        need_r = -(-n_right // other)
        cut = int(round(frac * length))
        cut = min(max(cut, need_l), length - need_r)
        if cut < need_l:
            raise ValueError("rectangle too small for the number of pieces")
        if (x1 - x0) >= (y1 - y0):
            stack.append(((x0, y0, x0 + cut, y1), lo, mid))
            stack.append(((x0 + cut, y0, x1, y1), mid, hi))
        else:
            stack.append(((x0, y0, x1, y0 + cut), lo, mid))
            stack.append(((x0, y0 + cut, x1, y1), mid, hi))
    return out


def _split_counts(rng, total: int, n: int, sigma: float, minimum: int = 0) -> np.ndarray:
    """Split an integer total into n heavy-tailed parts, each >= minimum."""
    if n == 1:
        return np.array([total])
    w = rng.lognormal(0.0, sigma, n)
    base = np.full(n, minimum)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total too small")
    parts = np.floor(w / w.sum() * rest).astype(np.int64)
    parts[np.argsort(-w)[: rest - parts.sum()]] += 1
    return base + parts


def build_geography(scale: Scale, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Generate the region hierarchy, PC6 areas, grid cells and the PC6-grid crosswalk.

    Returns
    -------
    dict of DataFrames: ``provincie``, ``corop``, ``gemeente``, ``wijk``, ``buurt`` (each with the
    rectangle ``x0, y0, x1, y1`` in 100 m cells and its parent codes), ``pc6`` (pc6, pc4, bu_code,
    first dwellings) and ``crosswalk`` (grid_id, pc6, dwellings).
    """
    corop = pd.DataFrame(COROP, columns=["corop_code", "corop_naam", "pv_code"])
    corop = corop[corop.corop_code.isin(scale.corop)].reset_index(drop=True)
    corop["pv_naam"] = corop.pv_code.map(PROVINCES)
    f = scale.dwellings / 8_000_000

    # gemeenten: at least one per COROP, big cities where they belong, heavy-tailed sizes
    n_g = scale.n_gemeenten
    sizes = rng.lognormal(np.log(12_000), 0.85, n_g)
    g_corop = np.concatenate([corop.corop_code.to_numpy(),
                              rng.choice(corop.corop_code.to_numpy(), n_g - len(corop))])
    cities = [(c, d * f ** 0.5) for c, d in BIG_CITIES if c in set(scale.corop)]
    is_city = np.zeros(n_g, dtype=bool)
    for i, (c, d) in enumerate(cities):
        j = int(np.flatnonzero(g_corop == c)[0])
        sizes[j] = d
        is_city[j] = True
    free = ~is_city
    sizes[free] *= (scale.dwellings - sizes[is_city].sum()) / sizes[free].sum()
    sizes = np.maximum(np.round(sizes), 400).astype(np.int64)
    sizes[np.argmax(np.where(free, sizes, -1))] += scale.dwellings - sizes.sum()
    gem = pd.DataFrame({"corop_code": g_corop, "woningen": sizes, "is_stad": is_city})
    gem = gem.merge(corop, on="corop_code", how="left")
    gem = gem.sort_values(["pv_code", "corop_code", "woningen"], ascending=[True, True, False],
                          kind="stable").reset_index(drop=True)
    # real-looking, unique gemeente numbers, ordered within province
    numbers = np.sort(rng.choice(np.arange(3, 1990), n_g, replace=False))
    gem["gm_code"] = [f"GM{n:04d}" for n in numbers]
    gem["gm_naam"] = [f"{_name(rng)}" for _ in range(n_g)]
    gem["gm_naam"] = _dedupe(gem["gm_naam"])
    gem["n_buurten"] = np.maximum(2, np.round(scale.buurt_factor * gem.woningen ** 0.8)).astype(int)
    # CBS codes have two digits for the wijk within the gemeente and two for the buurt within the wijk
    gem["n_wijken"] = np.clip(np.round(gem.n_buurten / 4.1), 1, 99).astype(int)
    gem["n_buurten"] = np.minimum(gem.n_buurten, 99 * gem.n_wijken)

    # rectangles: country -> provinces -> COROP -> gemeenten (area weight grows slower than size)
    gem["area_w"] = gem.woningen ** 0.55 * np.where(gem.is_stad, 0.6, 1.0)
    pv = gem.groupby("pv_code", sort=True).area_w.sum()
    pv_rect = dict(zip(pv.index, treemap(scale.box, pv.to_numpy())))
    rect = {}
    for p, cr in gem.groupby("pv_code", sort=True):
        cw = cr.groupby("corop_code", sort=True).area_w.sum()
        for c, r in zip(cw.index, treemap(tuple(pv_rect[p]), cw.to_numpy())):
            rect[c] = r
    gem_rect = np.zeros((n_g, 4), dtype=np.int64)
    for c, idx in gem.groupby("corop_code", sort=True).groups.items():
        idx = np.asarray(idx)
        gem_rect[idx] = treemap(tuple(rect[c]), gem.loc[idx, "area_w"].to_numpy())
    gem[["x0", "y0", "x1", "y1"]] = gem_rect
    corop_rect = np.array([rect[c] for c in corop.corop_code])
    corop[["x0", "y0", "x1", "y1"]] = corop_rect
    prov = pd.DataFrame({"pv_code": list(pv.index), "pv_naam": [PROVINCES[p] for p in pv.index]})
    prov[["x0", "y0", "x1", "y1"]] = np.array([pv_rect[p] for p in pv.index])

    # wijken and buurten inside each gemeente
    wk_rows, bu_rows = [], []
    for g in gem.itertuples(index=False):
        gnum = g.gm_code[2:]
        bu_dw = _split_counts(rng, int(g.woningen), int(g.n_buurten), 1.0, minimum=0)
        # a few buurten without dwellings (business parks, nature)
        empty = rng.random(g.n_buurten) < 0.03
        if empty.all():
            empty[0] = False
        moved = bu_dw[empty].sum()
        bu_dw[empty] = 0
        bu_dw[np.argmax(bu_dw)] += moved
        wk_of_bu = np.sort(rng.integers(0, g.n_wijken, g.n_buurten))
        wk_of_bu[: g.n_wijken] = np.arange(g.n_wijken) if g.n_buurten >= g.n_wijken else wk_of_bu[: g.n_wijken]
        wk_of_bu = np.sort(wk_of_bu)
        wk_ids = np.unique(wk_of_bu)
        wk_dw = np.array([bu_dw[wk_of_bu == w].sum() for w in wk_ids])
        wk_w = (wk_dw + 300.0) ** 0.5
        wk_r = treemap((g.x0, g.y0, g.x1, g.y1), wk_w)
        for k, w in enumerate(wk_ids):
            wk_code = f"WK{gnum}{k:02d}"
            wk_rows.append((wk_code, f"Wijk {k:02d} {g.gm_naam}", g.gm_code, *wk_r[k]))
            members = np.flatnonzero(wk_of_bu == w)
            b_w = (bu_dw[members] + 60.0) ** 0.5 * rng.lognormal(0, 0.3, len(members))
            b_r = treemap(tuple(wk_r[k]), b_w)
            for j, m in enumerate(members):
                bu_rows.append((f"BU{gnum}{k:02d}{j:02d}", f"{_name(rng)}", wk_code, g.gm_code,
                                int(bu_dw[m]), *b_r[j]))
    wijk = pd.DataFrame(wk_rows, columns=["wk_code", "wk_naam", "gm_code", "x0", "y0", "x1", "y1"])
    buurt = pd.DataFrame(bu_rows, columns=["bu_code", "bu_naam", "wk_code", "gm_code", "woningen",
                                           "x0", "y0", "x1", "y1"])
    buurt["bu_naam"] = _dedupe(buurt["bu_naam"])

    pc6, crosswalk = _areas(buurt, gem, rng)
    return {"provincie": prov, "corop": corop, "gemeente": gem, "wijk": wijk, "buurt": buurt,
            "pc6": pc6, "crosswalk": crosswalk}


def _areas(buurt: pd.DataFrame, gem: pd.DataFrame, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inhabited cells per buurt, dwellings per cell, PC6 areas cut from the address stream."""
    cell_x, cell_y, cell_dw, pc6_buurt, pc6_size = [], [], [], [], []
    for b in buurt.itertuples(index=False):
        d = b.woningen
        if d == 0:
            continue
        w, h = b.x1 - b.x0, b.y1 - b.y0
        a = w * h
        density = rng.lognormal(np.log(15.5), 0.6) * (1 + d / 1500)
        n = int(min(a, max(1, np.ceil(d / density)), d))
        start = int(rng.integers(0, a - n + 1))
        idx = np.arange(start, start + n)
        cell_x.append(b.x0 + idx % w)
        cell_y.append(b.y0 + idx // w)
        cell_dw.append(1 + rng.multinomial(d - n, np.full(n, 1.0 / n)))
        n_p = int(max(1, min(d, round(d / 17.8))))
        cuts = np.sort(rng.choice(np.arange(1, d), n_p - 1, replace=False)) if n_p > 1 else np.array([], int)
        pc6_size.append(np.diff(np.concatenate([[0], cuts, [d]])))
        pc6_buurt.append(np.full(n_p, b.bu_code, dtype=object))
    cx, cy, cdw = np.concatenate(cell_x), np.concatenate(cell_y), np.concatenate(cell_dw)
    psize = np.concatenate(pc6_size)
    pbu = np.concatenate(pc6_buurt)
    # intersect the two partitions of the address stream (cells and PC6 areas are both cut from it)
    c_end = np.cumsum(cdw)
    p_end = np.cumsum(psize)
    bounds = np.union1d(c_end, p_end)
    seg_start = np.concatenate([[0], bounds[:-1]])
    seg_len = bounds - seg_start
    cell_of = np.searchsorted(c_end, seg_start, side="right")
    pc6_of = np.searchsorted(p_end, seg_start, side="right")

    # codes: PC4 = consecutive runs of ~110 PC6 areas inside a gemeente
    gm_of = pd.Series(pbu).str.slice(2, 6).to_numpy()
    pc4_num = np.empty(len(psize), dtype=np.int64)
    letter = np.empty(len(psize), dtype=np.int64)
    next_pc4 = 1000
    order_gm = pd.unique(gm_of)
    for g in order_gm:
        ii = np.flatnonzero(gm_of == g)
        k = np.arange(len(ii))
        chunk = max(1, int(rng.integers(80, 140)))
        pc4_num[ii] = next_pc4 + k // chunk
        letter[ii] = k % chunk
        next_pc4 += -(-len(ii) // chunk) + int(rng.integers(0, 3))
    if next_pc4 > 9999:
        raise ValueError("ran out of PC4 numbers")
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    pc4 = pd.Series(pc4_num).astype(str)
    pc6_code = pc4 + pd.Series(alphabet[letter // 26]) + pd.Series(alphabet[letter % 26])
    pc6 = pd.DataFrame({"pc6": pc6_code.to_numpy(), "pc4": pc4.to_numpy(), "bu_code": pbu,
                        "woningen": psize})
    gid = pd.Series(["E"] * len(cx)) + pd.Series(cx).astype(str) + "N" + pd.Series(cy).astype(str)
    crosswalk = pd.DataFrame({"grid_id": gid.to_numpy()[cell_of], "pc6": pc6.pc6.to_numpy()[pc6_of],
                              "woningen": seg_len})
    return pc6, crosswalk


_SYL1 = ["Aal", "Berg", "Bos", "Broek", "Dal", "Dijk", "Eik", "Elst", "Gaast", "Heem", "Hol", "Horn",
         "Hoog", "Kerk", "Laar", "Lin", "Mar", "Nieuw", "Oost", "Oud", "Ree", "Rijn", "Sloot", "Steen",
         "Ter", "Veen", "Vliet", "Wes", "Wold", "Zand", "Zee", "Zuid", "Noord", "Gras", "Molen"]
_SYL2 = ["dam", "dijk", "horst", "hoven", "huizen", "kamp", "kerk", "lo", "meer", "oord", "rode",
         "sum", "veld", "vliet", "voort", "wijk", "wold", "zijl", "burg", "broek", "haven", "beek"]


def _name(rng) -> str:
    return _SYL1[int(rng.integers(len(_SYL1)))] + _SYL2[int(rng.integers(len(_SYL2)))]


def _dedupe(names: pd.Series) -> pd.Series:
    k = names.groupby(names).cumcount()
    return names.where(k == 0, names + " " + (k + 1).astype(str))
