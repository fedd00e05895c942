"""Benchmark: landuse.io.read_landuse against plain geopandas/pyogrio reading.

Times ``read_landuse`` (read + normalise + validate: codes, areas, ellipsoidal-area check,
geometry validity, overlap detection) on the sample county and on a large county, median
of ``--repeat`` runs, and compares with the peer ``geopandas.read_file(engine="pyogrio",
use_arrow=True)``, which only reads. Targets (issue #2): sample county < 2 s, 200 000
patches < 20 s.

Inputs:
- the sample county ``sample_data/huantai.gpkg`` layer ``DLTB`` when present, else a
  synthetic layer of ``--n-sample`` patches generated into ``benchmarks/_work/``;
- every ``*.gpkg`` in ``sample_data/large/`` (layer DLTB), else, with ``--n-large N``, a
  synthetic layer of N patches.

Synthetic layers are Voronoi cells (shared edges, no gaps or overlaps) densified to tens
of vertices, in EPSG:4527 near Huantai, with TBMJ = ellipsoidal area computed from PROJ's
areal scale factors (not with landuse).

Usage::

    python benchmarks/bench_read.py                    # sample county (or a 10k synthetic)
    python benchmarks/bench_read.py --n-large 200000   # plus a 200k-patch synthetic county
    python benchmarks/bench_read.py --sample other.gpkg
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Proj, Transformer

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
CODES = ["0101", "0102", "0103", "0201", "0301", "0404", "0601", "0701", "0702", "1003",
         "1004", "1006", "1101", "1104", "1107", "1201", "1203", "05H1", "08H2", "09"]


def synthetic_county(n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` Voronoi patches over a square of about 509 km² in EPSG:4527."""
    rng = np.random.default_rng(seed)
    side = np.sqrt(509e6)
    x0, y0 = 39_580_000.0, 4_080_000.0
    pts = shapely.points(rng.uniform(x0, x0 + side, n), rng.uniform(y0, y0 + side, n))
    extent = shapely.box(x0, y0, x0 + side, y0 + side)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=extent))
    cells = shapely.intersection(cells, extent)
    spacing = side / np.sqrt(n) / 8.0  # about 30 vertices per cell
    cells = shapely.segmentize(cells, spacing)
    # snap to a 1 cm grid so that both sides of a shared edge carry identical vertices, as
    # in a topologically clean survey layer
    cells = shapely.set_precision(cells, 0.01)
    planar = shapely.area(cells)
    c = shapely.centroid(cells)
    lon, lat = Transformer.from_crs(4527, 4490, always_xy=True).transform(
        shapely.get_x(c), shapely.get_y(c))
    tbmj = np.round(planar / Proj("EPSG:4527").get_factors(lon, lat).areal_scale, 2)
    kcxs = np.where(rng.random(len(cells)) < 0.3, 0.05, 0.0)
    kcmj = np.round(tbmj * kcxs, 2)
    m = len(cells)
    town = rng.integers(100, 108, m).astype(str)
    return gpd.GeoDataFrame(
        {"BSM": np.arange(1, m + 1, dtype=np.int32),
         "DLBM": rng.choice(CODES, m),
         "DLMC": np.full(m, "地类名称"),
         "TBMJ": tbmj,
         "KCDLBM": np.where(kcxs > 0, "1203", ""),
         "KCXS": kcxs, "KCMJ": kcmj, "TBDLMJ": np.round(tbmj - kcmj, 2),
         "ZLDWDM": np.char.add(np.char.add("370321", town), "1010000000"),
         "CZCSXM": np.where(rng.random(m) < 0.2, "203", "")},
        geometry=cells, crs=4527)


def ensure_layer(path: Path, n: int) -> Path:
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        print(f"generating {n} synthetic patches into {path} ...", flush=True)
        pyogrio.write_dataframe(synthetic_county(n), path, layer="DLTB")
    return path


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    from landuse.io.vector import read_landuse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-sample", type=int, default=10_000)
    ap.add_argument("--n-large", type=int, default=0)
    ap.add_argument("--sample", type=Path, default=ROOT / "sample_data" / "huantai.gpkg",
                    help="the sample county GeoPackage (layer DLTB)")
    ap.add_argument("--large-dir", type=Path, default=ROOT / "sample_data" / "large",
                    help="folder with large-county GeoPackages (layer DLTB)")
    args = ap.parse_args()

    sample = args.sample
    cases = [("sample county", sample if sample.exists() else
              ensure_layer(WORK / f"synthetic_{args.n_sample}.gpkg", args.n_sample))]
    large_dir = args.large_dir
    cases += [(f"large: {p.name}", p) for p in sorted(large_dir.glob("*.gpkg"))]
    if args.n_large:
        cases.append((f"synthetic {args.n_large}",
                      ensure_layer(WORK / f"synthetic_{args.n_large}.gpkg", args.n_large)))

    rows = []
    for name, path in cases:
        peer_t, peer = median_time(
            lambda p=path: gpd.read_file(p, layer="DLTB", engine="pyogrio", use_arrow=True),
            args.repeat)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # findings are counted below, not printed
            ours_t, ours = median_time(lambda p=path: read_landuse(p, layer="DLTB"), args.repeat)
        findings = ", ".join(f"{f.code}:{f.count}" for f in ours.attrs["findings"]) or "-"
        rows.append((name, len(peer), peer_t, ours_t, findings))

    print(f"\nmedian of {args.repeat} runs (seconds)")
    print(f"{'input':<28} {'patches':>8} {'geopandas':>10} {'read_landuse':>13} {'ratio':>6}"
          "  findings")
    for name, n, peer_t, ours_t, findings in rows:
        print(f"{name:<28} {n:>8} {peer_t:>10.2f} {ours_t:>13.2f} {ours_t / peer_t:>6.1f}"
              f"  {findings}")


if __name__ == "__main__":
    main()
