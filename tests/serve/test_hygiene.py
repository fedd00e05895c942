"""HTTP hygiene (issue #17) and a clean stop of the real server.

No ``X-Powered-By`` nor version in headers and pages unless ``show_version``;
``X-Content-Type-Options: nosniff`` everywhere, a restrictive CSP and ``X-Frame-Options``
on HTML; a body over the limit answered by waitress itself is the OGC exception JSON; an
unknown job id is one INFO log line (no ERROR, no traceback); CORS only for the
configured origins; the server started in a thread stops without an error in its thread.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading

import pytest
from pygeoapi import __version__ as pygeoapi_version

from landuse import __version__ as landuse_version


def _versions(text: str) -> list[str]:
    return [v for v in (f"pygeoapi {pygeoapi_version}", pygeoapi_version, landuse_version)
            if v in text]


def test_no_version_and_security_headers(client):
    for path in ("/?f=json", "/?f=html", "/processes?f=html", "/openapi?f=html",
                 "/openapi?f=json", "/jobs/unknown?f=json", "/conformance?f=json"):
        resp = client.get(path)
        assert "X-Powered-By" not in resp.headers, path
        assert not _versions(str(resp.headers)), path
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert not _versions(resp.get_data(as_text=True)), path
        if resp.mimetype == "text/html":
            csp = resp.headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
            assert resp.headers["X-Frame-Options"] == "DENY"
    landing = client.get("/?f=json").get_json()
    assert not _versions(json.dumps(landing))


def test_show_version(data_root, tmp_path):
    from landuse.serve import create_app

    client = create_app(data_root, work_dir=tmp_path, show_version=True).test_client()
    resp = client.get("/?f=html")
    assert resp.headers["X-Powered-By"] == f"pygeoapi {pygeoapi_version}"
    assert pygeoapi_version in resp.get_data(as_text=True)
    assert landuse_version in json.dumps(client.get("/?f=json").get_json())


def test_unknown_job_is_one_info_line(client, caplog):
    with caplog.at_level(logging.INFO):
        resp = client.get("/jobs/0123456789abcdef?f=json")
    assert resp.status_code == 404
    records = [r for r in caplog.records if r.name.startswith("pygeoapi")]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].levelno == logging.INFO and records[0].exc_info is None
    assert records[0].getMessage() == "unknown job 0123456789abcdef (404)"


def test_cors_is_opt_in(data_root, tmp_path, client):
    origin = "https://gis.example.cn"
    assert "Access-Control-Allow-Origin" not in client.get(
        "/processes?f=json", headers={"Origin": origin}).headers
    from landuse.serve import create_app

    app = create_app(data_root, work_dir=tmp_path, cors_origins=[origin],
                     api_keys={"web": "k-web-0123456789"})
    c = app.test_client()
    pre = c.options("/processes/check-new-right/execution", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-api-key"})
    assert pre.status_code == 204  # a preflight carries no key
    assert "X-API-Key" in pre.headers["Access-Control-Allow-Headers"]
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    resp = c.get("/processes?f=json", headers={"Origin": origin, "X-API-Key":
                                               "k-web-0123456789"})
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == origin
    assert "Location" in resp.headers["Access-Control-Expose-Headers"]
    other = c.get("/processes?f=json", headers={"Origin": "https://evil.example",
                                                "X-API-Key": "k-web-0123456789"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert c.options("/processes", headers={"Origin": "https://evil.example"}
                     ).status_code == 401


def _serve(app, **kw):
    from landuse.serve._server import make_server

    server = make_server(app, host="127.0.0.1", port=0, threads=2,
                         max_request_body_size=kw.get("limit", 1000))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, thread


def test_oversize_body_is_ogc_json_from_waitress(data_root, tmp_path):
    from landuse.serve import create_app
    from landuse.serve._server import stop

    app = create_app(data_root, work_dir=tmp_path, max_upload_bytes=1000)
    server, thread = _serve(app, limit=1000)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        conn.request("POST", "/processes/txt2geojson/execution", body=b"x" * 5000,
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert resp.status == 413
        assert resp.getheader("Content-Type") == "application/json"
        doc = json.loads(body)
        assert doc["code"] == "PayloadTooLarge" and "1000 bytes" in doc["description"]
        assert resp.getheader("X-Content-Type-Options") == "nosniff"
    finally:
        stop(server, thread)
    assert not thread.is_alive()


def test_start_and_stop_many_times(data_root, tmp_path, caplog):
    """The stop closes the sockets from the loop's own thread: no error in any thread.

    Closing them from the test's thread raced the loop (``OSError: Bad file descriptor``
    about one run in nine) and the request threads (waitress logged the same error);
    pytest turns an exception in a thread into an error.
    """
    from landuse.serve import create_app
    from landuse.serve._server import stop

    app = create_app(data_root, work_dir=tmp_path)
    caplog.set_level(logging.ERROR, logger="waitress")
    for _ in range(30):
        server, thread = _serve(app)
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        conn.request("GET", "/conformance?f=json")
        assert conn.getresponse().status == 200
        conn.close()
        stop(server, thread)
        assert not thread.is_alive()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("path", ["/jobs/x", "/processes/nope"])
def test_not_found_is_json(client, path):
    resp = client.get(path + "?f=json")
    assert resp.status_code == 404 and resp.get_json()["description"]


def test_stop_survives_a_wake_up_already_pending(data_root, tmp_path, monkeypatch):
    """The loop may run the closing call before the stopping thread writes its byte.

    ``pull_trigger`` queues the call, then writes; a loop woken by a byte a request thread
    left earlier runs the call in between. Forced here: the earlier byte and the queued
    call go in together under the trigger's lock, the loop runs the call, and only then
    does the stopping thread write. Closing the trigger in that call made this write fail
    with ``OSError: Bad file descriptor`` (or write into a reused descriptor).
    """
    import time

    from waitress.trigger import trigger as Trigger

    from landuse.serve import create_app
    from landuse.serve._server import stop

    app = create_app(data_root, work_dir=tmp_path)
    server, thread = _serve(app)
    trigger = next(d for d in server._map.values() if isinstance(d, Trigger))
    write = trigger._physical_pull

    def racy_pull(thunk=None):
        with trigger.lock:
            write()  # a wake-up byte already pending
            trigger.thunks.append(thunk)
        deadline = time.monotonic() + 10
        while trigger.thunks and time.monotonic() < deadline:
            time.sleep(0.01)  # the loop has run the closing call
        assert trigger.thunks == []
        write()  # the stopping thread's own byte, after the call ran

    monkeypatch.setattr(trigger, "pull_trigger", racy_pull)
    stop(server, thread)
    assert not thread.is_alive()
    assert trigger._fds == []  # closed after the loop ended
