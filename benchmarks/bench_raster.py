"""Benchmark: land-cover class areas by township from a large categorical raster.

Target (issue #8): class areas by township from a 20,000 × 20,000 raster, faster than
exactextract and rasterstats in the same run, with the same counts for the same edge rule,
and peak memory under 1 GB.

Engines (each run in its own subprocess, so the peak resident memory of each is measured
on its own with ``resource.getrusage``; the time is the median of ``--repeat`` runs inside
that subprocess, opening the raster each time):

* ``landuse-centre``: :func:`landuse.io.raster.zonal_value_areas`, ``edge="centre"``;
* ``landuse-exact``: the same with ``edge="exact"``;
* ``rasterstats``: ``zonal_stats(..., categorical=True)`` (pixel-centre rule, its default);
* ``exactextract``: ``exact_extract(..., ["unique", "frac", "count"])`` (coverage
  fractions): coverage-weighted pixels per class = frac × count.

Agreement: ``landuse-centre`` vs rasterstats (pixel counts per township and class must be
equal) and ``landuse-exact`` vs exactextract (coverage-weighted pixel counts, max relative
difference reported).

The raster (uint8, 7 classes with nodata 0 outside the county, tiled 512 × 512, deflate)
and 9 irregular township polygons are generated into a temporary folder, seeded.

Run::

    /work/venv/bin/python benchmarks/bench_raster.py                 # 20,000 × 20,000
    /work/venv/bin/python benchmarks/bench_raster.py --size 5000 --repeat 1
    /work/venv/bin/python benchmarks/bench_raster.py --workdir /tmp/lc --engines landuse-centre
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine

X0, Y0 = 39_480_000.0, 4_110_000.0  # EPSG:4527, near Huantai
ENGINES = ("landuse-centre", "landuse-exact", "rasterstats", "exactextract")


def make_raster(path: Path, size: int, pixel: float, seed: int) -> None:
    """Blocky categorical raster: classes from a coarse random field, written by row bands."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(1, 8, size=(size // 40 + 2, size // 40 + 2)).astype(np.uint8)
    transform = Affine(pixel, 0.0, X0, 0.0, -pixel, Y0)
    profile = {"driver": "GTiff", "height": size, "width": size, "count": 1, "dtype": "uint8",
               "crs": "EPSG:4527", "transform": transform, "nodata": 0, "tiled": True,
               "blockxsize": 512, "blockysize": 512, "compress": "deflate"}
    cols = np.arange(size)
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, size, 512):
            h = min(512, size - r0)
            rows = np.arange(r0, r0 + h)
            # coarse cells with a per-pixel wobble of their edges (not grid aligned)
            rr = ((rows[:, None] + 7 * np.sin(cols[None, :] / 53.0)) // 40).astype(int)
            cc = ((cols[None, :] + 7 * np.cos(rows[:, None] / 61.0)) // 40).astype(int)
            block = coarse[np.clip(rr, 0, coarse.shape[0] - 1), np.clip(cc, 0, coarse.shape[1] - 1)]
            noise = rng.random((h, size)) < 0.02
            block = np.where(noise, rng.integers(1, 8, size=(h, size)), block).astype(np.uint8)
            dst.write(block, 1, window=rasterio.windows.Window(0, r0, size, h))


def make_zones(size: int, pixel: float, seed: int) -> gpd.GeoDataFrame:
    """Nine irregular townships (Voronoi cells inside a wavy county outline), EPSG:4527."""
    rng = np.random.default_rng(seed + 1)
    span = size * pixel
    cx, cy = X0 + span / 2, Y0 - span / 2
    theta = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    r = 0.45 * span * (1 + 0.06 * np.sin(5 * theta) + 0.03 * np.cos(11 * theta + 1))
    county = shapely.Polygon(np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)]))
    seeds = shapely.MultiPoint(np.column_stack([cx + rng.uniform(-0.35, 0.35, 9) * span,
                                                cy + rng.uniform(-0.35, 0.35, 9) * span]))
    cells = shapely.voronoi_polygons(seeds, extend_to=county.buffer(span))
    polys = []
    for cell in cells.geoms:
        cell = shapely.segmentize(cell, span / 200)
        xy = shapely.get_coordinates(cell)
        # wiggle the township boundaries so they cut pixels at every angle
        xy += 0.004 * span * np.column_stack([np.sin(xy[:, 1] / (span / 37)),
                                              np.cos(xy[:, 0] / (span / 41))])
        polys.append(shapely.make_valid(shapely.Polygon(xy)))
    parts = shapely.intersection(np.array(polys, dtype=object), county)
    # a partition again: remove overlaps created by the wiggle (earlier cells win)
    out, taken = [], shapely.Polygon()
    for p in parts:
        q = shapely.difference(p, taken)
        out.append(q)
        taken = shapely.union(taken, q)
    codes = [f"3703211{i:02d}" for i in range(9)]
    gdf = gpd.GeoDataFrame({"zone": codes}, geometry=out, crs="EPSG:4527")
    gdf["geometry"] = gdf.geometry.make_valid()
    return gdf.explode(index_parts=False).dissolve("zone").reset_index()


