import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import shapely

from vroeg_core.codes import matches
from vroeg_core.synth import generate
from vroeg_core.synth.geography import COROP, SCALES, build_geography
from vroeg_core.synth.writers import LAYOUT

from .conftest import make_bundle


def _hashes(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_bundle(small_bundle, tmp_path):
    again = tmp_path / "again"
    generate("small", 11, again)
    a, b = _hashes(small_bundle), _hashes(again)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    other = tmp_path / "other"
    generate("small", 12, other)
    assert _hashes(other)[LAYOUT["scores_pc6"]] != a[LAYOUT["scores_pc6"]]


def test_codes_have_real_forms(small_bundle):
    b = make_bundle(small_bundle)
    bu = b.buurt_table()
    assert matches(bu.bu_code, "buurt").all() and matches(bu.wk_code, "wijk").all()
    assert matches(bu.gm_code, "gemeente").all()
    n = b.pc6_nesting()
    assert matches(n.pc6, "pc6").all() and matches(n.pc4, "pc4").all()
    assert matches(b.grid_crosswalk().grid_id, "grid").all()
    assert b.grid_crosswalk().grid_id.str.fullmatch(r"E\d{4}N\d{4}").all()
    gc = b.gemeente_corop()
    names = dict((c, n) for c, n, _ in COROP)
    assert (gc.corop_naam == gc.corop_code.map(names)).all()


def test_corop_names_are_the_real_ones(real_dir):
    real = pd.read_csv(real_dir / "gemeente_corop_2023_derived.csv")[["corop_code", "corop_naam"]].drop_duplicates()
    ours = pd.DataFrame([(c, n) for c, n, _ in COROP], columns=["corop_code", "corop_naam"])
    merged = ours.merge(real, on="corop_code", suffixes=("", "_real"))
    assert len(merged) == 40
    assert (merged.corop_naam == merged.corop_naam_real).all()


def test_polygons_tile_their_parent_and_nest(small_bundle):
    b = make_bundle(small_bundle)
    layers = {name: b.boundaries(name) for name in ("provincie", "coropgebied", "gemeente", "wijk", "buurt")}
    parent = {"coropgebied": None, "gemeente": ("coropgebied", "corop_code", "statcode"),
              "wijk": ("gemeente", "gm_code", "gm_code"), "buurt": ("wijk", "wk_code", "wk_code")}
    total = layers["provincie"].area.sum()
    for name, gdf in layers.items():
        # no gaps: the areas add up to the country; no overlaps: the union has the same area
        assert gdf.area.sum() == pytest.approx(total)
        assert shapely.union_all(gdf.geometry.values).area == pytest.approx(total)
        if parent.get(name):
            pname, key, pkey = parent[name]
            p = layers[pname].set_index(pkey)
            sums = gdf.groupby(key).geometry.apply(lambda g: g.area.sum())
            assert np.allclose(sums.sort_index(), p.area.reindex(sums.sort_index().index))
            inside = shapely.within(gdf.geometry.representative_point().values,
                                   p.geometry.reindex(gdf[key]).values)
            assert inside.all()


def test_crosswalk_shares_sum_to_one_and_cells_lie_in_their_buurt(small_bundle):
    b = make_bundle(small_bundle)
    xw = b.grid_crosswalk()
    assert np.allclose(xw.groupby("pc6").aandeel.sum(), 1.0)
    w = b.weights("pc6")
    last = w[w.jaar == 2024].set_index("pc6").woningen
    assert (xw.groupby("pc6").woningen.sum().reindex(last.index) == last).all()
    nest = b.nesting("grid")
    cells = b.boundaries("buurt").set_index("bu_code")
    xy = nest.grid_id.str.extract(r"E(\d+)N(\d+)").astype(int) * 100 + 50
    pts = shapely.points(xy[0].to_numpy(), xy[1].to_numpy())
    assert shapely.within(pts, cells.geometry.reindex(nest.bu_code).values).all()


def test_scores_aggregate_consistently(small_bundle):
    b = make_bundle(small_bundle)
    pc6 = b.scores("pc6")
    w = b.weights("pc6")
    d = pc6.merge(w, on=["pc6", "jaar"]).merge(b.pc6_nesting(), on="pc6")
    d = d[d.jaar == 2018]
    agg = (d.afw * d.woningen).groupby(d.bu_code).sum() / d.woningen.groupby(d.bu_code).sum()
    bu = b.scores("buurt")
    bu = bu[bu.jaar == 2018].set_index("bu_code").afw
    assert np.allclose(agg.sort_index(), bu.reindex(agg.sort_index().index))
    # dimensions sum to afw; 2016 has total only; lbm - afw is one constant
    assert pc6[pc6.jaar == 2016].fys.isna().all()
    full = pc6.dropna()
    assert np.allclose(full[["fys", "onv", "soc", "vrz", "won"]].sum(axis=1), full.afw)
    assert (pc6.lbm - pc6.afw).round(9).nunique() == 1
    assert set(pc6.jaar) == {2014, 2016, 2018, 2020, 2022}
    assert set(b.scores("pc6", hidden=True).jaar) == {2024}


def test_seswoa_written_like_the_cbs_export(small_bundle):
    raw = (small_bundle / LAYOUT["seswoa"].format(year=2018)).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf\"Perioden\";")
    line = raw.decode("utf-8-sig").splitlines()[1]
    assert line.count(";") == 8 and '"GM' in line and line.split(";")[2].endswith('    "')
    assert '"       ."' in raw.decode("utf-8-sig")  # suppressed small buurten


def test_truth_is_recorded(small_bundle):
    truth = json.loads((small_bundle / "truth.json").read_text())
    assert truth["unit"] == "pc6" and len(truth["coefficients"]) == 22
    assert truth["periods"]["2020"] == {"start_year": 2014, "base_year": 2018}


def test_national_geography_has_the_real_country_size():
    geo = build_geography(SCALES["national"], np.random.default_rng(2024))
    assert len(geo["provincie"]) == 12 and len(geo["corop"]) == 40
    assert 330 <= len(geo["gemeente"]) <= 350
    assert 3000 <= len(geo["wijk"]) <= 3600
    assert 13_000 <= len(geo["buurt"]) <= 14_000
    assert 430_000 <= len(geo["pc6"]) <= 470_000
    assert 350_000 <= geo["crosswalk"].grid_id.nunique() <= 410_000
    assert geo["pc6"].woningen.sum() == 8_000_000
    sizes = geo["gemeente"].woningen
    assert sizes.max() == 450_000 and sizes.min() < 3_000
