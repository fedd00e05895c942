"""Benchmark: reading a DLTB layer with and without curved rows (issue #21).

Times ``read_landuse`` on the sample county's DLTB (``sample_data/huantai.gpkg``) copied as
is, and on the same layer with ``--curved`` rows rewritten as CurvePolygons inside a
MultiSurface (ISO WKB types 12 / 10; each ring a CompoundCurve whose first edge is an arc of
sagitta 1 cm), median of ``--repeat`` runs. Peers measured in the same run: pyogrio's Arrow
read of the plain copy (``use_arrow=True``, what the fast path costs) and pyogrio's
non-Arrow read of the curved copy (``use_arrow=False``, the other way to get linear
geometries: it linearises every curved row with GDAL's default 4° step).

Usage::

    python benchmarks/bench_curves.py --curved 10 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import struct
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import shapely

from landuse.io import read_landuse

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"


def _curved_wkb(poly: shapely.Polygon) -> bytes:
    """MultiSurface(CurvePolygon(CompoundCurve(arc on the first edge, rest of the ring)))."""
    def pts(a: np.ndarray) -> bytes:
        return b"".join(struct.pack("<dd", x, y) for x, y in a)

    rings = []
    for ring in [poly.exterior, *poly.interiors]:
        xy = np.asarray(ring.coords)[:, :2]
        (x0, y0), (x1, y1) = xy[0], xy[1]
        length = float(np.hypot(x1 - x0, y1 - y0))
        nx, ny = (y0 - y1) / length, (x1 - x0) / length  # left normal
        mid = np.array([[(x0 + x1) / 2 + 0.01 * nx, (y0 + y1) / 2 + 0.01 * ny]])
        arc = struct.pack("<BII", 1, 8, 3) + pts(np.vstack([xy[:1], mid, xy[1:2]]))
        rest = struct.pack("<BII", 1, 2, len(xy) - 1) + pts(xy[1:])
        rings.append(struct.pack("<BII", 1, 9, 2) + arc + rest)
    return (struct.pack("<BII", 1, 12, 1) + struct.pack("<BII", 1, 10, len(rings))
            + b"".join(rings))


def make_copies(n_curved: int) -> tuple[Path, Path]:
    """Write the plain and the curved copy of the sample DLTB into benchmarks/_work."""
    WORK.mkdir(parents=True, exist_ok=True)
    meta, table = pyogrio.read_arrow(ROOT / "sample_data" / "huantai.gpkg", layer="DLTB")
    geom_name = meta["geometry_name"] or "wkb_geometry"
    plain_path, curved_path = WORK / "dltb_plain.gpkg", WORK / "dltb_curved.gpkg"
    wkb = table.column(geom_name).to_pylist()
    attrs = table.drop_columns([geom_name])
    geoms = shapely.from_wkb(wkb)
    rows = np.linspace(0, len(wkb) - 1, n_curved).astype(int)
    curved = list(wkb)
    for i in rows:
        g = geoms[i]
        curved[i] = _curved_wkb(g if g.geom_type == "Polygon" else g.geoms[0])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not normally allowed.*")
        for path, values in ((plain_path, wkb), (curved_path, curved)):
            path.unlink(missing_ok=True)
            pyogrio.write_arrow(attrs.append_column("geometry", pa.array(values, pa.binary())),
                                path, layer="DLTB", driver="GPKG", geometry_name="geometry",
                                geometry_type="MultiPolygon", crs=meta["crs"])
    return plain_path, curved_path


def median_s(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curved", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plain, curved = make_copies(args.curved)
    n = pyogrio.read_info(plain, layer="DLTB")["features"]

    def quiet(path: Path) -> Callable[[], object]:
        def run() -> object:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return read_landuse(path, layer="DLTB")
        return run

    rows = [
        ("read_landuse, no curves", median_s(quiet(plain), args.repeat)),
        (f"read_landuse, {args.curved} curved rows", median_s(quiet(curved), args.repeat)),
        ("pyogrio arrow read, no curves (peer)", median_s(
            lambda: pyogrio.read_dataframe(plain, layer="DLTB", use_arrow=True), args.repeat)),
        (f"pyogrio non-arrow read, {args.curved} curved rows (peer)", median_s(
            lambda: pyogrio.read_dataframe(curved, layer="DLTB", use_arrow=False),
            args.repeat)),
    ]
    base = rows[0][1]
    print(f"{n} patches, median of {args.repeat} runs")
    for name, t in rows:
        print(f"  {name:<48} {t:7.3f} s   ×{t / base:.2f}")


if __name__ == "__main__":
    main()
