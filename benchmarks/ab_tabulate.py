"""A/B of ``landuse.overlay.tabulate`` between checkouts, on the layouts of issue 20.

Each checkout (``--tree``, a directory holding a ``landuse`` package: this repository, or a
``git worktree`` of an older commit) runs in its own process, which imports ``landuse`` from
that directory, warms up with one call and then times ``--reps`` calls of
``tabulate(dltb, zones, by_a="DLBM", by_b="ZONE", area="planar", n_jobs=1)`` in CPU
seconds; it prints the median and the minimum. The checkouts alternate, ``--rounds`` times
per layout, so that a change in the machine's load hits both. The layouts are those of
``bench_overlay.py`` (generated once with a fixed seed, cached in ``benchmarks/_work``).

Usage::

    git worktree add /tmp/before <commit>
    python benchmarks/ab_tabulate.py --tree /tmp/before --tree . --reps 7 --rounds 2
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAYOUTS = ("towns", "shared-edge", "redline", "small-zones")

WORKER = """
import sys, time, json
sys.path.insert(0, {tree!r})
import geopandas as gpd
import landuse
from landuse.overlay import tabulate
assert landuse.__file__.startswith({tree!r}), landuse.__file__
a, b = gpd.read_parquet({dltb!r}), gpd.read_parquet({zone!r})
run = lambda: tabulate(a, b, by_a="DLBM", by_b="ZONE", area="planar", n_jobs=1)
run()
cpu = []
for _ in range({reps}):
    c = time.process_time()
    run()
    cpu.append(time.process_time() - c)
print(json.dumps(cpu))
"""


def layout_paths(name: str) -> tuple[str, str]:
    """The cached GeoParquet files of one layout (written by bench_overlay.py if missing)."""
    sys.path.insert(0, str(HERE))
    from bench_overlay import prepare_data

    paths, _ = prepare_data(argparse.Namespace(data=None, size=None), HERE / "_work" / "overlay",
                            name)
    return paths["DLTB"], paths["ZONE"]


def time_tree(tree: Path, dltb: str, zone: str, reps: int) -> list[float]:
    code = WORKER.format(tree=str(tree.resolve()), dltb=dltb, zone=zone, reps=reps)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tree", action="append", type=Path, required=True,
                   help="a checkout to time (give two or more, in the order to alternate)")
    p.add_argument("--layout", choices=[*LAYOUTS, "all"], default="all")
    p.add_argument("--reps", type=int, default=7, help="timed calls per process")
    p.add_argument("--rounds", type=int, default=2, help="processes per checkout and layout")
    args = p.parse_args(argv)
    for tree in args.tree:
        if not (tree / "landuse" / "__init__.py").exists():
            p.error(f"{tree} holds no landuse package")
    names = LAYOUTS if args.layout == "all" else (args.layout,)
    print(f"tabulate CPU s, median / min of {args.reps} calls per process "
          f"(load average {Path('/proc/loadavg').read_text().split()[0]} at "
          f"{time.strftime('%H:%M')})")
    for name in names:
        dltb, zone = layout_paths(name)
        for r in range(args.rounds):
            cells = []
            for tree in args.tree:
                cpu = time_tree(tree, dltb, zone, args.reps)
                cells.append(f"{tree}: {statistics.median(cpu):.3f} / {min(cpu):.3f}")
            print(f"{name:12s} round {r + 1}: " + " | ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
