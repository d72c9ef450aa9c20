"""All inputs of a run: where each source lives, loaded lazily through its reader, checked once.

A bundle is a directory laid out like the synthetic generator writes it (``synth.writers.LAYOUT``);
``[inputs.<source>]`` in the run configuration points any source elsewhere (real files), renames its
columns or states its CRS. Sources that are absent switch off what depends on them; the run records a
notice for each.
"""
from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import sources as src
from .config import RunConfig, resolve
from .errors import InputError, Problem
from .synth.writers import LAYOUT

UNITS = ("pc6", "grid", "pc4", "buurt", "wijk", "gemeente")
YEAR_PATTERN_SOURCES = ("kwb", "seswoa")


class Bundle:
    """Lazy access to every input of a run.

    Parameters
    ----------
    config
        The run configuration (its ``data.bundle`` and ``inputs`` decide where each source is).
    """

    def __init__(self, config: RunConfig):
        self.config = config
        self.root = config.bundle_dir
        self._cache: dict = {}
        self.notices: list[str] = []

    # ---------------------------------------------------------------- where things are
    def spec(self, source: str) -> dict:
        """Path and reader options of a source (``path`` resolved, ``explicit`` when configured)."""
        over = dict(self.config.inputs.get(source, {}))
        if over.get("enabled") is False:
            return {"path": None, "explicit": True, "enabled": False}
        if "path" in over:
            p = over.pop("path")
            path = resolve(p)
            explicit = True
        elif source in LAYOUT:
            path = self.root / LAYOUT[source]
            explicit = False
        else:
            path, explicit = None, False
        return {"path": path, "explicit": explicit, "enabled": True, **over}

    def path(self, source: str, year: int | None = None) -> Path | None:
        p = self.spec(source)["path"]
        if p is not None and year is not None:
            p = Path(str(p).format(year=year))
        return p

    def has(self, source: str, year: int | None = None) -> bool:
        """Is the source present (for year-pattern sources: for that year)?"""
        s = self.spec(source)
        if not s["enabled"] or s["path"] is None:
            return False
        p = self.path(source, year) if source in YEAR_PATTERN_SOURCES else s["path"]
        if source in YEAR_PATTERN_SOURCES and year is None:
            return bool(self.years(source))
        if not p.exists():
            if s["explicit"] and source not in YEAR_PATTERN_SOURCES:
                raise InputError([Problem(str(p), None, f"input '{source}' is configured but the file does not exist")])
            return False
        return True

    def years(self, source: str) -> list[int]:
        """Years for which a ``{year}`` pattern source has a file."""
        p = self.spec(source)["path"]
        if p is None:
            return []
        pattern = str(p)
        if "{year}" not in pattern:
            return []
        import glob
        import re
        found = []
        rx = re.compile(re.escape(pattern).replace(re.escape("{year}"), r"(\d{4})") + "$")
        for f in glob.glob(pattern.replace("{year}", "[0-9][0-9][0-9][0-9]")):
            m = rx.search(f)
            if m:
                found.append(int(m.group(1)))
        return sorted(found)

    def _get(self, key, loader):
        if key not in self._cache:
            self._cache[key] = loader()
        return self._cache[key]

    def _opts(self, source: str, allowed=("id_column", "year_column", "rename")) -> dict:
        s = self.spec(source)
        return {k: v for k, v in s.items() if k in allowed}

    # ---------------------------------------------------------------- readers
    def scores(self, level: str, hidden: bool = False) -> pd.DataFrame:
        """Leefbaarometer scores at a level (``hidden=True``: the later, held-back target file)."""
        name = f"{'hidden' if hidden else 'scores'}_{level}"
        return self._get(name, lambda: src.read_lbm_scores(self.path(name), level, **self._opts(name)))

    def weights(self, level: str) -> pd.DataFrame:
        name = f"woningen_{level}"
        return self._get(name, lambda: src.read_area_weights(self.path(name), level, **self._opts(name)))

    def area_indicators(self, level: str) -> pd.DataFrame:
        name = f"indicators_{level}"
        return self._get(name, lambda: src.read_area_indicators(self.path(name), level, **self._opts(name)))

    def kwb(self, year: int) -> pd.DataFrame:
        return self._get(("kwb", year), lambda: src.read_kwb(self.path("kwb", year), **self._opts("kwb", ("rename",))))

    def seswoa(self, year: int) -> pd.DataFrame:
        return self._get(("seswoa", year), lambda: src.read_seswoa(self.path("seswoa", year)))

    def ondermijning(self) -> pd.DataFrame:
        return self._get("ondermijning", lambda: src.read_ondermijning(self.path("ondermijning"), **self._opts("ondermijning", ("rename",))))

    def gemeente_corop(self) -> pd.DataFrame:
        return self._get("gemeente_corop", lambda: src.read_gemeente_corop(self.path("gemeente_corop")))

    def pc6_nesting(self) -> pd.DataFrame:
        return self._get("pc6_nesting", lambda: src.read_pc6_nesting(self.path("pc6_nesting")))

    def grid_crosswalk(self) -> pd.DataFrame:
        return self._get("grid_crosswalk", lambda: src.read_grid_crosswalk(self.path("grid_crosswalk")))

    def boundaries(self, layer: str):
        """Region polygons (layers ``provincie, coropgebied, gemeente, wijk, buurt``) in EPSG:28992."""
        codes = {"provincie": ("statcode", None), "coropgebied": ("statcode", "corop"),
                 "gemeente": ("gm_code", "gemeente"), "wijk": ("wk_code", "wijk"), "buurt": ("bu_code", "buurt")}
        col, kind = codes[layer]
        if layer == "coropgebied" and self.has("corop_boundaries"):
            s = self.spec("corop_boundaries")
            return self._get(("boundaries", layer), lambda: src.read_boundaries(
                s["path"], layer=s.get("layer"), code_column="statcode", kind="corop", crs=s.get("crs")))
        s = self.spec("boundaries")
        return self._get(("boundaries", layer), lambda: src.read_boundaries(
            s["path"], layer=layer, code_column=col, kind=kind, crs=s.get("crs")))

    @cached_property
    def manifest(self) -> dict:
        p = self.root / LAYOUT["manifest"]
        return json.loads(p.read_text()) if p.exists() else {}

    @cached_property
    def truth(self) -> dict | None:
        p = self.root / LAYOUT["truth"]
        return json.loads(p.read_text()) if p.exists() else None

    # ---------------------------------------------------------------- nesting
    def nesting(self, unit: str) -> pd.DataFrame | None:
        """Area -> ``bu_code, wk_code, gm_code`` for a unit, or None when the bundle has no nesting."""
        def build():
            bu = self.buurt_table()
            if bu is None:
                return None
            if unit == "buurt":
                return bu[["bu_code", "wk_code", "gm_code"]]
            if unit == "pc6" and self.has("pc6_nesting"):
                n = self.pc6_nesting()[["pc6", "bu_code"]]
            elif unit == "grid" and self.has("grid_crosswalk") and self.has("pc6_nesting"):
                xw = self.grid_crosswalk().merge(self.pc6_nesting()[["pc6", "bu_code"]], on="pc6")
                w = xw.groupby(["grid_id", "bu_code"], as_index=False).woningen.sum()
                n = w.sort_values(["grid_id", "woningen", "bu_code"], ascending=[True, False, True]) \
                     .drop_duplicates("grid_id")[["grid_id", "bu_code"]]
            else:
                return None
            return n.merge(bu[["bu_code", "wk_code", "gm_code"]], on="bu_code", how="left")
        return self._get(("nesting", unit), build)

    def buurt_table(self) -> pd.DataFrame | None:
        """Buurt -> wijk -> gemeente from the boundaries (or, failing that, from KWB codes)."""
        def build():
            if self.has("boundaries"):
                b = self.boundaries("buurt")
                return pd.DataFrame(b.drop(columns="geometry"))[["bu_code", "bu_naam", "wk_code", "gm_code"]]
            return None
        return self._get("buurt_table", build)

    # ---------------------------------------------------------------- checks
    def check(self) -> list[Problem]:
        """Load every present input and return every problem found (not only the first)."""
        problems: list[Problem] = []

        def attempt(fn):
            try:
                fn()
            except InputError as exc:
                problems.extend(exc.problems)

        for level in UNITS:
            for hidden in (False, True):
                name = f"{'hidden' if hidden else 'scores'}_{level}"
                if _present(self, name, problems):
                    attempt(lambda: self.scores(level, hidden))
            if level in ("pc6", "grid", "pc4"):
                if _present(self, f"woningen_{level}", problems):
                    attempt(lambda: self.weights(level))
                if _present(self, f"indicators_{level}", problems):
                    attempt(lambda: self.area_indicators(level))
        for y in self.years("kwb"):
            attempt(lambda: self.kwb(y))
        for y in self.years("seswoa"):
            attempt(lambda: self.seswoa(y))
        for name, fn in (("ondermijning", self.ondermijning), ("gemeente_corop", self.gemeente_corop),
                         ("pc6_nesting", self.pc6_nesting), ("grid_crosswalk", self.grid_crosswalk)):
            if _present(self, name, problems):
                attempt(fn)
        if _present(self, "boundaries", problems):
            for layer in ("provincie", "coropgebied", "gemeente", "wijk", "buurt"):
                attempt(lambda: self.boundaries(layer))
        if _present(self, "corop_boundaries", problems):
            attempt(lambda: self.boundaries("coropgebied"))
        if not problems:
            problems.extend(self._check_relations())
        return problems

    def _check_relations(self) -> list[Problem]:
        """Cross-file checks: nesting codes exist, one edition across score files."""
        out = []
        consts = {}
        for level in UNITS:
            if self.has(f"scores_{level}"):
                consts[level] = src.lbm_edition_constant(self.scores(level))
        if consts and max(consts.values()) - min(consts.values()) > 1e-5:
            out.append(Problem(str(self.root), "lbm", f"score files come from different editions (lbm - afw per level: {consts})"))
        if self.has("pc6_nesting") and self.has("boundaries"):
            n = self.pc6_nesting()
            known = set(self.buurt_table().bu_code)
            bad = ~n.bu_code.isin(known)
            if bad.any():
                from .errors import example_rows
                out.append(Problem(str(self.path("pc6_nesting")), "bu_code",
                                   f"{int(bad.sum())} PC6 areas point at buurten absent from the boundaries",
                                   example_rows(n, bad)))
        return out

    def fingerprint(self, sources_used: list[str] | None = None) -> str:
        """SHA-256 over the bytes of the input files (all present files of the bundle)."""
        h = hashlib.sha256()
        files = []
        for name in sorted(set(LAYOUT) | set(self.config.inputs)):
            if name in ("manifest",):
                continue
            if name in YEAR_PATTERN_SOURCES:
                files += [self.path(name, y) for y in self.years(name)]
            else:
                p = self.spec(name).get("path")
                if p is not None and Path(p).exists():
                    files.append(Path(p))
        for f in sorted(set(files)):
            h.update(str(f.name).encode())
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        return h.hexdigest()[:16]


def _present(bundle: Bundle, name: str, problems: list) -> bool:
    try:
        return bundle.has(name)
    except InputError as exc:
        problems.extend(exc.problems)
        return False
