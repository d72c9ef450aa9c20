"""Progress bars that are off in CI and in batch logs."""
from __future__ import annotations

import os

from tqdm.auto import tqdm


def progress_enabled(requested: bool | None = None) -> bool:
    """Progress bars show unless CI is set, ``VROEG_PROGRESS=0`` or the caller turns them off."""
    if requested is not None:
        return requested
    if os.environ.get("CI") or os.environ.get("VROEG_PROGRESS", "1") == "0":
        return False
    return True


def progress_bar(iterable, desc: str = "", enabled: bool | None = None, **kw):
    """Wrap ``iterable`` in a tqdm bar when progress is enabled."""
    return tqdm(iterable, desc=desc, disable=not progress_enabled(enabled), **kw)
