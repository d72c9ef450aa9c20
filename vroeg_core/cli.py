"""Command line: ``vroeg synth``, ``vroeg check``, ``vroeg run``."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .config import ConfigError, RunConfig
from .errors import InputError


def _config(args) -> RunConfig:
    over = {}
    if getattr(args, "data", None):
        over["data"] = {"bundle": str(Path(args.data).resolve())}
    return RunConfig.load(getattr(args, "config", None), **over)


def cmd_synth(args) -> int:
    from .synth import generate
    t0 = time.perf_counter()
    m = generate(args.scale, args.seed, Path(args.out), progress=None if not args.quiet else False)
    print(json.dumps({**m["sizes"], "seconds": round(time.perf_counter() - t0, 1)}, indent=2))
    return 0


def cmd_check(args) -> int:
    from .bundle import Bundle
    cfg = _config(args)
    problems = Bundle(cfg).check()
    if problems:
        print(f"{len(problems)} problem(s) in the inputs of {cfg.bundle_dir}:", file=sys.stderr)
        for p in problems:
            print(f"- {p}", file=sys.stderr)
        return 1
    print(f"all inputs of {cfg.bundle_dir} passed their checks")
    return 0


def cmd_run(args) -> int:
    from .run import run_national
    cfg = _config(args)
    res = run_national(cfg, Path(args.out) if args.out else None)
    e, v = res.metrics["estimation"], res.metrics["validation"]
    print(f"unit {res.metrics['unit']}: estimation R2 area {e['r2_area']:.3f}, buurt {e['r2_buurt'] or float('nan'):.3f}, "
          f"quadrant accuracy {e['quadrant_accuracy']:.3f} (cut-off {e['threshold']}); "
          f"validation R2 area {v['r2_area']:.3f}; {res.metrics['seconds']} s")
    for n in res.metrics["notices"]:
        print(f"notice: {n}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="vroeg", description="Leefbaarometer early-warning workbench")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("synth", help="generate a synthetic input bundle")
    s.add_argument("--scale", choices=["small", "medium", "national"], default="small")
    s.add_argument("--seed", type=int, default=2024)
    s.add_argument("--out", required=True)
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(fn=cmd_synth)
    for name, fn, hlp in (("check", cmd_check, "load and check every input"),
                          ("run", cmd_run, "run the national steps and write artefacts")):
        p = sub.add_parser(name, help=hlp)
        p.add_argument("--data", help="bundle directory (overrides data.bundle)")
        p.add_argument("--config", help="run configuration TOML")
        if name == "run":
            p.add_argument("--out", help="output directory (default reports/national)")
        p.set_defaults(fn=fn)
    args = ap.parse_args(argv)
    try:
        return args.fn(args)
    except (InputError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
