"""Split one annual run into its phases, in this process: imports, read, compute, write.

Usage::

    python benchmarks/run_phases.py [CONFIG] [--out DIR]

Prints wall / CPU seconds of each phase (CPU counts every thread of the process) and the
peak RSS. The imports are those of ``landuse.run`` and the writers; the phases are
:func:`landuse.run.read_inputs`, :func:`landuse.run.compute` and the writing of every
output (``write_outputs``), as ``landuse run`` does them.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", default=str(ROOT / "sample_data" / "config.toml"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    marks = [(time.perf_counter(), time.process_time())]
    from landuse.report.outputs import write_outputs
    from landuse.run import annual

    marks.append((time.perf_counter(), time.process_time()))
    cfg = annual.resolve(args.config, None)
    inputs = annual.read_inputs(cfg)
    marks.append((time.perf_counter(), time.process_time()))
    result = annual.compute(cfg, inputs)
    marks.append((time.perf_counter(), time.process_time()))
    out = args.out or Path(tempfile.mkdtemp(prefix="run_phases_")) / "out"
    shutil.rmtree(out, ignore_errors=True)
    write_outputs(result.output_data(), out)
    marks.append((time.perf_counter(), time.process_time()))
    names = ("imports", "read", "compute", "write")
    parts = [f"{n} {b[0] - a[0]:.2f}/{b[1] - a[1]:.2f}"
             for n, a, b in zip(names, marks, marks[1:], strict=False)]
    total = f"total {marks[-1][0] - marks[0][0]:.2f}/{marks[-1][1] - marks[0][1]:.2f}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("  ".join(parts), "", total, f"(wall/CPU s)  peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
