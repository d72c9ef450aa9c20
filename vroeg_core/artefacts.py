"""Versioned artefacts of a national run: ``model.json``, metrics and tables on disk."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__


def _clean(o):
    """Plain JSON numbers: numpy scalars to Python, NaN/inf to None."""
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating, float)):
        f = float(o)
        return None if (math.isnan(f) or math.isinf(f)) else f
    if isinstance(o, np.bool_):
        return bool(o)
    return o


def write_json(obj, path: Path) -> None:
    path.write_text(json.dumps(_clean(obj), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def model_artefact(fit, threshold: float, scale, selection, fingerprint: str, register_labels: dict) -> dict:
    """Everything a per-gemeente run needs to apply the national model without refitting."""
    ref = fit.reference.set_index("feature")
    return {
        "artefact": "vroeg.model",
        "schema_version": 1,
        "package_version": __version__,
        "unit": fit.unit,
        "weight": fit.weight_name,
        "period": fit.period,
        "features": fit.features,
        "labels": {f: register_labels.get(f, f) for f in fit.features},
        "coefficients": fit.params,
        "reference": {f: {"mean": ref.loc[f, "mean"], "sd": ref.loc[f, "sd"], "median": ref.loc[f, "median"]}
                      for f in fit.features},
        "threshold_predicted_weak": threshold,
        "class_edges": list(scale.edges),
        "thresholds": scale.thresholds(),
        "selection": {"min_share_voldoende": selection.min_share_voldoende,
                      "rule1_upper": selection.rule1_upper, "rule2_upper": selection.rule2_upper},
        "input_fingerprint": fingerprint,
        "n_areas": int(len(fit.sample)),
    }


def load_model(path: Path | str) -> dict:
    """Read a ``model.json`` artefact and check its kind."""
    m = json.loads(Path(path).read_text(encoding="utf-8"))
    if m.get("artefact") != "vroeg.model":
        raise ValueError(f"{path} is not a vroeg model artefact")
    return m
