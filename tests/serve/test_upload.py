"""The ``indicators`` process on an uploaded layer set (a ZIP archive of a county folder).

The county is the small hand-made one of the report tests (tests/report/county.py); its
indicators.json from the service must equal landuse.run.run on the same files. Unsafe
archives (traversal, absolute names, links, bombs, not a ZIP, no config, a config naming
files outside the archive) are refused with 4xx before a job exists.
"""

from __future__ import annotations

import base64
import io
import json
import stat
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.report.county import write_county


def _zip(files: dict[str, bytes], *, links: dict[str, str] | None = None) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _folder_files(folder: Path, prefix: str = "") -> dict[str, bytes]:
    return {prefix + p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_county(tmp_path_factory.mktemp("upload") / "county").parent


def _post(client, inputs: dict[str, Any], **headers: str):
    return client.post("/processes/indicators/execution", json={"inputs": inputs},
                       headers=headers)


def _uploads(app) -> list[Path]:
    work = Path(app.extensions["landuse_api"].manager.state.work_dir) / "uploads"
    return sorted(work.iterdir()) if work.is_dir() else []


@pytest.mark.slow
def test_uploaded_folder_gives_the_annual_run(client, app, county, tmp_path):
    from landuse.run import run

    out = run(county / "config.toml").to_json(tmp_path / "indicators.json")
    reference = json.loads(out.read_text(encoding="utf-8"))
    before = _uploads(app)
    # zipped as a folder ("county/..."), run as a job
    resp = _post(client, {"archive_base64": _zip(_folder_files(county, "county/"))},
                 Prefer="respond-async")
    assert resp.status_code == 201, resp.data
    location = resp.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    for _ in range(600):
        status = client.get(f"/{location}?f=json").get_json()
        if status["status"] in ("successful", "failed"):
            break
        time.sleep(0.2)
    assert status["status"] == "successful", status
    got = client.get(f"/{location}/results?f=json").get_json()
    for doc in (got, reference):
        doc["provenance"].pop("created")
    assert got == reference
    # synchronously, with the config named inside a flat archive
    files = _folder_files(county)
    files["run.toml"] = files.pop("config.toml")
    resp = _post(client, {"archive_base64": _zip(files), "config": "run.toml"})
    assert resp.status_code == 200, resp.data
    doc = resp.get_json()
    doc["provenance"].pop("created")
    assert doc == reference
    assert _uploads(app) == before  # the unpacked uploads are removed after their runs


@pytest.mark.parametrize(("files", "links", "status", "words"), [
    ({"config.toml": b"", "../evil.toml": b"x"}, None, 400, "member '../evil.toml' is refused"),
    ({"/etc/config.toml": b"x"}, None, 400, "member '/etc/config.toml' is refused"),
    ({"C:/config.toml": b"x"}, None, 400, "member 'C:/config.toml' is refused"),
    ({"config.toml": b"[region]\n"}, {"county.gpkg": "/etc/passwd"}, 400, "symbolic link"),
    ({"notes.txt": b"x", "a/b.toml": b""}, None, 400, "TOML files in it: ['a/b.toml']"),
])
def test_unsafe_or_incomplete_archives_are_refused(client, app, files, links, status, words):
    before = _uploads(app)
    resp = _post(client, {"archive_base64": _zip(files, links=links)},
                 Prefer="respond-async")
    assert resp.status_code == status, resp.data
    assert words in resp.get_json()["description"]
    assert _uploads(app) == before  # nothing left behind


def test_config_naming_files_outside_the_archive_is_refused(client, app, county):
    files = _folder_files(county)
    text = files["config.toml"].decode("utf-8")
    # an existing file outside the archive, by absolute path: refused, named by its key
    outside = (county / "stats.csv").as_posix()
    files["config.toml"] = text.replace('path = "stats.csv"',
                                        f'path = "{outside}"').encode("utf-8")
    resp = _post(client, {"archive_base64": _zip(files)})
    assert resp.status_code == 400, resp.data
    message = resp.get_json()["description"]
    assert "path outside the data root" in message and "tables.socioeconomic.path" in message
    # a missing one by '..': the same answer (whether a file exists outside is not told)
    files["config.toml"] = text.replace('path = "stats.csv"',
                                        'path = "../../../stats.csv"').encode("utf-8")
    resp = _post(client, {"archive_base64": _zip(files)})
    assert resp.status_code == 400 and resp.get_json()["description"] == message
    assert str(county.parent.parent) not in message and "/tmp" not in message, message
    # a missing file inside the archive: the config's own message
    files["config.toml"] = text.replace('path = "stats.csv"',
                                        'path = "gone.csv"').encode("utf-8")
    resp = _post(client, {"archive_base64": _zip(files)})
    message = resp.get_json()["description"]
    assert resp.status_code == 400 and "file not found: 'gone.csv'" in message
    files["config.toml"] = b"[region\nname = 1\n"  # broken TOML: the CLI's message, 400
    resp = _post(client, {"archive_base64": _zip(files)})
    assert resp.status_code == 400 and "config.toml" in resp.get_json()["description"]


def test_not_a_zip_bad_base64_and_bombs(client, app):
    resp = _post(client, {"archive_base64": base64.b64encode(b"plain text").decode()})
    assert resp.status_code == 400 and "not a ZIP" in resp.get_json()["description"]
    resp = _post(client, {"archive_base64": "***"})
    assert resp.status_code == 400 and "base64" in resp.get_json()["description"]
    # 4 MB of zeros compress to a few kB: over 10 x the test server's 300,000-byte limit
    bomb = _zip({"config.toml": b"", "zeros.bin": bytes(4_000_000)})
    assert len(bomb) < 300_000
    before = _uploads(app)
    resp = _post(client, {"archive_base64": bomb})
    assert resp.status_code == 413, resp.data
    assert "unpacked archive is too large" in resp.get_json()["description"]
    assert _uploads(app) == before
