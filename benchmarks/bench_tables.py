"""Benchmark: ``landuse tables`` (the 三调 summary tables and the bulletin), whole process.

Runs ``python -m landuse.cli tables CONFIG --out DIR`` as a subprocess ``--repeat`` times
(median wall time) on the sample county and, with ``--large-gpkg``, on the large generated
county (``python sample_data/make_sample.py --large``). The large county is copied into
``--workdir`` and given the survey-table fields its generator run may predate (FRDBS on
DLTB, KZMJ on XZQ) by ``sample_data/add_survey_fields.py`` — the same deterministic step
as the sample; the original file is not touched. Target (issue #18): the large county
(232,784 patches) in ≤ 15 s. ``--villages`` times the village-level tables as well.

Usage::

    python benchmarks/bench_tables.py --repeat 3
    python benchmarks/bench_tables.py --repeat 3 --large-gpkg sample_data/large/large_county.gpkg
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "config.toml"
CONFIG = """[region]
name = "大县"
code = "370321"
year = 2022

[layers.landuse]
path = "{gpkg}"
layer = "DLTB"

[layers.townships]
path = "{gpkg}"
layer = "XZQ"
"""


def _time(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of a subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _line(label: str, runs: list[tuple[float, float]]) -> str:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    return (f"{label}: median wall {wall:.2f} s, CPU {cpu:.2f} s (runs "
            f"{', '.join(f'{r[0]:.2f}' for r in runs)}); load {os.getloadavg()[0]:.2f}")


def _report(label: str, config: Path, gpkg: Path, work: Path, repeat: int,
            villages: bool) -> None:
    # the peer measured in the same run: reading the land-use layer alone (read_landuse)
    read = [sys.executable, "-c", "import warnings; warnings.simplefilter('ignore'); "
            f"from landuse.io import read_landuse; read_landuse({str(gpkg)!r}, layer='DLTB')"]
    print(_line(f"{label} read_landuse alone", [_time(read) for _ in range(repeat)]), flush=True)
    for v in (False, True) if villages else (False,):
        cmd = [sys.executable, "-m", "landuse.cli", "tables", str(config), "--out",
               str(work / "out"), "-q", *(["--villages"] if v else [])]
        print(_line(f"{label} landuse tables{' --villages' if v else ''}",
                    [_time(cmd) for _ in range(repeat)]), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large-gpkg", type=Path, default=None)
    parser.add_argument("--villages", action="store_true", help="also time --villages")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench_tables.", dir=args.workdir))
    try:
        _report("sample county", SAMPLE, ROOT / "sample_data" / "huantai.gpkg", work,
                args.repeat, args.villages)
        if args.large_gpkg is not None:
            gpkg = work / "large_county.gpkg"
            shutil.copyfile(args.large_gpkg, gpkg)
            subprocess.run([sys.executable, str(ROOT / "sample_data" / "add_survey_fields.py"),
                            "--gpkg", str(gpkg), "--no-copies"], check=True)
            config = work / "large.toml"
            config.write_text(CONFIG.format(gpkg=gpkg.as_posix()), encoding="utf-8")
            _report("large county", config, gpkg, work, args.repeat, args.villages)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
