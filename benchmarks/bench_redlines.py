"""Benchmark: every redline check for the sample county and the large generated county.

Targets (issue #6): all redline checks <= 5 s for the sample county, <= 30 s for the large
county (medians of 3 runs); one ``check_new_right`` call well under 100 ms on a prebuilt
``ProtectedIndex``. Reading the layers is not timed (the readers have their own benchmark).

Run::

    /work/venv/bin/python benchmarks/bench_redlines.py   # sample_data/huantai.gpkg
    /work/venv/bin/python benchmarks/bench_redlines.py --gpkg sample_data/large/large_county.gpkg
    /work/venv/bin/python benchmarks/bench_redlines.py --repeat 3 --checks 200
    /work/venv/bin/python benchmarks/bench_redlines.py --tile 4   # 16 x the sample, a proxy

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

import geopandas as gpd
import numpy as np
import pandas as pd
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


def tile(d: dict[str, Any], k: int) -> dict[str, Any]:
    """Replicate every layer k x k times side by side (a scaling proxy: k² x the features).

    Ids get a ``-<i>`` suffix so they stay unique; townships keep their codes (the copies
    add up per code). Used when the large generated county is not at hand.
    """
    if k <= 1:
        return d
    x0, y0, x1, y1 = d["lu"].total_bounds
    w, h = x1 - x0 + 1000.0, y1 - y0 + 1000.0
    id_cols = {"lu": "BSM", "redline": "line_id", "pf": "line_id", "ub": "line_id",
               "protected": "id", "rights": "licence_no", "towns": None}
    out: dict[str, Any] = {}
    for name, gdf in d.items():
        g = gdf.to_crs(d["lu"].crs) if gdf.crs != d["lu"].crs else gdf
        parts = []
        for i in range(k * k):
            part = g.copy()
            part = part.set_geometry(part.translate((i % k) * w, (i // k) * h))
            if id_cols[name]:
                part[id_cols[name]] = part[id_cols[name]].astype(str) + f"-{i}"
            parts.append(part)
        out[name] = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=g.crs)
    return out


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
    parser.add_argument("--tile", type=int, default=1,
                        help="replicate the county k x k times (scaling proxy)")
    args = parser.parse_args(argv)
    if not args.gpkg.exists():
        parser.error(f"{args.gpkg} not found; make it with sample_data/make_sample.py")
    d = tile(load(args.gpkg), args.tile)
    runs = [run_all(d) for _ in range(args.repeat)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    result = {
        "gpkg": str(args.gpkg), "tile": args.tile, "patches": len(d["lu"]),
        "rights": len(d["rights"]),
        "protected": len(d["protected"]), "repeat": args.repeat,
        "median_s": {k: round(v, 4) for k, v in med.items() if k != "rows"},
        "rows": int(med["rows"]),
        **{k: round(v, 3) for k, v in check_latency(d, args.checks).items()},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
