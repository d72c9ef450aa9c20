"""Figures of the method (matplotlib): scatter with quadrants, threshold curve, coefficient comparison."""
from __future__ import annotations


import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .evaluation import aggregate_buurt
from .register import labels as register_labels
from .scale import ClassScale

#: Fixed PNG metadata so reruns write byte-identical files.
PNG_METADATA = {"Software": None}


def save_png(fig, path) -> None:
    fig.savefig(path, dpi=120, bbox_inches="tight", metadata=PNG_METADATA)


def plot_scatter(sample: pd.DataFrame, scale: ClassScale, cutoff: float, level: str = "area", ax=None,
                 title: str | None = None):
    """Predicted (x) vs observed (y) score, bubble area = dwellings, with the quadrant lines
    (observed weak-or-lower edge, predicted-weak cut-off)."""
    d = sample.dropna(subset=["target", "prediction"])
    if level == "buurt":
        d = aggregate_buurt(d)
    ax = ax or plt.subplots(figsize=(6, 6))[1]
    size = 40 * d.weight / d.weight.max()
    ax.scatter(d.prediction, d.target, s=np.maximum(size, 1), alpha=0.35, color="#5e8a5c", edgecolor="none")
    lo = float(min(d.prediction.min(), d.target.min()))
    hi = float(max(d.prediction.max(), d.target.max()))
    ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8, ls=":")
    ax.axhline(scale.weak_upper, color="#cf783f", lw=1)
    if level == "area":
        ax.axvline(cutoff, color="#cf783f", lw=1)
    ax.set_xlabel("voorspelde score (afw)")
    ax.set_ylabel("waargenomen score (afw)")
    ax.set_title(title or ("per gebied" if level == "area" else "per buurt"))
    return ax


def plot_threshold_curve(curve: pd.DataFrame, cutoff: float, ax=None):
    """False positives and false negatives (and accuracy) against the predicted-weak cut-off."""
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    ax.plot(curve.cutoff, curve.fp, label="vals positief", color="#cf783f")
    ax.plot(curve.cutoff, curve.fn, label="vals negatief", color="#3b5941")
    ax.axvline(cutoff, color="grey", ls="--", lw=1, label=f"gekozen grens {cutoff:.4f}")
    ax2 = ax.twinx()
    ax2.plot(curve.cutoff, curve.accuracy, color="black", lw=0.8, label="juist kwadrant")
    ax2.set_ylabel("aandeel juist kwadrant")
    ax.set_xlabel("grens voorspeld zwak (afw)")
    ax.set_ylabel("aantal gebieden")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_coefficient_comparison(comp: pd.DataFrame, label_a: str, label_b: str, ax=None):
    """Standardised coefficients of two estimates with their 95 % intervals, term by term."""
    c = comp[comp.term != "Intercept"].copy()
    names = register_labels()
    c["label"] = c.term.map(lambda t: names.get(t, t))
    ratio_a = c[f"standardised_{label_a}"] / c[f"coef_{label_a}"]
    ratio_b = c[f"standardised_{label_b}"] / c[f"coef_{label_b}"]
    y = np.arange(len(c))
    ax = ax or plt.subplots(figsize=(7, 0.35 * len(c) + 1))[1]
    for lab, ratio, off, col in ((label_a, ratio_a, -0.15, "#3b5941"), (label_b, ratio_b, 0.15, "#cf783f")):
        est = c[f"coef_{lab}"] * ratio
        lo = c[f"ci_low_{lab}"] * ratio
        hi = c[f"ci_high_{lab}"] * ratio
        ax.errorbar(est, y + off, xerr=[est - np.minimum(lo, hi), np.maximum(lo, hi) - est], fmt="o",
                    ms=4, color=col, label=f"geschat op {lab}", capsize=2)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(c.label, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("gestandaardiseerde coefficient (95 %-interval)")
    ax.legend(fontsize=8)
    return ax
