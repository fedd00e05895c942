"""Make a synthetic multi-county region for the distributed benchmark (not committed).

Each county is made by the sample-county generator (``make_sample.py``: outline, zones,
patches, attributes, official areas) with its own seed, its own 6-digit code and its own
place on a grid of counties, and written as one GeoParquet file per county
(``<code>.parquet``, the DLTB layer in EPSG:4527). Counties 1–8 belong to city 370300
(codes 370321…), counties 9–16 to city 370400 (370421…), and so on.

Usage::

    python sample_data/make_region.py      # 16 counties, ~200k patches each
    python sample_data/make_region.py --counties 4 --patches-per-county 20000

The patch count is steered by the seed spacings. The count does not grow as 1 / spacing²
(merging of small faces, fixed settlement layout), so the spacings come from a power law
fitted on two generated counties (spacings for 200k -> 73,935 patches, for 600k -> 179,888);
the real count is printed per county.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_sample as ms  # noqa: E402

#: patches of the sample county at ``ms.SAMPLE`` spacings (calibration of the spacings)
SAMPLE_PATCHES = 13_500
#: measured: spacings for "n" patches at 1/spacing² give about FIT_A * n ** FIT_B patches
FIT_A, FIT_B = 3.76, 0.81
COUNTIES_PER_CITY = 8


def county_code(i: int) -> str:
    """6-digit code of the i-th county (0-based): 8 counties per city, from 370321."""
    city, k = divmod(i, COUNTIES_PER_CITY)
    return f"37{3 + city:02d}{21 + k:02d}"


def scale_for(patches: int) -> ms.Scale:
    """The sample county's scale with seed spacings shrunk to give about ``patches``."""
    nominal = (max(patches, 100) / FIT_A) ** (1 / FIT_B)  # inverse of the fitted power law
    f = float(np.sqrt(SAMPLE_PATCHES / nominal))
    s = ms.SAMPLE
    return replace(s, rural_spacing=s.rural_spacing * f,
                   settlement_spacing=s.settlement_spacing * f,
                   min_patch_m2=s.min_patch_m2 * f * f)


def make_county(i: int, *, patches: int, seed: int, spacing_m: float, grid: int
                ) -> gpd.GeoDataFrame:
    """DLTB of the i-th county: its own seed, code and place (EPSG:4527)."""
    scale = scale_for(patches)
    rng = np.random.default_rng(seed + i)
    e0, n0 = ms.origin()
    row, col = divmod(i, grid)
    e0 += (col - (grid - 1) / 2) * spacing_m
    n0 += (row - (grid - 1) / 2) * spacing_m
    county = ms.make_outline(rng, scale, e0, n0)
    world = ms.layers.build_world(rng, county, scale)
    faces = ms.layers.build_patches(rng, world, scale)
    dltb = ms.attrs.assign_attributes(rng, world, faces, scale)
    geoms = ms.to_projected(dltb["geometry"].to_numpy(), e0, n0)
    dltb = ms.attrs.area_fields(dltb, ms.ellipsoidal_area(geoms))
    dltb = gpd.GeoDataFrame(dltb.drop(columns=["geometry", "_tidx"], errors="ignore"),
                            geometry=geoms, crs=ms.CRS_PROJ)
    code = county_code(i)
    for col_name in ("BSM", "ZLDWDM", "QSDWDM"):
        if col_name in dltb.columns:
            dltb[col_name] = code + dltb[col_name].astype(str).str[6:]
    return dltb


def _write_county(i: int, *, out: Path, patches: int, seed: int, spacing_m: float,
                  grid: int) -> tuple[str, int]:
    dltb = make_county(i, patches=patches, seed=seed, spacing_m=spacing_m, grid=grid)
    path = out / f"{county_code(i)}.parquet"
    dltb.to_parquet(path)
    return path.name, len(dltb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=16)
    parser.add_argument("--patches-per-county", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=HERE / "large" / "region")
    parser.add_argument("--jobs", type=int, default=1, help="counties made in parallel")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    grid = int(np.ceil(np.sqrt(args.counties)))
    spacing = 2.3 * np.sqrt(ms.TARGET_AREA_M2 / np.pi)  # county diameter + a gap
    t0 = time.perf_counter()
    total = 0
    make = partial(_write_county, out=args.out, patches=args.patches_per_county,
                   seed=args.seed, spacing_m=spacing, grid=grid)
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, n in pool.map(make, range(args.counties)):
            total += n
            print(f"[{time.perf_counter() - t0:7.1f}s] {name}: {n} patches", flush=True)
    print(f"{args.counties} counties, {total} patches -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
