"""Benchmark the whole annual run: ``landuse run`` as a separate process, wall time and peak RSS.

Goals (issue "One county, one answer", this 2-core machine): the sample county ≤ 3 s wall;
the large generated county (``sample_data/large/``) ≤ 30 s with peak memory ≤ 1.5 GB;
``landuse --version`` ≤ 0.3 s. Each case runs ``--repeat`` times (default 3) and reports the
median wall time, the median CPU time (what the wall time would be on an idle machine) and
the largest peak RSS.

Peak memory is measured by ``/usr/bin/time -v`` ("Maximum resident set size") when it exists
(Debian: ``apt-get install time``), else from ``resource.getrusage(RUSAGE_CHILDREN)`` of the
finished child.

Usage::

    python benchmarks/bench_run.py                 # sample county, 3 runs
    python benchmarks/bench_run.py --large         # also the large county (make it first:
                                                   #   python sample_data/make_sample.py --large)
    python benchmarks/bench_run.py --repeat 1 --config path/to/config.toml

The large county has no tables of its own: its config is derived from
``sample_data/config.toml`` by pointing every layer stored in ``huantai.gpkg`` at
``large/large_county.gpkg`` (layers missing there are dropped), written to
``benchmarks/_work/large_config.toml``.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pyogrio

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "config.toml"
LARGE_GPKG = ROOT / "sample_data" / "large" / "large_county.gpkg"
WORK = ROOT / "benchmarks" / "_work"


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _dump(data: dict) -> list[str]:
    """TOML text of a run config (two table levels: ``[region]``, ``[layers.landuse]`` ...)."""
    lines: list[str] = []
    for top, body in data.items():
        nested = top in ("layers", "tables", "rasters")
        for name, spec in (body.items() if nested else [(None, body)]):
            lines.append(f"[{top}.{name}]" if nested else f"[{top}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in spec.items()]
            lines.append("")
    return lines


def large_config(large_gpkg: Path = LARGE_GPKG, sample: Path = SAMPLE) -> Path:
    """Write a config for the large county derived from the sample config; return its path."""
    data = tomllib.loads(sample.read_text(encoding="utf-8"))
    large_layers = {str(n) for n in pyogrio.list_layers(large_gpkg)[:, 0]}
    base = sample.parent
    for group in ("layers", "tables", "rasters"):
        for role, spec in list(data.get(group, {}).items()):
            path = (base / spec["path"]).resolve()
            if path.name == "huantai.gpkg":
                if spec.get("layer", "DLTB") not in large_layers:
                    del data[group][role]
                    continue
                path = large_gpkg.resolve()
            spec["path"] = str(path)
            for key in ("classes", "parcels"):
                if key in spec:
                    spec[key] = str((base / spec[key]).resolve())
    if "targets" in data and "path" in data["targets"]:
        data["targets"]["path"] = str((base / data["targets"]["path"]).resolve())
    if "rules" in data and "path" in data["rules"]:
        data["rules"]["path"] = str((base / data["rules"]["path"]).resolve())
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / "large_config.toml"
    out.write_text("\n".join(_dump(data)) + "\n", encoding="utf-8")
    return out


def run_once(config: Path) -> tuple[float, float, float]:
    """Run ``landuse run`` once in a child process; return (wall s, CPU s, peak RSS MiB).

    CPU time (user + system) shows what the wall time would be on an idle machine when the
    machine is shared.
    """
    out = Path(tempfile.mkdtemp(prefix="bench_run_")) / "out"
    cmd = [sys.executable, "-m", "landuse.cli", "run", str(config), "--out", str(out), "--quiet"]
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    try:
        if timer is not None:
            t0 = time.perf_counter()
            proc = subprocess.run([timer, "-v", *cmd], capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if proc.returncode not in (0, 4):
                raise SystemExit(f"landuse run failed ({proc.returncode}):\n{proc.stderr}")
            match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
            rss = int(match.group(1)) / 1024 if match else float("nan")
            cpu = sum(float(m) for m in re.findall(
                r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
        else:
            usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            before = usage0.ru_maxrss
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if proc.returncode not in (0, 4):
                raise SystemExit(f"landuse run failed ({proc.returncode}):\n{proc.stderr}")
            usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            rss = max(usage1.ru_maxrss, before) / 1024  # Linux: kB; max over children so far
            cpu = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    return wall, cpu, rss


def bench(name: str, config: Path, repeat: int, wall_target: float, rss_target_mib: float
          ) -> dict[str, object]:
    """Run one case ``repeat`` times and print its median wall time and peak memory."""
    runs = [run_once(config) for _ in range(repeat)]
    walls = [w for w, _, _ in runs]
    cpu = statistics.median(c for _, c, _ in runs)
    peak = max(r for _, _, r in runs)
    med = statistics.median(walls)
    ok = med <= wall_target and peak <= rss_target_mib
    print(f"{name:<8} runs={repeat} median wall {med:7.2f} s (target ≤ {wall_target:.0f} s) "
          f"all {', '.join(f'{w:.2f}' for w in walls)}; median CPU {cpu:.2f} s; "
          f"peak RSS {peak:7.0f} MiB "
          f"(target ≤ {rss_target_mib:.0f} MiB) -> {'OK' if ok else 'MISSED'}", flush=True)
    return {"case": name, "median_s": med, "walls": walls, "cpu_s": cpu, "peak_mib": peak,
            "ok": ok}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=SAMPLE)
    parser.add_argument("--large", action="store_true", help="also the large county")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large-gpkg", type=Path, default=LARGE_GPKG,
                        help="the large county's GeoPackage (make_sample.py --large)")
    args = parser.parse_args(argv)
    version = version_time(args.repeat)
    results = [bench("sample", args.config, args.repeat, 3.0, 3072.0)]
    if args.large:
        if not args.large_gpkg.exists():
            raise SystemExit(f"{args.large_gpkg} missing: python sample_data/make_sample.py "
                             "--large")
        results.append(bench("large", large_config(args.large_gpkg, args.config), args.repeat,
                             30.0, 1536.0))
    return 0 if version <= 0.3 and all(r["ok"] for r in results) else 1


def version_time(repeat: int) -> float:
    """Median wall time of ``landuse --version`` (a fresh interpreter each time)."""
    exe = shutil.which("landuse")
    cmd = [exe, "--version"] if exe else [sys.executable, "-m", "landuse.cli", "--version"]
    walls = []
    for _ in range(max(repeat, 3)):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append(time.perf_counter() - t0)
    med = statistics.median(walls)
    print(f"version  median wall {med:7.3f} s (target ≤ 0.3 s) all "
          f"{', '.join(f'{w:.3f}' for w in walls)}", flush=True)
    return med


if __name__ == "__main__":
    raise SystemExit(main())
