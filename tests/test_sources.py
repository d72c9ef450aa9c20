"""Every reader on its real file (../shared/data/real) and on malformed copies."""
import subprocess
import sys

import pandas as pd
import pytest

from vroeg_core import sources as src
from vroeg_core.errors import InputError
from vroeg_core.synth.writers import LAYOUT

from .conftest import make_bundle


def test_real_pc4_scores(real_dir):
    df = src.read_lbm_scores(real_dir / "lbm3_scores_pc4_2002_2022.csv", "pc4")
    assert len(df) == 32_300 and df.pc4.nunique() == 4_058
    assert sorted(df.jaar.unique()) == [2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022]
    assert src.lbm_edition_constant(df) == pytest.approx(4.102265, abs=1e-6)
    assert df[df.jaar == 2016].fys.isna().all() and df[df.jaar == 2018].fys.notna().any()


def _write_csv(df, path):
    df.to_csv(path, index=False, na_rep="NA")
    return path


def test_malformed_pc4_scores_name_file_column_and_rows(real_dir, tmp_path):
    d = pd.read_csv(real_dir / "lbm3_scores_pc4_2002_2022.csv", keep_default_na=False, na_values=["NA"])
    bad = d.copy()
    bad.loc[3, "PC4"] = 123  # 3 digits
    bad.loc[10, "afw"] = 7.5  # out of range
    bad = pd.concat([bad, bad.iloc[[20]]])  # duplicate key
    p = _write_csv(bad, tmp_path / "scores.csv")
    with pytest.raises(InputError) as exc:
        src.read_lbm_scores(p, "pc4")
    text = str(exc.value)
    assert str(p) in text
    assert "column 'pc4'" in text and "123" in text
    assert "column 'afw'" in text and "outside" in text
    assert "share a key" in text
    assert len(exc.value.problems) >= 3  # all problems, not only the first
    renamed = _write_csv(d.rename(columns={"lbm": "LBM"}), tmp_path / "renamed.csv")
    with pytest.raises(InputError, match="column 'lbm': required column is missing"):
        src.read_lbm_scores(renamed, "pc4")
    # renames in the configuration repair it
    assert len(src.read_lbm_scores(renamed, "pc4", rename={"LBM": "lbm"})) == len(d)


def test_mixed_editions_are_refused(real_dir, tmp_path):
    d = pd.read_csv(real_dir / "lbm3_scores_pc4_2002_2022.csv", keep_default_na=False, na_values=["NA"])
    m = d.jaar == 2022
    d.loc[m, "lbm"] = d.loc[m, "afw"] + 4.0456  # the meting-2024 constant
    p = _write_csv(d, tmp_path / "mixed.csv")
    with pytest.raises(InputError, match="mixed Leefbaarometer editions"):
        src.read_lbm_scores(p, "pc4")


def test_real_seswoa_export(real_dir):
    df = src.read_seswoa(real_dir / "ses_woa_85163NED_2019_amsterdam.csv")
    assert len(df) == 579
    assert df.niveau.value_counts().to_dict() == {"buurt": 479, "wijk": 99, "gemeente": 1}
    bu = df[df.niveau == "buurt"]
    assert bu.ses_woa.between(-1.5, 1.0).all() or bu.ses_woa.isna().any()
    assert df.loc[df.code == "BU03630000", "ses_woa"].item() == pytest.approx(0.045)
    assert df.loc[df.code == "GM0363", "huishoudens"].item() == 457_400
    assert bu.ses_woa.isna().sum() > 0 and bu.ses_spreiding.dropna().between(0.3, 1.4).all()


