"""Benchmark: every redline check for the sample county and the large generated county.

Targets (issue #6): all redline checks <= 5 s for the sample county, <= 30 s for the large
county (medians of 3 runs); one ``check_new_right`` call well under 100 ms on a prebuilt
``ProtectedIndex``. Reading the layers is not timed (the readers have their own benchmark).

Run::

    /work/venv/bin/python benchmarks/bench_redlines.py   # sample_data/huantai.gpkg
    /work/venv/bin/python benchmarks/bench_redlines.py --gpkg sample_data/large/large_county.gpkg
    /work/venv/bin/python benchmarks/bench_redlines.py --repeat 3 --checks 200

The large county is made by ``python sample_data/make_sample.py --large --out sample_data/large/``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from landuse.io.vector import (
    read_control_line,
    read_landuse,
    read_mining_rights,
    read_protected_areas,
    read_townships,
)
from landuse.redlines import (
    ProtectedIndex,
    eco_redline_construction,
    farmland_nonfarm,
    line_conflicts,
    mining_conflicts,
    mining_rights_in_protected_areas,
    outside_urban_boundary,
    redline_layers,
    redline_table,
    right_summary,
)

ROOT = Path(__file__).resolve().parents[1]


def load(gpkg: Path) -> dict[str, Any]:
    """Read the layers the redline checks use (not timed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "lu": read_landuse(gpkg, layer="DLTB"),
            "towns": read_townships(gpkg, layer="XZQ"),
            "redline": read_control_line(gpkg, kind="ecological_redline", layer="STBHHX"),
            "pf": read_control_line(gpkg, kind="permanent_farmland", layer="YJJBNTBHTB"),
            "ub": read_control_line(gpkg, kind="urban_boundary", layer="CZKFBJ"),
            "protected": read_protected_areas(gpkg, layer="ZRBHD"),
            "rights": read_mining_rights(gpkg, layer="KYQ"),
        }


def run_all(d: dict[str, Any]) -> dict[str, float]:
    """Run every redline check once; return the seconds per step."""
    t: dict[str, float] = {}

    def step(name: str, fn: Any, *args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        t[name] = time.perf_counter() - t0
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mc = step("mining_conflicts", mining_conflicts, d["rights"], d["protected"],
                  townships=d["towns"])
        step("right_summary", right_summary, mc, rights=d["rights"])
        step("indicator", mining_rights_in_protected_areas, mc, townships=d["towns"])
        eco = step("eco_redline_construction", eco_redline_construction, d["lu"], d["redline"])
        fn = step("farmland_nonfarm", farmland_nonfarm, d["lu"], d["pf"])
        ob = step("outside_urban_boundary", outside_urban_boundary, d["lu"], d["ub"])
        lc = step("line_conflicts", line_conflicts, d["pf"], d["redline"], d["ub"],
                  townships=d["towns"])
        step("redline_table", redline_table, [mc, eco, fn, ob, lc])
        step("redline_layers", redline_layers, [mc, eco, fn, ob, lc])
    t["total"] = sum(t.values())
    t["rows"] = float(len(mc) + len(eco) + len(fn) + len(ob) + len(lc))
    return t


def check_latency(d: dict[str, Any], n: int) -> dict[str, float]:
    """Median and p95 of ``ProtectedIndex.check`` for ``n`` random 300 x 300 m rights."""
    t0 = time.perf_counter()
    index = ProtectedIndex(d["protected"], working_crs=d["rights"].crs)
    build = time.perf_counter() - t0
    x0, y0, x1, y1 = d["lu"].total_bounds
    rng = np.random.default_rng(0)
    times = []
    for _ in range(n):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        geom = shapely.box(x, y, x + 300, y + 300)
        s = time.perf_counter()
        index.check(geom, crs=d["rights"].crs)
        times.append(time.perf_counter() - s)
    return {"index_build_s": build, "check_median_ms": 1000 * statistics.median(times),
            "check_p95_ms": 1000 * float(np.percentile(times, 95))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpkg", type=Path, default=ROOT / "sample_data" / "huantai.gpkg")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--checks", type=int, default=200, help="check_new_right calls")
    args = parser.parse_args(argv)
    if not args.gpkg.exists():
        parser.error(f"{args.gpkg} not found; make it with sample_data/make_sample.py")
    d = load(args.gpkg)
    runs = [run_all(d) for _ in range(args.repeat)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    result = {
        "gpkg": str(args.gpkg), "patches": len(d["lu"]), "rights": len(d["rights"]),
        "protected": len(d["protected"]), "repeat": args.repeat,
        "median_s": {k: round(v, 4) for k, v in med.items() if k != "rows"},
        "rows": int(med["rows"]),
        **{k: round(v, 3) for k, v in check_latency(d, args.checks).items()},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
