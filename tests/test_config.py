import re

import pytest

from vroeg_core.config import PROJ_ROOT, ConfigError, RunConfig


def test_defaults_and_paths_are_relative_to_project():
    cfg = RunConfig.load()
    assert cfg.unit == "pc6"
    assert cfg.bundle_dir == PROJ_ROOT / "data" / "synthetic" / "small"
    assert cfg.period("estimation") == {"start": 2014, "base": 2018, "target": 2020}


def test_misspelt_key_is_an_error(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[model]\nunti = "grid"\n')
    with pytest.raises(ConfigError, match="unknown key 'model.unti'"):
        RunConfig.load(f)


def test_unknown_input_source_and_key_are_errors(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[inputs.scores_pc5]\npath = "x.csv"\n')
    with pytest.raises(ConfigError, match="unknown input source"):
        RunConfig.load(f)
    f.write_text('[inputs.scores_pc4]\npaht = "x.csv"\n')
    with pytest.raises(ConfigError, match="unknown keys"):
        RunConfig.load(f)


def test_invalid_values(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[periods.estimation]\nstart = 2018\nbase = 2014\n')
    with pytest.raises(ConfigError, match="start < base < target"):
        RunConfig.load(f)
    with pytest.raises(ConfigError):
        RunConfig.load(model={"unit": "pc5"})


def test_environment_yml_pins_equal_requirements():
    reqs = {}
    for line in (PROJ_ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, ver = line.strip().split("==")
            reqs[name.lower()] = ver
    env = {}
    for line in (PROJ_ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s+- ([A-Za-z0-9_.\-]+)=([0-9][^\s=]*)$", line)
        if m and m.group(1) != "python":
            env[m.group(1).lower()] = m.group(2)
    assert env == reqs
    for must in ("jupyterlab", "pandas", "statsmodels", "geopandas", "matplotlib", "folium", "papermill", "nbval"):
        assert must in reqs
