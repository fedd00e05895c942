"""The figures of docs/reliability.md: every case of the catalogue, counted.

Run from the repository root::

    python -m tests.bad_inputs.figures            # 2 worker processes
    python -m tests.bad_inputs.figures --jobs 1

Prints a Markdown table of the counts and one line per case that was not handled.
"""

from __future__ import annotations

import argparse
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.bad_inputs.cases import CASES
from tests.bad_inputs.county import build_base
from tests.bad_inputs.runner import run_case


def _one(args: tuple[int, str, str]) -> dict:
    index, base, work = args
    case = CASES[index]
    got = run_case(case, Path(base), Path(work))
    return {"name": case.name, "handled": got.handled, "silent_wrong": got.silent_wrong,
            "exit3": got.internal_error, "modified": got.inputs_modified,
            "out_intact": got.out_intact, "failed_run": case.exit == 2 and "run" in case.commands,
            "problems": got.problems}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        build_base(base)
        work = Path(tmp) / "cases"
        work.mkdir()
        jobs = [(i, str(base), str(work)) for i in range(len(CASES))]
        with ProcessPoolExecutor(max_workers=opts.jobs) as pool:
            rows = list(pool.map(_one, jobs))
    failed_runs = [r for r in rows if r["failed_run"]]
    print("| figure | value |\n|---|---|")
    print(f"| cases tried | {len(rows)} |")
    print(f"| handled as the catalogue expects | {sum(r['handled'] for r in rows)} |")
    print(f"| silently wrong (exit 0 without the expected error or finding) | "
          f"{sum(r['silent_wrong'] for r in rows)} |")
    print(f"| exit 3 (internal error) on bad input | {sum(r['exit3'] for r in rows)} |")
    print(f"| inputs modified | {sum(r['modified'] for r in rows)} |")
    print(f"| --out intact after a failed run | "
          f"{sum(bool(r['out_intact']) for r in failed_runs)} of {len(failed_runs)} |")
    for r in rows:
        if not r["handled"]:
            print(f"\nNOT HANDLED {r['name']}: " + " | ".join(r["problems"])[:600])


if __name__ == "__main__":
    main()
