"""Bounded, honest jobs (issue #17): the queue, the disk budget of uploads, restarts.

- with ``max_jobs=1, max_queued=2`` three annual runs are admitted, the fourth (async or
  not) is 503 with ``Retry-After``; a waiting job is ``queued`` (message "queued ..."),
  distinct from the one ``running``;
- the unpacked uploads of queued jobs count against a disk budget (503 while full, 413
  for one upload larger than the whole budget), given back when their runs end;
- a real server killed with ``kill -9`` mid-job takes its job process with it; restarted
  on the same work folder it marks the running and the queued job ``failed`` ("server
  restarted") and removes their uploads.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.report.county import write_county

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "broken/config.toml"  # loads, then fails inside its job (a short run)


def _start(client, inputs: dict[str, Any]):
    return client.post("/processes/indicators/execution", json={"inputs": inputs},
                       headers={"Prefer": "respond-async"})


def _status(client, job_id: str) -> dict[str, Any]:
    return client.get(f"/jobs/{job_id}?f=json").get_json()


def _wait(client, job_ids: list[str], timeout_s: float = 300) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        docs = [_status(client, j) for j in job_ids]
        if all(d["status"] in ("successful", "failed") for d in docs):
            return docs
        time.sleep(0.2)
    raise AssertionError(f"jobs {job_ids} did not end in {timeout_s} s")


@pytest.mark.slow
def test_queue_is_bounded_and_queued_is_not_running(data_root, tmp_path, monkeypatch):
    import threading

    from landuse.serve import create_app
    from landuse.serve.processes import IndicatorsProcessor

    app = create_app(data_root, work_dir=tmp_path, max_jobs=1, max_queued=2,
                     open_jobs=True)
    client = app.test_client()
    manager = app.extensions["landuse_api"].manager
    state = manager.state
    # one runs at a time: every run records, while it runs, how many runs are inside
    # and what the server says of the three jobs (read in the run itself, not sampled
    # from outside, where a run of a broken config can start and end between two polls)
    lock = threading.Lock()
    inside = [0]
    seen: list[tuple[int, tuple[str, ...]]] = []
    run = IndicatorsProcessor.run

    def recording_run(self, prepared, **kw):
        with lock:
            inside[0] += 1
            states = tuple(sorted(manager.get_job(j)["status"] for j in jobs))
            seen.append((inside[0], states))
        try:
            return run(self, prepared, **kw)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(IndicatorsProcessor, "run", recording_run)
    jobs: list[str] = []
    state.job_slots.acquire()  # the test holds the only running slot: jobs must wait
    try:
        for _ in range(3):
            resp = _start(client, {"config": BROKEN})
            assert resp.status_code == 201, resp.data
            jobs.append(resp.get_json()["jobID"])
        for job in jobs:
            doc = _status(client, job)
            assert doc["status"] == "queued" and doc["message"].startswith("queued"), doc
        full = _start(client, {"config": BROKEN})
        assert full.status_code == 503 and full.headers["Retry-After"] == "30"
        assert full.get_json()["code"] == "ServerBusy"
        assert "queue is full (1 running, 2 waiting" in full.get_json()["description"]
        sync = client.post("/processes/indicators/execution",
                           json={"inputs": {"config": BROKEN}})
        assert sync.status_code == 503  # a synchronous run takes a place too
        assert len(client.get("/jobs?f=json").get_json()["jobs"]) == 3
        assert seen == []  # nothing ran while the test held the slot
    finally:
        state.job_slots.release()
    for doc in _wait(client, jobs):
        assert doc["status"] == "failed" and "missing column 'year'" in doc["message"]
    # three runs, one at a time; while the first ran the two others were waiting (stored
    # as OGC "accepted", which the status documents above show as "queued"), while the
    # last ran the two others had failed
    assert [n for n, _ in seen] == [1, 1, 1], seen
    assert [states for _, states in seen] == [("accepted", "accepted", "running"),
                                              ("accepted", "failed", "running"),
                                              ("failed", "failed", "running")], seen
    assert _start(client, {"config": BROKEN}).status_code == 201  # places given back


def _archive(county: Path, padding: int) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for p in sorted(county.iterdir()):
            if p.is_file():
                zf.writestr(p.name, p.read_bytes())
        zf.writestr("padding.bin", os.urandom(padding))
    return base64.b64encode(buf.getvalue()).decode("ascii")


@pytest.mark.slow
def test_uploads_of_queued_jobs_count_against_a_disk_budget(tmp_path, data_root):
    from landuse.serve import create_app

    county = write_county(tmp_path / "county").parent
    size = sum(p.stat().st_size for p in county.iterdir() if p.is_file())
    budget = 2 * size + 150_000
    app = create_app(data_root, work_dir=tmp_path / "work", max_upload_bytes=2_000_000,
                     upload_disk_bytes=budget, max_jobs=1, max_queued=4, open_jobs=True)
    client = app.test_client()
    state = app.extensions["landuse_api"].manager.state
    uploads = tmp_path / "work" / "uploads"
    state.job_slots.acquire()
    try:
        first = _start(client, {"archive_base64": _archive(county, 100_000)})
        assert first.status_code == 201, first.data
        assert state.uploads.used == size + 100_000  # counted on the bytes written
        second = _start(client, {"archive_base64": _archive(county, 100_000)})
        assert second.status_code == 503 and second.headers["Retry-After"] == "30"
        assert "disk budget" in second.get_json()["description"]
        assert len(list(uploads.iterdir())) == 1  # the refused upload was removed
        alone = _start(client, {"archive_base64": _archive(county, budget)})
        assert alone.status_code == 413, alone.data  # can never fit: not "retry later"
    finally:
        state.job_slots.release()
    (doc,) = _wait(client, [first.get_json()["jobID"]])
    assert doc["status"] == "successful", doc
    assert state.uploads.used == 0 and list(uploads.iterdir()) == []
    again = _start(client, {"archive_base64": _archive(county, 100_000)})
    assert again.status_code == 201
    _wait(client, [again.get_json()["jobID"]])


def _http(method: str, url: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, data=body, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _launch(data_root: Path, work: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """``landuse serve --port 0`` as its own process; return it and its base URL."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "landuse.cli", "serve", "--host", "127.0.0.1", "--port",
             "0", "--data-root", str(data_root), "--work-dir", str(work), "--max-jobs", "1",
             "--open"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r"on (http://127\.0\.0\.1:\d+)", log.read_text(encoding="utf-8"))
        if found:
            return proc, found.group(1)
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text(encoding='utf-8')}")
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start in 120 s")