def run_engine(engine: str, raster: Path, zones_path: Path, repeat: int, out: Path) -> dict:
    zones = gpd.read_file(zones_path)
    # imports before timing: every engine is timed on its computation only
    from exactextract import exact_extract
    from rasterstats import zonal_stats

    from landuse.io.raster import zonal_value_areas
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        if engine.startswith("landuse"):
            df = zonal_value_areas(raster, zones, edge=engine.split("-")[1])
            table = df[["zone", "value", "pixels"]]
        elif engine == "rasterstats":
            stats = zonal_stats(zones, str(raster), categorical=True, nodata=0)
            table = pd.DataFrame([(z, int(k), float(v)) for z, s in
                                  zip(zones["zone"], stats, strict=True) for k, v in s.items()],
                                 columns=["zone", "value", "pixels"])
        else:
            res = exact_extract(str(raster), zones, ["unique", "frac", "count"],
                                include_cols=["zone"], output="pandas")
            rows = [(z, int(u), float(f) * float(c)) for z, us, fs, c in
                    zip(res["zone"], res["unique"], res["frac"], res["count"], strict=True)
                    for u, f in zip(us, fs, strict=True)]
            table = pd.DataFrame(rows, columns=["zone", "value", "pixels"])
        times.append(time.perf_counter() - t0)
    table.to_csv(out, index=False)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"engine": engine, "seconds": statistics.median(times), "runs": times,
            "peak_mb": peak_kb / 1024}


def compare(a: Path, b: Path) -> tuple[float, float]:
    """Max absolute and max relative difference of pixels per (zone, value)."""
    x = pd.read_csv(a, dtype={"zone": str}).set_index(["zone", "value"])["pixels"]
    y = pd.read_csv(b, dtype={"zone": str}).set_index(["zone", "value"])["pixels"]
    x, y = x.align(y, fill_value=0.0)
    diff = (x - y).abs()
    return float(diff.max()), float((diff / y.where(y > 0)).max())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=20_000, help="raster width = height (pixels)")
    p.add_argument("--pixel", type=float, default=2.5, help="pixel size (m)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--engines", default=",".join(ENGINES))
    p.add_argument("--workdir", type=Path, default=None,
                   help="keep the generated data here and reuse it on the next run")
    p.add_argument("--engine", help=argparse.SUPPRESS)  # child mode
    p.add_argument("--raster", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--zones", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.engine:
        warnings.simplefilter("ignore")
        print(json.dumps(run_engine(args.engine, args.raster, args.zones, args.repeat,
                                    args.out)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        raster, zones_path = work / "landcover.tif", work / "zones.gpkg"
        reuse = raster.exists() and zones_path.exists()
        if reuse:
            with rasterio.open(raster) as src:
                reuse = src.width == args.size and src.height == args.size
        t0 = time.perf_counter()
        if not reuse:
            make_raster(raster, args.size, args.pixel, args.seed)
            make_zones(args.size, args.pixel, args.seed).to_file(zones_path, layer="zones")
        print(f"data: {args.size} x {args.size} uint8 ({raster.stat().st_size / 1e6:.1f} MB "
              f"on disk) {'reused' if reuse else 'made'} in {time.perf_counter() - t0:.1f} s",
              flush=True)
        results = {}
        for engine in args.engines.split(","):
            out = work / f"{engine}.csv"
            cmd = [sys.executable, __file__, "--engine", engine, "--raster", str(raster),
                   "--zones", str(zones_path), "--out", str(out), "--repeat", str(args.repeat)]
            res = json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                            text=True).stdout.strip().splitlines()[-1])
            results[engine] = res
            print(f"{engine:15s} {res['seconds']:8.2f} s (median of {args.repeat}; runs "
                  f"{', '.join(f'{t:.2f}' for t in res['runs'])})  peak {res['peak_mb']:7.0f} MB",
                  flush=True)
        pairs = [("landuse-centre", "rasterstats"), ("landuse-exact", "exactextract")]
        for a, b in pairs:
            if a in results and b in results:
                d_abs, d_rel = compare(work / f"{a}.csv", work / f"{b}.csv")
                speed = results[b]["seconds"] / results[a]["seconds"]
                print(f"{a} vs {b}: max |diff| {d_abs:.6g} pixels (max rel {d_rel:.3g}); "
                      f"{speed:.2f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
