import numpy as np
import pandas as pd
import pytest

from vroeg_core.scale import CLASS_NAMES, DEFAULT_EDGES, ClassScale


def test_derived_thresholds_match_data_md():
    s = ClassScale()
    assert s.weak_upper == -0.1640
    assert s.halfway_voldoende == pytest.approx(-0.1335)
    assert s.halfway_ruim_voldoende == pytest.approx(-0.046425)
    assert s.halfway_zwak == pytest.approx(-0.22275)
    assert s.lower_goed == pytest.approx(0.01015)


def test_classify_edges_belong_to_upper_class_and_nan_is_zero():
    s = ClassScale()
    scores = np.array([-1.0, -0.428, -0.4281, -0.1640, -0.16401, 0.16796, 0.5, np.nan])
    assert s.classify(scores).tolist() == [1, 2, 1, 5, 4, 9, 9, 0]
    assert s.is_weak_or_lower(np.array([-0.1641, -0.1640])).tolist() == [True, False]
    assert s.class_name(5) == "voldoende"
    assert list(s.class_name(np.array([4, 9]))) == ["zwak", "uitstekend"]


def test_edges_must_increase_and_be_eight():
    with pytest.raises(ValueError):
        ClassScale((0.1,) * 8)
    with pytest.raises(ValueError):
        ClassScale(DEFAULT_EDGES[:7])


def test_table_has_dutch_names_and_colours():
    t = ClassScale().table()
    assert list(t.naam) == list(CLASS_NAMES)
    assert t.kleur.iloc[0] == "#cf783f" and t.kleur.iloc[-1] == "#3b5941"


def test_default_table_reproduces_official_classes(real_dir):
    d = pd.read_csv(real_dir / "lbm_2024_klassen_buurt_gemeente_extract.csv")
    got = ClassScale().classify(d.afw.to_numpy())
    agree = (got == d.kscore.to_numpy()).mean()
    assert len(d) == 12489
    assert agree == 1.0


def test_data_md_rounded_table_misclassifies_five_rows(real_dir):
    """Why the default edges differ from DATA.md in the fourth decimal."""
    d = pd.read_csv(real_dir / "lbm_2024_klassen_buurt_gemeente_extract.csv")
    rounded = ClassScale((-0.428, -0.354, -0.2815, -0.1640, -0.1030, 0.0101, 0.0895, 0.1680))
    assert int((rounded.classify(d.afw.to_numpy()) != d.kscore.to_numpy()).sum()) == 5
