"""The Leefbaarometer 9-class scale on ``afw`` and the thresholds the method uses.

The default boundary table comes from ``shared/DATA.md`` (derived from meting 2024, where the
official class and ``afw`` stand side by side). Every function takes the table as an argument, so a
run configuration can replace it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Dutch class names, class 1..9.
CLASS_NAMES: tuple[str, ...] = (
    "zeer onvoldoende",
    "ruim onvoldoende",
    "onvoldoende",
    "zwak",
    "voldoende",
    "ruim voldoende",
    "goed",
    "zeer goed",
    "uitstekend",
)

#: Leefbaarometer colours, class 1..9. The end points #cf783f and #3b5941 are official (DATA.md);
#: the seven in between run through pale yellow like the official legend but are not verified.
CLASS_COLOURS: tuple[str, ...] = (
    "#cf783f",
    "#df9b62",
    "#eebf8a",
    "#f7dfb5",
    "#e6e8c3",
    "#b9cfa0",
    "#87ad79",
    "#5e8a5c",
    "#3b5941",
)

#: Default edges between consecutive classes on ``afw``; edge k separates class k and k+1. The DATA.md
#: table rounds the upper three edges (0.0101, 0.0895, 0.1680) so that 5 of the 12,489 official
#: buurt/gemeente classes of meting 2024 come out wrong; these are the midpoints of the observed gaps
#: between classes (e.g. class 6 ends at 0.0101132, class 7 starts at 0.0101793), which reproduce all.
DEFAULT_EDGES: tuple[float, ...] = (-0.428, -0.354, -0.2815, -0.1640, -0.1030, 0.01015, 0.08955, 0.16796)

#: Class numbers used by the method.
ZWAK, VOLDOENDE, RUIM_VOLDOENDE, GOED = 4, 5, 6, 7


@dataclass(frozen=True)
class ClassScale:
    """A 9-class boundary table on ``afw`` with the method's derived thresholds.

    Parameters
    ----------
    edges
        Eight increasing edges; ``edges[k-1]`` is the lower edge of class ``k+1``.
    """

    edges: tuple[float, ...] = field(default=DEFAULT_EDGES)

    def __post_init__(self) -> None:
        e = tuple(float(x) for x in self.edges)
        if len(e) != 8:
            raise ValueError(f"class boundary table needs 8 edges, got {len(e)}: {e}")
        if any(b <= a for a, b in zip(e, e[1:])):
            raise ValueError(f"class boundary edges must increase strictly: {e}")
        object.__setattr__(self, "edges", e)

    def lower_edge(self, klasse: int) -> float:
        """Lower edge of class ``klasse`` (2..9)."""
        if not 2 <= klasse <= 9:
            raise ValueError(f"class {klasse} has no finite lower edge")
        return self.edges[klasse - 2]

    def midpoint(self, klasse: int) -> float:
        """Midpoint of a bounded class (2..8)."""
        if not 2 <= klasse <= 8:
            raise ValueError(f"class {klasse} is unbounded on one side")
        return (self.edges[klasse - 2] + self.edges[klasse - 1]) / 2

    @property
    def weak_upper(self) -> float:
        """Scores strictly below this are 'zwak of lager' (weak or lower)."""
        return self.lower_edge(VOLDOENDE)

    @property
    def halfway_zwak(self) -> float:
        return self.midpoint(ZWAK)

    @property
    def halfway_voldoende(self) -> float:
        return self.midpoint(VOLDOENDE)

    @property
    def halfway_ruim_voldoende(self) -> float:
        return self.midpoint(RUIM_VOLDOENDE)

    @property
    def lower_goed(self) -> float:
        return self.lower_edge(GOED)

    def thresholds(self) -> dict[str, float]:
        """The named thresholds of METHOD.md section 2, for reports and ``model.json``."""
        return {
            "weak_or_lower_below": self.weak_upper,
            "halfway_zwak": self.halfway_zwak,
            "halfway_voldoende": self.halfway_voldoende,
            "halfway_ruim_voldoende": self.halfway_ruim_voldoende,
            "lower_goed": self.lower_goed,
        }

    def classify(self, afw) -> np.ndarray:
        """Class 1..9 of each score (vectorised); NaN scores give 0.

        A score on an edge belongs to the upper class.
        """
        a = np.asarray(afw, dtype=float)
        k = np.searchsorted(np.asarray(self.edges), a, side="right") + 1
        return np.where(np.isnan(a), 0, k).astype(np.int8)

    def is_weak_or_lower(self, afw) -> np.ndarray:
        a = np.asarray(afw, dtype=float)
        return a < self.weak_upper

    def class_name(self, klasse) -> np.ndarray | str:
        """Dutch class name(s) of class number(s)."""
        names = np.array(("onbekend",) + CLASS_NAMES, dtype=object)
        out = names[np.asarray(klasse, dtype=int)]
        return out if np.ndim(out) else str(out)

    def table(self) -> pd.DataFrame:
        """The boundary table as a DataFrame (klasse, naam, ondergrens, bovengrens, kleur)."""
        lo = (-np.inf,) + self.edges
        hi = self.edges + (np.inf,)
        return pd.DataFrame(
            {
                "klasse": range(1, 10),
                "naam": CLASS_NAMES,
                "ondergrens_afw": lo,
                "bovengrens_afw": hi,
                "kleur": CLASS_COLOURS,
            }
        )
