"""The annual run as a job in its own process, writing into its own folder.

Each ``indicators`` job runs :func:`landuse.run.run` in a fresh (spawned) Python process:
jobs do not share warning filters, GEOS objects or memory with each other or with the
server, and a crash of one job cannot take the server down. A job process dies with the
server, also when the server is killed (``kill -9``): on Linux the kernel sends it
SIGKILL when its parent ends (``PR_SET_PDEATHSIG``); elsewhere a watchdog thread in it
ends it within a second. It runs at a lower CPU priority (``nice`` +10, POSIX), so the
synchronous requests of the server (``check-new-right``) keep their latency while annual
runs take the spare CPU. The child writes

- ``outputs/``: every output of docs/contract.md §3 (``indicators.json`` ...), atomically;
- ``progress.json``: ``{"step", "done", "total"}``, replaced at each step;
- ``pid``: its process id, while it runs;
- ``error.json`` on failure: ``{"kind": "input" | "internal", "message"}`` (the traceback
  of an internal error goes to ``error.log`` in the job folder, never to the client).
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from landuse.errors import LanduseError
from landuse.run import run

__all__ = ["JobFailed", "run_annual_job"]


class JobFailed(Exception):
    """The job's process reported an error (``kind`` is ``input`` or ``internal``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


#: prctl option: signal to receive when the parent ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
#: Niceness added to a job process: batch work yields the CPU to the server's requests.
JOB_NICENESS = 10


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` (the server) ends, however it ends.

    Linux: the kernel's parent-death signal (SIGKILL). Everywhere, and as a back-up: a
    daemon thread that ends the process within a second of the parent's end (the
    process is re-parented, so ``os.getppid()`` changes).
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog below still works
            pass
    if os.getppid() != parent:  # the parent ended before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _child(config: str, job_dir: str, parent: int) -> None:  # pragma: no cover - child
    """Entry point of the job process: run, write outputs, or write error.json."""
    die_with_parent(parent)
    if hasattr(os, "nice"):
        os.nice(JOB_NICENESS)
    folder = Path(job_dir)
    (folder / "pid").write_text(str(os.getpid()), encoding="utf-8")
    warnings.simplefilter("ignore")  # every LanduseWarning is a finding in the outputs

    def progress(step: str, done: int, total: int) -> None:
        _write_json(folder / "progress.json", {"step": step, "done": done, "total": total})

    try:
        run(config, out=folder / "outputs", progress=progress)
    except LanduseError as exc:
        _write_json(folder / "error.json",
                    {"kind": "input", "message": f"{type(exc).__name__}: {exc}"})
    except BaseException as exc:
        (folder / "error.log").write_text(traceback.format_exc(), encoding="utf-8")
        _write_json(folder / "error.json",
                    {"kind": "internal", "message": f"{type(exc).__name__}: {exc}"})


def run_annual_job(config: Path, job_dir: Path, *,
                   progress: Callable[[str, int, int], None] | None = None,
                   poll_s: float = 0.5) -> Path:
    """Run the annual run of ``config`` in a new process; return ``job_dir/outputs``.

    Parameters
    ----------
    config : Path
        The run config (already checked to lie under the data root).
    job_dir : Path
        The job's own folder (created); nothing outside it is written.
    progress : callable, optional
        ``progress(step, done, total)``, called from this thread when the child reports.
    poll_s : float
        Seconds between looks at the child's ``progress.json``.

    Raises
    ------
    JobFailed
        The run failed: ``kind = "input"`` for a :class:`~landuse.errors.LanduseError`
        (the CLI's message), ``"internal"`` for anything else or a crashed process.
    """
    job_dir.mkdir(parents=True, exist_ok=True)
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_child, args=(str(config), str(job_dir), os.getpid()),
                       daemon=True)
    proc.start()
    seen: Any = None
    while proc.is_alive():
        proc.join(poll_s)
        seen = _report(job_dir, progress, seen)
    _report(job_dir, progress, seen)
    (job_dir / "pid").unlink(missing_ok=True)
    error = job_dir / "error.json"
    if error.exists():
        doc = json.loads(error.read_text(encoding="utf-8"))
        raise JobFailed(doc["kind"], doc["message"])
    if proc.exitcode != 0 or not (job_dir / "outputs" / "indicators.json").exists():
        raise JobFailed("internal", f"the job process ended with exit code {proc.exitcode} "
                        "and wrote no indicators.json")
    return job_dir / "outputs"


def _report(job_dir: Path, progress: Callable[[str, int, int], None] | None,
            seen: Any) -> Any:
    if progress is None:
        return seen
    try:
        doc = json.loads((job_dir / "progress.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return seen
    if doc != seen:
        progress(str(doc["step"]), int(doc["done"]), int(doc["total"]))
    return doc

