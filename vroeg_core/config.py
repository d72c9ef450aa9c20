"""Project paths and run configuration (one place).

Paths derive from the project root; run settings come from ``default_config.toml`` overridden by a
run's TOML file. A key the defaults do not know is an error, not a silent default.
"""
from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJ_ROOT / "data"
REPORTS_DIR = PROJ_ROOT / "reports"
DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")
SOURCES = ("scores_pc6", "scores_grid", "scores_pc4", "scores_buurt", "scores_wijk", "scores_gemeente",
           "hidden_pc6", "hidden_grid", "hidden_pc4", "hidden_buurt", "hidden_wijk", "hidden_gemeente",
           "woningen_pc6", "woningen_grid", "woningen_pc4", "indicators_pc6", "indicators_grid",
           "indicators_pc4", "kwb", "seswoa", "ondermijning", "boundaries", "gemeente_corop",
           "pc6_nesting", "grid_crosswalk", "corop_boundaries")
INPUT_KEYS = {"path", "id_column", "year_column", "rename", "crs", "layer", "enabled"}


class ConfigError(ValueError):
    """A configuration file that cannot be used."""


def resolve(path: str | Path, base: Path = PROJ_ROOT) -> Path:
    """Resolve a configured path against ``base`` (the project root by default)."""
    p = Path(path)
    return p if p.is_absolute() else (base / p).resolve()


def _merge(default: dict, override: dict, where: str, file: str) -> dict:
    out = copy.deepcopy(default)
    for key, value in override.items():
        if where == "inputs":
            if key not in SOURCES:
                raise ConfigError(f"{file}: unknown input source [inputs.{key}] (known: {', '.join(SOURCES)})")
            if not isinstance(value, dict) or set(value) - INPUT_KEYS:
                bad = set(value) - INPUT_KEYS if isinstance(value, dict) else value
                raise ConfigError(f"{file}: [inputs.{key}] has unknown keys {sorted(bad)} (allowed: {sorted(INPUT_KEYS)})")
            out[key] = value
            continue
        if key not in default:
            raise ConfigError(f"{file}: unknown key '{where + '.' if where else ''}{key}'")
        if isinstance(default[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{file}: '{where}.{key}' must be a table")
            out[key] = _merge(default[key], value, f"{where}.{key}".strip("."), file)
        else:
            out[key] = value
    return out


@dataclass
class RunConfig:
    """The settings of one run (see ``default_config.toml`` for every key and its default)."""

    raw: dict
    source_file: Path | None = None
    base_dir: Path = field(default=PROJ_ROOT)

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides) -> "RunConfig":
        """Read the defaults, then ``path`` (a TOML file), then keyword overrides like
        ``data={"bundle": "..."}``."""
        with open(DEFAULT_CONFIG, "rb") as fh:
            raw = tomllib.load(fh)
        src = None
        if path is not None:
            src = resolve(path)
            try:
                with open(src, "rb") as fh:
                    user = tomllib.load(fh)
            except FileNotFoundError as exc:
                raise ConfigError(f"configuration file not found: {src}") from exc
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{src}: not valid TOML: {exc}") from exc
            raw = _merge(raw, user, "", str(src))
        if overrides:
            raw = _merge(raw, overrides, "", "overrides")
        cfg = cls(raw, src)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        m = self.raw["model"]
        if m["unit"] not in ("pc6", "grid", "pc4", "buurt"):
            raise ConfigError(f"model.unit must be pc6, grid, pc4 or buurt, got {m['unit']!r}")
        if m["weight"] not in ("woningen", "huishoudens", "none"):
            raise ConfigError(f"model.weight must be woningen, huishoudens or none, got {m['weight']!r}")
        if m["threshold_criterion"] not in ("balance", "accuracy"):
            raise ConfigError("model.threshold_criterion must be balance or accuracy")
        for name in ("estimation", "validation"):
            p = self.raw["periods"][name]
            if not p["start"] < p["base"] < p["target"]:
                raise ConfigError(f"periods.{name}: need start < base < target, got {p}")
        if len(self.raw["classes"]["edges"]) != 8:
            raise ConfigError("classes.edges needs 8 numbers")

    # convenient views ------------------------------------------------------------------------
    @property
    def bundle_dir(self) -> Path:
        return resolve(self.raw["data"]["bundle"])

    @property
    def unit(self) -> str:
        return self.raw["model"]["unit"]

    @property
    def inputs(self) -> dict:
        return self.raw.get("inputs", {})

    def period(self, name: str) -> dict:
        return dict(self.raw["periods"][name])

    def scale(self):
        from .scale import ClassScale
        return ClassScale(tuple(self.raw["classes"]["edges"]))
