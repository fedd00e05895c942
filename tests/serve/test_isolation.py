"""Isolation between clients (issue #17).

Several keys (``--api-keys FILE``, ``LANDUSE_API_KEYS``): each job belongs to the key that
created it, and listing, reading, results and deletion are limited to it (another client
gets 404, as for an unknown id). Without keys, listing and deletion are off (403) unless
the server was started with ``--open``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

BROKEN = "broken/config.toml"  # loads, then fails fast inside its job


def _start(client, key: str | None) -> str:
    headers = {"Prefer": "respond-async"}
    if key is not None:
        headers["X-API-Key"] = key
    resp = client.post("/processes/indicators/execution",
                       json={"inputs": {"config": BROKEN}}, headers=headers)
    assert resp.status_code == 201, resp.data
    return str(resp.get_json()["jobID"])


def _wait_done(client, job_id: str, key: str | None) -> None:
    headers = {"X-API-Key": key} if key else {}
    for _ in range(600):
        status = client.get(f"/jobs/{job_id}?f=json", headers=headers).get_json()
        if status["status"] in ("successful", "failed"):
            return
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end")


@pytest.fixture()
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.txt"
    path.write_text("# county platforms\nalice  k-alice-0123456789abcdef\n\n"
                    "bob k-bob-0123456789abcdef   # the approval system\n", encoding="utf-8")
    return path


def test_each_job_belongs_to_its_key(data_root, tmp_path, keys_file):
    from landuse.serve import create_app

    app = create_app(data_root, work_dir=tmp_path / "work", api_keys=keys_file)
    client = app.test_client()
    alice, bob = {"X-API-Key": "k-alice-0123456789abcdef"}, {"X-API-Key":
                                                              "k-bob-0123456789abcdef"}
    assert client.get("/jobs?f=json").status_code == 401
    job = _start(client, alice["X-API-Key"])
    _wait_done(client, job, alice["X-API-Key"])
    assert [j["jobID"] for j in client.get("/jobs?f=json", headers=alice).get_json()["jobs"]
            ] == [job]
    assert client.get("/jobs?f=json", headers=bob).get_json()["jobs"] == []
    for path in (f"/jobs/{job}?f=json", f"/jobs/{job}/results?f=json"):
        resp = client.get(path, headers=bob)
        assert resp.status_code == 404, resp.data  # as for an unknown id
        assert resp.get_json()["description"] == client.get(
            path.replace(job, "0" * 32), headers=bob).get_json()["description"].replace(
            "0" * 32, job)
    assert client.delete(f"/jobs/{job}", headers=bob).status_code == 404
    assert client.get(f"/jobs/{job}?f=json", headers=alice).status_code == 200  # still there
    assert client.delete(f"/jobs/{job}", headers=alice).status_code == 200
    assert client.get(f"/jobs/{job}?f=json", headers=alice).status_code == 404
    # the job records name the client, never its key
    db = (tmp_path / "work" / "jobs.tinydb").read_text(encoding="utf-8")
    assert "k-alice" not in db


def test_without_keys_listing_and_deletion_are_off_unless_open(data_root, tmp_path):
    from landuse.serve import create_app

    closed = create_app(data_root, work_dir=tmp_path / "closed").test_client()
    job = _start(closed, None)
    _wait_done(closed, job, None)
    assert closed.get(f"/jobs/{job}?f=json").status_code == 200  # its id is its capability
    listing = closed.get("/jobs?f=json")
    assert listing.status_code == 403 and "--open" in listing.get_json()["description"]
    assert closed.delete(f"/jobs/{job}").status_code == 403
    assert closed.get(f"/jobs/{job}?f=json").status_code == 200  # not dismissed by anyone

    opened = create_app(data_root, work_dir=tmp_path / "open", open_jobs=True).test_client()
    job = _start(opened, None)
    _wait_done(opened, job, None)
    assert job in {j["jobID"] for j in opened.get("/jobs?f=json").get_json()["jobs"]}
    assert opened.delete(f"/jobs/{job}").status_code == 200


def test_job_ids_are_random_uuids(client):
    import uuid

    ids = [_start(client, None) for _ in range(2)]
    for job_id in ids:
        assert uuid.UUID(job_id).version == 4  # 122 random bits (os.urandom)
        _wait_done(client, job_id, None)
    assert ids[0] != ids[1]


def test_keys_file_errors_name_the_line(tmp_path):
    from landuse.errors import ConfigError
    from landuse.serve._clients import load_api_keys

    bad = tmp_path / "keys.txt"
    for text, words in [("alice\n", "line 1: expected 'client-name key'"),
                        ("a k1\na k2\n", "line 2: client 'a' is listed twice"),
                        ("a k1\nb k1\n", "line 2: the key of 'b' is also another client's"),
                        ("# nothing\n", "lists no client")]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=words):
            load_api_keys(bad)


def test_cli_reads_the_keys_file_from_the_environment(monkeypatch, keys_file, data_root):
    from typer.testing import CliRunner

    import landuse.serve
    from landuse.cli import app

    seen = {}
    monkeypatch.setattr(landuse.serve, "serve", lambda **kw: seen.update(kw))
    result = CliRunner().invoke(app, ["serve", "--data-root", str(data_root), "--open",
                                      "--max-queued", "3", "--cors-origin", "https://a.cn"],
                                env={"LANDUSE_API_KEYS": str(keys_file)})
    assert result.exit_code == 0, result.output
    assert Path(seen["api_keys"]) == keys_file and seen["open_jobs"] is True
    assert seen["max_queued"] == 3 and list(seen["cors_origins"]) == ["https://a.cn"]