def _job_processes(server: int) -> list[int]:
    """The spawned job processes of the server (not multiprocessing's resource tracker)."""
    import psutil

    return [p.pid for p in psutil.Process(server).children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline())]


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow
def test_kill_9_mid_job_then_restart(data_root, tmp_path):
    work = tmp_path / "work"
    county = write_county(tmp_path / "county").parent
    proc, base = _launch(data_root, work, tmp_path / "server1.log")
    try:
        status, running = _http("POST", f"{base}/processes/indicators/execution",
                                b'{"inputs": {"config": "huantai/config.toml"}}',
                                {"Prefer": "respond-async"})
        assert status == 201, running
        body = json.dumps({"inputs": {"archive_base64": _archive(county, 1000)}}).encode()
        status, queued = _http("POST", f"{base}/processes/indicators/execution", body,
                               {"Prefer": "respond-async"})
        assert status == 201, queued
        assert len(list((work / "uploads").iterdir())) == 1
        deadline = time.monotonic() + 120
        children: list[int] = []
        while not children and time.monotonic() < deadline:
            children = _job_processes(proc.pid)
            time.sleep(0.1)
        (child,) = children  # --max-jobs 1: one job process, the other job is queued
        assert _http("GET", f"{base}/jobs/{running['jobID']}?f=json")[1]["status"] == "running"
        assert _http("GET", f"{base}/jobs/{queued['jobID']}?f=json")[1]["status"] == "queued"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    deadline = time.monotonic() + 15
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child), "the job process outlived the killed server"
    assert not (work / "jobs" / running["jobID"] / "outputs" / "indicators.json").exists()

    proc, base = _launch(data_root, work, tmp_path / "server2.log")
    try:
        for job in (running, queued):
            status, doc = _http("GET", f"{base}/jobs/{job['jobID']}?f=json")
            assert status == 200 and doc["status"] == "failed", doc
            assert doc["message"].startswith("server restarted"), doc
        assert list((work / "uploads").iterdir()) == []
        # the restarted server runs new jobs
        status, doc = _http("POST", f"{base}/processes/check-new-right/execution",
                            b'{"inputs": {"config": "huantai/config.toml", "crs": '
                            b'"EPSG:4527", "geometry": {"type": "Polygon", "coordinates": '
                            b'[[[39585000, 4090000], [39585300, 4090000], [39585300, '
                            b'4090300], [39585000, 4090000]]]}}}')
        assert status == 200 and "allowed" in doc
    finally:
        proc.terminate()
        proc.wait(30)


def test_the_command_shows_the_services_default_limits():
    # `landuse serve` cannot import the service at start-up (it is an optional extra), so
    # its option defaults are written out; they must be the library's (serve, create_app,
    # the job manager and ServiceState take landuse.serve._state's)
    import inspect

    from landuse import cli
    from landuse.serve import _state, app

    opts = {n: p.default for n, p in inspect.signature(cli.serve).parameters.items()}
    lib = {n: p.default for n, p in inspect.signature(app.serve).parameters.items()}
    expected = {"max_upload_bytes": _state.DEFAULT_MAX_UPLOAD_BYTES,
                "max_jobs": _state.DEFAULT_MAX_JOBS, "max_queued": _state.DEFAULT_MAX_QUEUED,
                "max_vertices": _state.DEFAULT_MAX_VERTICES,
                "max_upload_disk": _state.DEFAULT_UPLOAD_DISK_BYTES,
                "threads": app.DEFAULT_THREADS}
    assert {k: opts[k] for k in expected} == expected
    assert {k: lib[k] for k in expected if k != "max_upload_disk"} == {
        k: v for k, v in expected.items() if k != "max_upload_disk"}
    assert lib["upload_disk_bytes"] == _state.DEFAULT_UPLOAD_DISK_BYTES
    # the numbers of docs/serve.md's table: 10 MiB, 2, 4, 100,000, 2 GiB, 8
    assert expected == {"max_upload_bytes": 10 * 2**20, "max_jobs": 2, "max_queued": 4,
                        "max_vertices": 100_000, "max_upload_disk": 2 * 2**30, "threads": 8}
