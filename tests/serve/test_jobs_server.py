"""Jobs (indicators) and the real server on 127.0.0.1.

- two ``indicators`` jobs at once give the annual run's indicators.json (landuse.run.run on
  the same config), each in its own job folder;
- a job that fails is reported as failed and the server keeps answering;
- the same app behind waitress on a free loopback port answers every process like the
  test client, and refuses a path traversal.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # annual runs in subprocesses: about a minute on a quiet machine

CONFIG = "huantai/config.toml"
GK_BOX = {"type": "Polygon", "coordinates": [[[39585000, 4090000], [39585300, 4090000],
                                              [39585300, 4090300], [39585000, 4090300],
                                              [39585000, 4090000]]]}


def _without_created(doc: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    doc["provenance"].pop("created")
    return doc


@pytest.fixture(scope="module")
def reference(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """indicators.json of landuse.run.run on the same config, written as the CLI does."""
    from landuse.run import run

    out = tmp_path_factory.mktemp("reference") / "indicators.json"
    run(data_root / CONFIG).to_json(out)
    return json.loads(out.read_text(encoding="utf-8"))


def _wait(get, location: str, timeout_s: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    progress = []
    while time.monotonic() < deadline:
        status = get(f"{location}?f=json")
        progress.append(status.get("progress"))
        if status["status"] in ("successful", "failed", "dismissed"):
            status["seen_progress"] = progress
            return status
        time.sleep(0.5)
    raise AssertionError(f"job {location} did not finish in {timeout_s} s")


def test_two_concurrent_indicators_jobs_match_the_annual_run(client, reference, app):
    started = [client.post("/processes/indicators/execution", json={"inputs": {"config": CONFIG}},
                           headers={"Prefer": "respond-async"}) for _ in range(2)]
    for resp in started:
        assert resp.status_code == 201, resp.data
        assert resp.headers["Preference-Applied"] == "respond-async"
        assert resp.get_json()["status"] == "accepted"
    paths = [r.headers["Location"].split("://", 1)[1].split("/", 1)[1] for r in started]
    ids = [p.rsplit("/", 1)[1] for p in paths]
    assert ids[0] != ids[1]
    for n, path in enumerate(paths):
        status = _wait(lambda u: client.get("/" + u).get_json(), path)
        assert status["status"] == "successful", status
        assert status["progress"] == 100
        if n == 0:
            # the first job is polled from its start and the annual run takes seconds: a poll
            # every 0.5 s sees it between 0 and 100 % (the second job may have finished while
            # the first was polled, so only its final progress is checked)
            assert any(0 < (p or 0) < 100 for p in status["seen_progress"])
        links = {link["rel"].rsplit("/", 1)[-1] for link in status["links"]}
        assert "results" in links
        result = client.get(f"/{path}/results?f=json")
        assert result.status_code == 200
        assert _without_created(result.get_json()) == _without_created(reference)
    work = Path(app.extensions["landuse_api"].manager.state.jobs_dir)
    for job_id in ids:  # each job wrote the whole output set into its own folder
        assert (work / job_id / "outputs" / "indicators.json").is_file()
        assert (work / job_id / "outputs" / "redlines.csv").is_file()


def test_failed_job_is_reported_and_server_stays_up(client, data_root, app):
    resp = client.post("/processes/indicators/execution",
                       json={"inputs": {"config": "broken/config.toml"}},
                       headers={"Prefer": "respond-async"})
    # the config loads (the table exists); reading the table fails inside the job
    assert resp.status_code == 201, resp.data
    path = resp.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    status = _wait(lambda u: client.get("/" + u).get_json(), path)
    assert status["status"] == "failed"
    message = status["message"]
    assert "SchemaError" in message and "broken/stats.csv" in message
    assert "missing column 'year'" in message
    assert "Traceback" not in message and str(data_root) not in message
    assert client.get(f"/{path}/results?f=json").status_code >= 400
    # the same run without Prefer: the request waits and answers 400 with the message
    sync = client.post("/processes/indicators/execution",
                       json={"inputs": {"config": "broken/config.toml"}})
    assert sync.status_code == 400
    assert "missing column 'year'" in sync.get_json()["description"]
    jobs_dir = app.extensions["landuse_api"].manager.state.jobs_dir
    assert not list(jobs_dir.glob("sync-*"))  # the synchronous run's folder is gone
    ok = client.post("/processes/check-new-right/execution", json={"inputs": {
        "config": CONFIG, "crs": "EPSG:4527", "geometry": GK_BOX}})
    assert ok.status_code == 200


def _http(method: str, url: str, body: dict | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def test_in_process_and_real_server(data_root, tmp_path, reference):
    from landuse.serve import create_app
    from landuse.serve._server import make_server, stop

    app = create_app(data_root, work_dir=tmp_path, url="http://127.0.0.1:0", open_jobs=True)
    server = make_server(app, host="127.0.0.1", port=0, threads=4,
                         max_request_body_size=10_000_000)
    port = server.effective_port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    client = app.test_client()
    try:
        check = {"inputs": {"config": CONFIG, "crs": "EPSG:4527", "geometry": GK_BOX}}
        status, _, over_http = _http("POST", f"{base}/processes/check-new-right/execution",
                                     check)
        in_process = client.post("/processes/check-new-right/execution", json=check)
        assert status == 200 and over_http == in_process.get_json()

        text = (Path(__file__).resolve().parents[2] / "sample_data" / "txt" / "supply"
                / "supply_utf8_lf.txt").read_text(encoding="utf-8")
        conv = {"inputs": {"content": text}}
        status, headers, geo = _http("POST", f"{base}/processes/txt2geojson/execution", conv)
        assert status == 200 and headers["Content-Type"].startswith("application/geo+json")
        assert geo == json.loads(client.post("/processes/txt2geojson/execution",
                                             json=conv).data)

        status, _, refused = _http("POST", f"{base}/processes/indicators/execution",
                                   {"inputs": {"config": "../secret.toml"}})
        assert status == 400 and "relative paths" in refused["description"]

        status, headers, accepted = _http("POST", f"{base}/processes/indicators/execution",
                                          {"inputs": {"config": CONFIG}},
                                          {"Prefer": "respond-async"})
        assert status == 201 and accepted["status"] == "accepted"
        job = f"{base}/jobs/{accepted['jobID']}"
        done = _wait(lambda u: _http("GET", u)[2], job)
        assert done["status"] == "successful", done
        status, _, result = _http("GET", f"{job}/results?f=json")
        assert status == 200 and _without_created(result) == _without_created(reference)
        status, _, listed = _http("GET", f"{base}/jobs?f=json")
        assert accepted["jobID"] in {j["jobID"] for j in listed["jobs"]}
        status, _, _ = _http("DELETE", job)
        assert status == 200 and not (tmp_path / "jobs" / accepted["jobID"]).exists()
    finally:  # closes the sockets from the server's own thread (no race with its loop)
        stop(server, thread)
    assert not thread.is_alive()
