"""Benchmark the region run on dask.distributed: time, speed-up 1 → 2 workers, peak memory.

Targets (issue 9, this 2-core machine): a region of 16 generated counties (≥ 3 million
patches) runs end to end (:func:`landuse.run.region.run_region`: every county's annual
run and outputs, plus the city roll-up) with

- peak memory per worker < 4 GB (peak RSS of each worker process, ``getrusage``);
- time on 1 worker ≤ 1.2 × (counties × the single-county time). The single-county time
  is :func:`landuse.run.run` of a county in this process, without dask, and since the
  generated counties differ (±15 % in time), "counties × the single-county time" is the
  sum of every county's own in-process time (each county run once here, in turn; the
  median county × N is printed too);
- the speed-up from 1 to 2 workers reported (time on 1 worker / time on 2 workers).

With ``--engine`` it also times :func:`landuse.dask.tabulate_dask` of the whole region
(read lazily, one partition per county file) against a 5 km grid of zones, and reports the
worker peak RSS against the partition and zone sizes (the memory formula of
docs/distributed.md).

Usage::

    python benchmarks/bench_distributed.py                     # 16 × 200k patches (long)
    python benchmarks/bench_distributed.py --counties 4 --patches-per-county 20000 --engine
    python benchmarks/bench_distributed.py --scheduler tcp://host:8786   # a real cluster

The region is generated once by ``sample_data/make_region.py`` into
``sample_data/large/region_<N>x<M>/`` (kept for the next run; not committed). Workers are
processes (:func:`landuse.dask.region.local_cluster` with ``processes=True``: one thread
each, the worker profiler off as in ``run_region``'s own cluster) so each has its own
memory. With ``--scheduler`` the given cluster is used as it is (the worker count is the
cluster's; no 1-vs-2 comparison) and the county files must be readable by every worker
(shared file system).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GB = 1024**3


def _peak_rss_bytes() -> int:
    """Peak RSS of the calling process (Linux ru_maxrss is in KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def warm_up() -> int:
    """Import what a county run imports (lazily, on first use); return the RSS now (bytes).

    A fresh worker process pays these imports (several seconds) once; the benchmark warms
    every process up before timing, so the times compare the computation, and the RSS
    after warm-up is ``R0`` of the memory formula.
    """
    import importlib

    for name in ("landuse.run", "landuse.report.outputs", "landuse.report.html",
                 "landuse.report.maps", "landuse.report.xlsx", "landuse.indicators.rows",
                 "landuse.redlines", "landuse.dask", "matplotlib.pyplot"):
        importlib.import_module(name)
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def ensure_region(counties: int, patches: int, jobs: int) -> Path:
    """Generate the region once (``sample_data/make_region.py``) and return its folder."""
    folder = ROOT / "sample_data" / "large" / f"region_{counties}x{patches}"
    if len(list(folder.glob("*.parquet"))) >= counties:
        return folder
    cmd = [sys.executable, str(ROOT / "sample_data" / "make_region.py"), "--counties",
           str(counties), "--patches-per-county", str(patches), "--out", str(folder),
           "--jobs", str(jobs)]
    print("generating:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return folder


def county_seconds(path: Path) -> tuple[float, float, int]:
    """Wall and CPU time of landuse.run.run on one county in this process (no dask)."""
    from landuse.config import parse_config
    from landuse.run import run

    cfg = parse_config({"region": {"name": path.stem, "code": path.stem[:6], "year": 2022},
                        "layers": {"landuse": {"path": str(path)}}}, ROOT / "region.toml")
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        result = run(cfg, out=Path(tmp) / "out")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return wall, cpu, int(result.provenance["inputs"][0].get("features", 0))


def in_process_baseline(files: list[Path], repeat: int) -> dict[str, Any]:
    """Every county run in turn in this process, ``repeat`` times: per-county medians."""
    walls: dict[str, list[float]] = {f.name: [] for f in files}
    cpus: dict[str, list[float]] = {f.name: [] for f in files}
    patches: dict[str, int] = {}
    for _ in range(repeat):
        for f in files:
            w, c, n = county_seconds(f)
            walls[f.name].append(w)
            cpus[f.name].append(c)
            patches[f.name] = n
    wall = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    return {"county_wall_s": wall, "county_cpu_s": cpu, "county_patches": patches,
            "sum_wall_s": sum(wall.values()), "sum_cpu_s": sum(cpu.values()),
            "median_wall_s": statistics.median(wall.values())}


def region_run(folder: Path, client: Any, repeat: int) -> tuple[float, dict]:
    """Median wall time of run_region over the folder; worker peak RSS (bytes) and result."""
    from landuse.run.region import run_region

    times, cpus, res = [], [], None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            res = run_region(folder, out_dir=Path(tmp) / "out", year=2022, client=client)
            times.append(time.perf_counter() - t0)
            cpus.append(float(res.counties["cpu_seconds"].sum()))
    assert res is not None
    peaks = client.run(_peak_rss_bytes)
    return statistics.median(times), {
        "all_seconds": times, "peak_rss": peaks, "county_cpu_s": statistics.median(cpus),
        "ok": int((res.counties["status"] == "ok").sum()), "failed": len(res.errors)}


def engine_run(folder: Path, client: Any) -> dict:
    """tabulate_dask of the whole region against a 5 km grid; sizes for the memory formula."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from landuse.dask import read_landuse_dask, tabulate_dask
    from landuse.io.vector import read_landuse

    ddf = read_landuse_dask(folder)
    first = read_landuse(sorted(folder.glob("*.parquet"))[0])
    part_bytes = _frame_bytes(first)
    bounds = [gpd.read_parquet(f, columns=["geometry"]).total_bounds
              for f in sorted(folder.glob("*.parquet"))]
    x0, y0 = min(b[0] for b in bounds), min(b[1] for b in bounds)
    x1, y1 = max(b[2] for b in bounds), max(b[3] for b in bounds)
    xs, ys = np.arange(x0, x1, 5000.0), np.arange(y0, y1, 5000.0)
    cells = [shapely.box(x, y, x + 5000.0, y + 5000.0) for x in xs for y in ys]
    zones = gpd.GeoDataFrame({"cell": np.arange(len(cells))}, geometry=cells, crs=first.crs)
    t0 = time.perf_counter()
    table = tabulate_dask(ddf, zones, by_a="DLBM", by_b="cell", area="official",
                          client=client)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": len(table), "partition_bytes": part_bytes,
            "zone_bytes": _frame_bytes(zones), "peak_rss": client.run(_peak_rss_bytes)}


def _frame_bytes(gdf: Any) -> int:
    """In-memory size of a GeoDataFrame: columns (deep) + geometry as WKB (a lower bound)."""
    import numpy as np
    import shapely

    cols = int(gdf.drop(columns=gdf.geometry.name).memory_usage(deep=True).sum())
    wkb = shapely.to_wkb(np.asarray(gdf.geometry.array, dtype=object))
    return cols + int(sum(len(w) for w in wkb))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=16)
    parser.add_argument("--patches-per-county", type=int, default=200_000)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median)")
    parser.add_argument("--scheduler", default=None, help="tcp://host:8786 of a cluster")
    parser.add_argument("--engine", action="store_true", help="also time tabulate_dask")
    parser.add_argument("--gen-jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args(argv)

    from distributed import Client

    from landuse.dask.region import local_cluster

    folder = ensure_region(args.counties, args.patches_per_county, args.gen_jobs)
    files = sorted(folder.glob("*.parquet"))[: args.counties]
    work = Path(tempfile.mkdtemp(prefix="bench_region_"))
    for f in files:  # exactly N counties, whatever else the folder holds
        (work / f.name).symlink_to(f)
    import pyarrow.parquet as pq

    patches = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    print(f"region: {len(files)} counties, {patches} patches in {folder}")
    warm_up()
    county_seconds(files[0])  # the first run in a process fills caches: not counted
    base = in_process_baseline(files, args.repeat)
    t1, c1 = base["sum_wall_s"] / len(files), base["sum_cpu_s"] / len(files)
    print(f"in-process, every county in turn: Σ {base['sum_wall_s']:.1f} s wall, "
          f"Σ {base['sum_cpu_s']:.1f} s CPU; median county {base['median_wall_s']:.1f} s, "
          f"range {min(base['county_wall_s'].values()):.1f}–"
          f"{max(base['county_wall_s'].values()):.1f} s (landuse.run.run)", flush=True)
    results: dict[str, Any] = {"counties": len(files), "patches": patches,
                               "single_county_s": t1, "single_county_cpu_s": c1,
                               "baseline": base, "runs": {}}
    if args.scheduler:
        with Client(args.scheduler) as client:
            nw = len(client.scheduler_info()["workers"])
            client.run(warm_up)
            secs, info = region_run(work, client, args.repeat)
            results["runs"][f"cluster_{nw}"] = {"seconds": secs, **info}
    else:
        for w in (int(x) for x in args.workers.split(",")):
            with local_cluster(w, processes=True, memory_limit=None) as cluster, \
                    Client(cluster) as client:
                r0 = client.run(warm_up)
                secs, info = region_run(work, client, args.repeat)
                run: dict[str, Any] = {"seconds": secs, "rss_after_warm_up": r0, **info}
                if args.engine:
                    client.restart()  # fresh worker processes: their peak RSS is the engine's
                    r0_engine = client.run(warm_up)
                    run["engine"] = {**engine_run(work, client), "rss_after_warm_up": r0_engine}
                results["runs"][f"workers_{w}"] = run
            peak = max(info["peak_rss"].values()) / GB
            print(f"{w} worker(s): region {secs:.1f} s, {info['ok']} ok / {info['failed']} "
                  f"failed, peak worker RSS {peak:.2f} GB")
    shutil.rmtree(work, ignore_errors=True)
    _summary(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


def _summary(r: dict[str, Any]) -> None:
    n, t1 = r["counties"], r["single_county_s"]
    med = r["baseline"]["median_wall_s"]
    print(f"\n{n} counties, {r['patches']} patches; Σ of the in-process county times "
          f"{n * t1:.1f} s (= {n} × the mean county {t1:.1f} s; {n} × the median county "
          f"{n * med:.1f} s)")
    runs = r["runs"]
    for name, run in runs.items():
        peak = max(run["peak_rss"].values()) / GB
        c1 = r["single_county_cpu_s"]
        each = ", ".join(f"{x:.1f}" for x in run["all_seconds"])
        print(f"  {name}: {run['seconds']:.1f} s (runs {each}) = "
              f"{run['seconds'] / (n * t1):.2f} × Σ in-process [target ≤ 1.2 on 1 worker]; "
              f"{run['seconds'] / (n * med):.2f} × (N × median county); peak worker RSS "
              f"{peak:.2f} GB [target < 4]; Σ county CPU in the workers "
              f"{run['county_cpu_s']:.1f} s = {run['county_cpu_s'] / (n * c1):.2f} × Σ "
              "in-process CPU")
        if "engine" in run:
            e = run["engine"]
            epeak = max(e["peak_rss"].values())
            r0 = max(e["rss_after_warm_up"].values())
            k = (epeak - r0) / (e["partition_bytes"] + e["zone_bytes"])
            print(f"    tabulate_dask: {e['seconds']:.1f} s, {e['rows']} rows; partition "
                  f"{e['partition_bytes'] / 2**20:.0f} MiB, zones {e['zone_bytes'] / 2**20:.1f}"
                  f" MiB, peak worker RSS {epeak / 2**20:.0f} MiB, R0 {r0 / 2**20:.0f} MiB "
                  f"-> k = (peak - R0) / (P + Z) = {k:.1f}")
    if "workers_1" in runs and "workers_2" in runs:
        print(f"  speed-up 1 → 2 workers: "
              f"{runs['workers_1']['seconds'] / runs['workers_2']['seconds']:.2f}×")


if __name__ == "__main__":
    raise SystemExit(main())
