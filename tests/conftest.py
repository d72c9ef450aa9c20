import os
import shutil
from pathlib import Path

import pytest

from vroeg_core.config import PROJ_ROOT, RunConfig
from vroeg_core.bundle import Bundle
from vroeg_core.synth import generate

REAL = PROJ_ROOT.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """The real files of ../shared/data/real. Skipped with a reason in a user's clone without
    ../shared; in CI (CI set) their absence is a failure, never a skip."""
    if not REAL.exists():
        if os.environ.get("CI"):
            pytest.fail(f"real test data missing in CI: {REAL}")
        pytest.skip(f"real test data not present ({REAL} is absent outside the workplace)")
    return REAL


@pytest.fixture(scope="session")
def small_bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "small"
    generate("small", 11, out)
    return out


@pytest.fixture(scope="session")
def national_bundle(tmp_path_factory) -> Path:
    """The national synthetic bundle (about 45 s, 1.7 GB peak): the power the recovery test needs."""
    out = tmp_path_factory.mktemp("bundle") / "national"
    generate("national", 2024, out)
    return out


def make_bundle(path: Path) -> Bundle:
    return Bundle(RunConfig.load(data={"bundle": str(path)}))


@pytest.fixture
def copy_bundle(small_bundle, tmp_path):
    """A writable copy of the small bundle (for malformed-input tests)."""
    dst = tmp_path / "copy"
    shutil.copytree(small_bundle, dst)
    return dst
