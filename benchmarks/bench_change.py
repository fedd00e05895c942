"""Benchmark: the transition matrix between two survey vintages of the large county.

Target (issue #8): the transition matrix (county and township rows) of the large generated
county in <= 30 s (median of ``--repeat`` runs). Reading the layers is not timed.

The previous vintage is made by ``sample_data/make_vintage.py`` from the current one when
it does not exist yet (new factories and roads on farmland, village consolidation,
revitalised stock, and 5 cm boundary jitter on every coordinate, so every shared boundary
gives sliver pieces that the jitter rule must absorb).

Run::

    python sample_data/make_sample.py --large --out sample_data/large/
    /work/venv/bin/python benchmarks/bench_change.py                       # large county
    /work/venv/bin/python benchmarks/bench_change.py --current sample_data/huantai.gpkg \\
        --previous sample_data/huantai_2021.gpkg                            # sample county
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

from landuse.indicators.change import transition_flows, transition_matrix
from landuse.io.vector import read_landuse

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--current", type=Path, default=ROOT / "sample_data/large/large_county.gpkg")
    p.add_argument("--previous", type=Path, default=None,
                   help="default: <current>_2021.gpkg, made with make_vintage.py if missing")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    prev_path = args.previous or args.current.with_name(args.current.stem + "_2021.gpkg")
    if not args.current.exists():
        print(f"{args.current} not found: run python sample_data/make_sample.py --large "
              "--out sample_data/large/", file=sys.stderr)
        return 2
    if not prev_path.exists():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "sample_data/make_vintage.py"), "--current",
                        str(args.current), "--out", str(prev_path), "--no-raster"], check=True)
        print(f"previous vintage made in {time.perf_counter() - t0:.1f} s")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cur = read_landuse(args.current, layer="DLTB")
        prev = read_landuse(prev_path, layer="DLTB")
    print(f"current {len(cur)} patches, previous {len(prev)} patches")
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        flows = transition_flows(prev, cur, by="township")
        matrix = transition_matrix(flows, level="code")
        times.append(time.perf_counter() - t0)
    county = matrix[matrix["zone"].str.len() == 6]
    changed = county[county["from_code"] != county["to_code"]]
    print(f"transition matrix: {statistics.median(times):.2f} s median of {args.repeat} "
          f"(runs {', '.join(f'{t:.2f}' for t in times)}); {len(flows)} flows, "
          f"{len(matrix)} matrix rows")
    print(f"  county total {county['area_ha'].sum():.4f} ha vs Σ TBMJ "
          f"{cur['TBMJ'].sum() / 1e4:.4f} ha (Σ TBDLMJ + Σ KCMJ "
          f"{(cur['TBDLMJ'].sum() + cur['KCMJ'].sum()) / 1e4:.4f} ha); "
          f"changed {changed['area_ha'].sum():.2f} ha; "
          f"jitter absorbed {matrix.attrs['jitter_area_m2']:.1f} m²")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
