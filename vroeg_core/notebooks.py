"""Run the numbered notebooks with papermill, and strip them for commit.

``python -m vroeg_core.notebooks --out reports/notebooks`` executes every ``notebooks/0*.ipynb`` with
its default parameters; ``--strip`` clears outputs except the cells checked by nbval
(``# NBVAL_CHECK_OUTPUT``), whose outputs are the expected headline numbers.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from .config import PROJ_ROOT

NOTEBOOK_DIR = PROJ_ROOT / "notebooks"
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def numbered_notebooks(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    return sorted(directory.glob("0*.ipynb"))


def execute(nb: Path, out_dir: Path, parameters: dict | None = None, progress: bool = False) -> Path:
    """Execute one notebook with papermill (kernel ``python3``) into ``out_dir``."""
    import papermill as pm

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / nb.name
    pm.execute_notebook(str(nb), str(target), parameters=parameters or {}, kernel_name="python3",
                        cwd=str(nb.parent), progress_bar=progress)
    return target


def strip(nb_path: Path) -> bool:
    """Clear outputs and execution counts except in checked cells; drop papermill metadata.

    Returns True when the file changed.
    """
    before = nb_path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    checked = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK_MARK in cell.source:
            # nbval treats a cell with outputs but no execution count as "unrun": keep a count,
            # renumbered 1.. over the checked cells so that reruns give the same file
            checked += 1
            cell.execution_count = checked
            for o in cell.outputs:
                if "execution_count" in o:
                    o["execution_count"] = checked
        else:
            cell.outputs = []
            cell.execution_count = None
    after = nbformat.writes(nb) + ("\n" if not nbformat.writes(nb).endswith("\n") else "")
    if after != before:
        nb_path.write_text(after, encoding="utf-8")
        return True
    return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, help="execute every numbered notebook into this directory")
    ap.add_argument("--strip", action="store_true", help="strip notebooks/ for commit (keep checked outputs)")
    ap.add_argument("--inplace", action="store_true", help="execute in place, then strip (refresh checked outputs)")
    args = ap.parse_args(argv)
    failed = []
    for nb in numbered_notebooks():
        if args.inplace:
            import papermill as pm
            pm.execute_notebook(str(nb), str(nb), kernel_name="python3", cwd=str(nb.parent), progress_bar=False)
            strip(nb)
        elif args.out:
            try:
                execute(nb, args.out)
                print(f"executed {nb.name} -> {args.out / nb.name}")
            except Exception as exc:  # papermill marks the failing cell in the output notebook
                failed.append((nb.name, exc))
        if args.strip:
            strip(nb)
    for name, exc in failed:
        print(f"FAILED {name}: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
