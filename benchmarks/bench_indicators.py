"""Benchmark: every indicator of the classes / intensity / farmland / economy / vacant families.

Targets (issue #4): all indicators for the sample county in <= 3 s and for the large
generated county (>= 200,000 patches, with the control lines) in <= 15 s, medians of 3
runs of :func:`landuse.indicators.rows.compute_indicators` (township assignment from the
XZQ layer, permanent-farmland and high-standard-farmland overlays, the socio-economic
table, targets) plus the class-area table. Reading the layers is timed separately.

Run::

    /work/venv/bin/python benchmarks/bench_indicators.py                 # sample_data/huantai.gpkg
    /work/venv/bin/python benchmarks/bench_indicators.py \\
        --gpkg sample_data/large/large_county.gpkg --repeat 3

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

import pyogrio

from landuse.errors import LanduseError
from landuse.indicators.classes import class_areas
from landuse.indicators.rows import compute_indicators
from landuse.indicators.targets import load_targets
from landuse.io.tables import read_socioeconomic
from landuse.io.vector import read_control_line, read_landuse, read_townships

ROOT = Path(__file__).resolve().parents[1]


def _layer(names: list[str], *candidates: str) -> str | None:
    upper = {n.upper(): n for n in names}
    for c in candidates:
        if c.upper() in upper:
            return upper[c.upper()]
    return None


def load(gpkg: Path) -> dict[str, Any]:
    """Read the layers and tables the indicators use (timed apart from the indicators)."""
    names = [str(n) for n in pyogrio.list_layers(gpkg)[:, 0]]
    folder = gpkg.parent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data: dict[str, Any] = {"lu": read_landuse(gpkg, layer="DLTB")}
        if (xzq := _layer(names, "XZQ")) is not None:
            data["townships"] = read_townships(gpkg, layer=xzq)
        if (pf := _layer(names, "YJJBNTBHTB", "YJJBNTTB")) is not None:
            data["pf"] = read_control_line(gpkg, kind="permanent_farmland", layer=pf)
        if (hsf := _layer(names, "GBZNT", "GBZNTTB", "HSF", "high_standard_farmland")) is not None:
            data["hsf"] = pyogrio.read_dataframe(gpkg, layer=hsf).to_crs(data["lu"].crs)
        for stats in (folder / "stats.csv", ROOT / "sample_data" / "stats.csv"):
            if stats.is_file():
                data["socio"] = read_socioeconomic(stats)
                break
        for tpath in (folder / "targets.toml", ROOT / "sample_data" / "targets.toml"):
            if tpath.is_file():
                try:
                    data["targets"] = load_targets(tpath)
                except LanduseError as exc:  # report and go on without targets
                    print(f"targets not used: {exc}".splitlines()[0] + " ...")
                break
    data["layers"] = names
    return data


def run_all(d: dict[str, Any], year: int) -> tuple[int, int]:
    rows = compute_indicators(
        d["lu"], townships=d.get("townships"), permanent_farmland=d.get("pf"),
        high_standard_farmland=d.get("hsf"), socio=d.get("socio"), year=year,
        base_year=year - 2, base_construction_land_ha=None, targets=d.get("targets"))
    table = class_areas(d["lu"])
    return len(rows), len(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpkg", type=Path, default=ROOT / "sample_data" / "huantai.gpkg")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", type=int, default=2022)
    args = parser.parse_args(argv)
    if not args.gpkg.is_file():
        print(f"{args.gpkg} is absent; make it with sample_data/make_sample.py")
        return 1
    t0 = time.perf_counter()
    data = load(args.gpkg)
    t_read = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        n_rows, n_class = run_all(data, args.year)
        times.append(time.perf_counter() - t)
    used = [k for k in ("townships", "pf", "hsf", "socio", "targets") if k in data]
    print(json.dumps({
        "gpkg": str(args.gpkg), "patches": len(data["lu"]), "inputs": used,
        "read_s": round(t_read, 2), "indicators_median_s": round(statistics.median(times), 3),
        "runs_s": [round(t, 3) for t in times], "indicator_rows": n_rows,
        "class_area_rows": n_class,
    }, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
