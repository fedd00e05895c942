"""Benchmark: parse a 10,000-parcel boundary-point TXT (~30 MB); classify a 100,000-row ledger.

Targets (issue #5): parsing <= 3 s, classification <= 2 s (medians of 3 runs).

Run: /work/venv/bin/python benchmarks/bench_txt_idle.py [--parcels 10000] [--rows 100000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def make_txt(path: Path, n_parcels: int, n_points: int = 100, seed: int = 0) -> None:
    """Write a TXT with ``n_parcels`` star-shaped parcels of ``n_points`` vertices each."""
    rng = np.random.default_rng(seed)
    out = [
        "[属性描述]", "格式版本号=1.01版本", "数据产生单位=bench", "数据产生日期=2024-1-1",
        "坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格", "计量单位=米", "带号=39",
        "精度=0.001", "转换参数=,,,,,,", "[地块坐标]",
    ]
    ang = np.linspace(0, 2 * np.pi, n_points, endpoint=False)
    for i in range(n_parcels):
        cx = 39_585_000 + rng.uniform(0, 20_000)
        cy = 4_082_000 + rng.uniform(0, 28_000)
        rad = rng.uniform(20, 60) * (1 + 0.2 * np.sin(5 * ang))
        xs = np.round(cx + rad * np.cos(ang), 3)
        ys = np.round(cy + rad * np.sin(ang), 3)
        xs, ys = np.append(xs, xs[0]), np.append(ys, ys[0])
        dx, dy = xs - cx, ys - cy
        area = 0.5 * abs(np.dot(dx[:-1], dy[1:]) - np.dot(dx[1:], dy[:-1])) / 1e4
        out.append(f"{n_points + 1},{area:.4f},P{i:05d},地块{i},面,,工业用地,0601,@")
        names = [f"J{j + 1}" for j in range(n_points)] + ["J1"]
        out += [f"{nm},1,{y:.3f},{x:.3f}" for nm, x, y in zip(names, xs, ys, strict=True)]
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("gb18030"))


def make_ledger(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """A synthetic normalised ledger (the columns of contract.md §2.1)."""
    rng = np.random.default_rng(seed)
    approved = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 2900, n_rows), "D")
    supplied = approved + pd.to_timedelta(rng.integers(30, 700, n_rows), "D")
    supplied = supplied.where(rng.random(n_rows) > 0.15)
    agreed = supplied + pd.to_timedelta(rng.integers(90, 400, n_rows), "D")
    started = rng.random(n_rows) > 0.3
    actual = (agreed + pd.to_timedelta(rng.integers(-100, 800, n_rows), "D")).where(started)
    suspended = (actual + pd.to_timedelta(rng.integers(30, 900, n_rows), "D")).where(
        rng.random(n_rows) > 0.6)
    area = np.round(rng.uniform(0.2, 12, n_rows), 4)
    return pd.DataFrame({
        "parcel_id": [f"P{i:06d}" for i in range(n_rows)],
        "batch_id": [f"B{i // 20:05d}" for i in range(n_rows)],
        "approved_date": approved, "approved_area_ha": area,
        "supplied_date": supplied,
        "supplied_area_ha": np.where(supplied.notna(), area, np.nan),
        "supply_type": np.where(rng.random(n_rows) > 0.3, "出让", "划拨"),
        "land_source": np.where(rng.random(n_rows) > 0.5, "存量", "新增"),
        "agreed_start_date": agreed, "actual_start_date": actual,
        "developed_share": np.round(rng.random(n_rows), 3),
        "invested_share": np.round(rng.random(n_rows), 3),
        "suspended_since": suspended,
        "government_delay": rng.random(n_rows) > 0.9,
        "zone": rng.choice([f"370321{c}" for c in ("001", "100", "101", "102", "103")], n_rows),
    })


def median_time(fn, repeat: int = 3) -> tuple[float, float]:
    """Median wall-clock and process CPU seconds over ``repeat`` runs.

    The CPU time is printed too because on a shared machine the wall clock mostly measures
    the other processes; on a quiet machine the two agree.
    """
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    from landuse.errors import LanduseWarning
    from landuse.indicators.supply_idle import classify_idle
    from landuse.io.boundary_txt import read_boundary_txt

    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=10_000)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore", LanduseWarning)
    with tempfile.TemporaryDirectory() as tmp:
        txt = Path(tmp) / "bench.txt"
        make_txt(txt, args.parcels)
        mb = txt.stat().st_size / 1e6
        t, c = median_time(lambda: read_boundary_txt(txt), args.repeat)
        print(f"read_boundary_txt: {args.parcels} parcels, {mb:.1f} MB: median {t:.2f} s wall, "
              f"{c:.2f} s CPU (target <= 3 s)")
    ledger = make_ledger(args.rows)
    t, c = median_time(lambda: classify_idle(ledger, evaluation_date="2022-12-31"), args.repeat)
    print(f"classify_idle: {args.rows} rows: median {t:.2f} s wall, {c:.2f} s CPU "
          "(target <= 2 s)")


if __name__ == "__main__":
    main()