def test_malformed_seswoa(real_dir, tmp_path):
    text = (real_dir / "ses_woa_85163NED_2019_amsterdam.csv").read_text(encoding="utf-8-sig")
    bad = text.replace('"BU03630001"', '"XX03630001"').replace('"  -0.110"', '"   abc  "')
    p = tmp_path / "ses.csv"
    p.write_text("\ufeff" + bad, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        src.read_seswoa(p)
    msg = str(exc.value)
    assert "Regiocode" in msg and "XX03630001" in msg
    assert "ses_woa" in msg and "not numbers" in msg
    p.write_text(text.replace("SES-WOA/Totaalscore/Gemiddelde score (Getal)", "SES/Totaal"), encoding="utf-8")
    with pytest.raises(InputError, match="required column is missing"):
        src.read_seswoa(p)


def test_real_corop_needs_its_crs(real_dir):
    with pytest.raises(InputError, match="set crs = 28992"):
        src.read_boundaries(real_dir / "corop_2023_rd.geojson", kind="corop")
    gdf = src.read_boundaries(real_dir / "corop_2023_rd.geojson", kind="corop", crs=28992)
    assert len(gdf) == 40 and gdf.crs.to_epsg() == 28992
    assert sorted(gdf.statcode) == [f"CR{i:02d}" for i in range(1, 41)]


@pytest.mark.parametrize("name,n,repaired", [("gemeente_2023_wgs84.geojson", 342, 5),
                                              ("gemeente_2022_wgs84.geojson", 345, None)])
def test_real_gemeenten_with_rings_repaired(real_dir, name, n, repaired):
    gdf = src.read_boundaries(real_dir / name, kind="gemeente")
    assert len(gdf) == n and gdf.crs.to_epsg() == 28992
    assert gdf.geometry.is_valid.all()
    if repaired is not None:
        assert gdf.attrs["repaired"] == repaired


def test_real_gemeente_corop_joined_to_boundaries(real_dir):
    gc = src.read_gemeente_corop(real_dir / "gemeente_corop_2023_derived.csv")
    assert len(gc) == 342 and gc.corop_code.nunique() == 40
    corop = src.read_boundaries(real_dir / "corop_2023_rd.geojson", kind="corop", crs=28992)
    gem = src.read_boundaries(real_dir / "gemeente_2023_wgs84.geojson", kind="gemeente")
    j = gem.merge(gc, left_on="statcode", right_on="gm_code", how="left")
    assert j.corop_code.notna().all()
    assert set(j.corop_code) == set(corop.statcode)
    assert not gc.gm_code.duplicated().any()  # every gemeente in exactly one region


def test_malformed_gemeente_corop(real_dir, tmp_path):
    d = pd.read_csv(real_dir / "gemeente_corop_2023_derived.csv")
    d.loc[0, "corop_code"] = "CR1"
    d = pd.concat([d, d.iloc[[5]]])
    p = tmp_path / "gc.csv"
    d.to_csv(p, index=False)
    with pytest.raises(InputError) as exc:
        src.read_gemeente_corop(p)
    assert "corop_code" in str(exc.value) and "share a key" in str(exc.value)


def test_real_utrecht_buurten_classes(real_dir):
    from vroeg_core.scale import ClassScale
    gdf = src.read_lbm_wfs(real_dir / "lbm_2024_buurten_utrecht_wfs.geojson")
    assert len(gdf) == 842 and gdf.crs.to_epsg() == 28992
    assert gdf.code.str.fullmatch(r"BU\d{8}").all()
    assert (ClassScale().classify(gdf.afw.to_numpy()) == gdf.klasse.to_numpy()).mean() == 1.0


def test_kwb_and_crime_and_area_tables(small_bundle, tmp_path):
    b = make_bundle(small_bundle)
    k = b.kwb(2018)
    assert set(k.recs) == {"Land", "Gemeente", "Wijk", "Buurt"}
    assert k.loc[k.recs == "Land", "a_woning"].item() == k.loc[k.recs == "Buurt", "a_woning"].sum()
    raw = pd.read_csv(small_bundle / LAYOUT["kwb"].format(year=2018), sep=";", dtype=str, keep_default_na=False)
    raw.loc[5, "p_koopw"] = "140"
    raw.loc[6, "a_15_24"] = str(int(raw.loc[6, "a_inw"]) + 10)
    p = tmp_path / "kwb.csv"
    raw.to_csv(p, sep=";", index=False)
    with pytest.raises(InputError) as exc:
        src.read_kwb(p)
    assert "p_koopw" in str(exc.value) and "cannot exceed a_inw" in str(exc.value)
    o = b.ondermijning()
    assert {"hennep_ontruimingen_per_10k_woningen"} <= set(o.columns)


def test_check_reports_every_problem_and_cli_exits_nonzero(copy_bundle):
    # break three different files
    p = copy_bundle / LAYOUT["scores_buurt"]
    d = pd.read_csv(p)
    d.loc[0, "bu_code"] = "BU12"
    d.to_csv(p, index=False)
    p = copy_bundle / LAYOUT["ondermijning"]
    d = pd.read_csv(p).rename(columns={"veroordeelde_bedrijven_per_1k_bedrijven": "veroordeelde_bedrijven"})
    d.to_csv(p, index=False)
    p = copy_bundle / LAYOUT["woningen_pc4"]
    d = pd.read_csv(p)
    d.loc[0, "woningen"] = -5
    d.to_csv(p, index=False)
    problems = make_bundle(copy_bundle).check()
    files = {pr.file.split("/")[-1] for pr in problems}
    assert {"Leefbaarometer-scores buurten 2014-2022.csv", "ondermijning-gemeenten.csv", "woningen pc4.csv"} <= files
    r = subprocess.run([sys.executable, "-m", "vroeg_core.cli", "check", "--data", str(copy_bundle)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "problem(s)" in r.stderr and "BU12" in r.stderr


def test_check_passes_on_generated_bundle(small_bundle):
    assert make_bundle(small_bundle).check() == []
