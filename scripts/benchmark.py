"""Benchmark: generate a synthetic bundle and run the national steps; report sizes, time and peak memory.

    python scripts/benchmark.py --scale national --out reports/benchmark-national.json

Each phase runs in a child process so that its peak resident memory is measured on its own.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> dict:
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": round(time.perf_counter() - t0, 1), "peak_rss_mb": round(max(peak, before) / 1024),
            "stdout": r.stdout}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="national", choices=["small", "medium", "national"])
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmark.json")
    args = ap.parse_args()
    bundle = ROOT / "data" / "synthetic" / args.scale
    vroeg = [sys.executable, "-m", "vroeg_core.cli"]
    gen = timed(vroeg + ["synth", "--scale", args.scale, "--seed", str(args.seed), "--out", str(bundle), "--quiet"])
    run = timed(vroeg + ["run", "--data", str(bundle), "--out", str(ROOT / "reports" / f"national-{args.scale}")])
    sizes = json.loads(gen.pop("stdout"))
    summary = run.pop("stdout").strip().splitlines()[0]
    result = {"scale": args.scale, "seed": args.seed, "sizes": sizes, "generate": gen,
              "run": {**run, "summary": summary},
              "note": "peak_rss_mb is the largest child so far (ru_maxrss of RUSAGE_CHILDREN)"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
