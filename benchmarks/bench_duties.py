"""Benchmark the plan's duty parts (issue 19) inside the annual run, against the whole run.

The run's inputs are read once (not timed). Each repeat then times, in this process:

- ``compute``: everything the run computes (redlines, indicators, supply, change, the duty
  parts, class areas; no writing), the reference the duties are a share of;
- each duty part on its own (:mod:`landuse.run.duties`), fed with the change flows and
  indicator rows the run computes before it (those are not timed again).

Medians of ``--repeat`` runs are printed with the duty parts' share of ``compute``. The
machine's load (``os.getloadavg``) is printed beside the figures: compare shares and ratios
measured in the same run, not absolute seconds across runs.

Usage::

    python benchmarks/bench_duties.py                       # the sample county
    python benchmarks/bench_duties.py --large LARGE.gpkg    # a large county (the sample's
                                                            # config pointed at it, as in
                                                            # bench_run.py)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from landuse.config import load_config  # noqa: E402
from landuse.rules import load_rules  # noqa: E402
from landuse.run import (  # noqa: E402
    compute,
    duties,
    read_inputs,
)
from landuse.run.steps import (  # noqa: E402
    _zone_names,
    change_outputs,
    indicator_rows,
    supply_rows,
)


def _timed(func: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        out.append(time.perf_counter() - t0)
    return out


def bench(config: Path, repeat: int) -> dict[str, float]:
    """Median seconds of ``compute`` and of each duty part; prints them."""
    cfg = load_config(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        inputs = read_inputs(cfg)
        print(f"read inputs: {time.perf_counter() - t0:.2f} s "
              f"({len(inputs.landuse)} patches)")
        rules = load_rules(cfg.rules)
        findings: list = []
        base = indicator_rows(cfg, inputs, rules, findings)
        supply, _ = supply_rows(cfg, inputs, findings)
        change_rows, _, _, flows = change_outputs(cfg, inputs, rules, findings)
        rows = pd.concat([r for r in (base, supply, change_rows) if len(r)], ignore_index=True)
        names = _zone_names(cfg, inputs)
        prev_src = cfg.layers.get("landuse_previous")
        prev_year = prev_src.year if prev_src is not None else None
        year, county = cfg.region.year, cfg.region.code
        t = inputs.tables
        parts: dict[str, Callable[[], Any]] = {
            "balance": lambda: duties.balance_part(
                inputs.landuse, inputs.layers.get("landuse_previous"), flows,
                t.get("farmland_supplement"), year=year, county=county, rules=rules,
                names=names),
            "evaluation": lambda: duties.evaluation_part(
                rows, flows, t.get("socioeconomic"), year=year, previous_year=prev_year,
                rules=rules, names=names),
        }
        if "linkage" in t:
            parts["linkage"] = lambda: duties.linkage_part(
                t["linkage"], rows, year=year, previous_year=prev_year, county=county,
                names=names, findings=[])
        if "enterprises" in t:
            parts["performance"] = lambda: duties.performance_part(
                t["enterprises"], county=county, parcels=inputs.layers.get(
                    "land_supply_parcels"), crs=inputs.landuse.crs, names=names)
        if "land_supply" in t:
            parts["unsupplied"] = lambda: duties.unsupplied_part(
                t["land_supply"], evaluation_date=cfg.evaluation_date, county=county,
                names=names)
        medians = {"compute": statistics.median(_timed(lambda: compute(cfg, inputs), repeat))}
        for name, func in parts.items():
            medians[name] = statistics.median(_timed(func, repeat))
    duty_total = sum(v for k, v in medians.items() if k != "compute")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average: {load}")
    print(f"compute (whole run, no writing): {medians['compute']:.3f} s")
    for name, v in medians.items():
        if name != "compute":
            print(f"  {name:12s} {v:.3f} s")
    print(f"duty parts together: {duty_total:.3f} s = "
          f"{100 * duty_total / medians['compute']:.1f} % of compute")
    return medians


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=ROOT / "sample_data" / "config.toml")
    p.add_argument("--large", type=Path, default=None,
                   help="a large county GeoPackage: run the sample config pointed at it")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    config = args.config
    if args.large is not None:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_run import large_config

        config = large_config(args.large)
    bench(config, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
