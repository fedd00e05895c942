"""The ``landuse`` command: exit codes, messages on stderr, atomic output (contract §1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landuse import __version__
from landuse.cli import app
from tests.report.county import write_county

runner = CliRunner()


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    return write_county(tmp_path_factory.mktemp("cli"))


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_version() -> None:
    res = invoke("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"landuse {__version__}"


def test_run_ok_then_violation_exit_4(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = invoke("run", county, "--out", out)
    assert res.exit_code == 0, res.stderr
    assert (out / "indicators.json").is_file() and (out / "report.html").is_file()
    assert "完成 done" in res.stderr and res.stdout == ""  # messages on stderr only
    # the county has a right inside a nature reserve's core zone and construction in the
    # ecological redline: --fail-on-violation turns that into exit 4, outputs still written
    res = invoke("run", county, "--out", tmp_path / "out4", "--fail-on-violation", "--quiet")
    assert res.exit_code == 4
    assert (tmp_path / "out4" / "redlines.csv").is_file()
    # the four violations worked by hand in tests/test_run.py::test_hand_worked_county
    assert "4 redline violation(s) found" in res.stderr


def test_bad_config_exit_2_one_message(county: Path, tmp_path: Path) -> None:
    bad = county.parent / "bad.toml"
    bad.write_text(county.read_text(encoding="utf-8").replace('layer = "XZQ"', 'layer = "XZ"')
                   .replace('area = "official"', 'area = "flat"'), encoding="utf-8")
    out = tmp_path / "out"
    res = invoke("run", bad, "--out", out)
    assert res.exit_code == 2
    assert "layers.townships.layer" in res.stderr and "'XZ'" in res.stderr
    assert "options.area" in res.stderr  # both problems at once
    assert "Traceback" not in res.stderr
    assert not out.exists()
    res = invoke("check", bad)
    assert res.exit_code == 2


def test_internal_error_exit_3(county: Path, tmp_path: Path, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr("landuse.run.annual.compute", boom)
    res = invoke("run", county, "--out", tmp_path / "out")
    assert res.exit_code == 3
    assert "internal error" in res.stderr and "--debug" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()
    res = invoke("run", county, "--out", tmp_path / "out", "--debug")
    assert res.exit_code == 3 and "Traceback" in res.stderr


def test_check_and_redlines(county: Path, tmp_path: Path) -> None:
    res = invoke("check", county)
    assert res.exit_code == 0 and "check passed" in res.stderr
    assert not any(p.name == "out" for p in county.parent.iterdir())  # check writes nothing
    res = invoke("redlines", county, "--out", tmp_path / "red", "--fail-on-violation")
    assert res.exit_code == 4
    assert sorted(p.name for p in (tmp_path / "red").iterdir()) == ["redlines.csv",
                                                                    "redlines.gpkg"]


def test_serve_without_extra(monkeypatch) -> None:
    import builtins

    real = builtins.__import__

    def no_serve(name, *args, **kwargs):
        if name == "landuse.serve":
            raise ModuleNotFoundError("No module named 'landuse.serve'", name="landuse.serve")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_serve)
    res = invoke("serve", "--port", "8123")
    assert res.exit_code == 2 and "landuse[serve]" in res.stderr


def test_serve_passes_every_option(monkeypatch, tmp_path: Path) -> None:
    pytest.importorskip("pygeoapi")
    import landuse.serve

    seen: dict = {}
    monkeypatch.setattr(landuse.serve, "serve", lambda **kw: seen.update(kw))
    monkeypatch.setenv("LANDUSE_API_KEY", "k-from-env")
    monkeypatch.delenv("LANDUSE_API_KEYS", raising=False)
    res = invoke("serve", "--host", "0.0.0.0", "--port", "8123", "--data-root", str(tmp_path),
                 "--max-upload-bytes", "1000", "--work-dir", str(tmp_path / "w"), "--url",
                 "https://gis.example.cn/landuse", "--threads", "3", "--max-jobs", "1",
                 "--api-keys", str(tmp_path / "keys.txt"), "--max-queued", "2",
                 "--max-vertices", "500", "--max-upload-disk", "12345", "--open",
                 "--cors-origin", "https://a.cn", "--cors-origin", "https://b.cn",
                 "--show-version")
    assert res.exit_code == 0, res.stderr
    assert seen == {"host": "0.0.0.0", "port": 8123, "data_root": tmp_path,
                    "api_key": "k-from-env", "max_upload_bytes": 1000,
                    "work_dir": tmp_path / "w", "url": "https://gis.example.cn/landuse",
                    "threads": 3, "max_jobs": 1, "api_keys": tmp_path / "keys.txt",
                    "max_queued": 2, "max_vertices": 500, "upload_disk_bytes": 12345,
                    "open_jobs": True, "cors_origins": ["https://a.cn", "https://b.cn"],
                    "show_version": True}


def test_usage_error_exit_2(tmp_path: Path) -> None:
    res = invoke("run", tmp_path / "c.toml")  # --out missing
    assert res.exit_code == 2
    res = invoke("run", tmp_path / "c.toml", "--out", tmp_path / "o")
    assert res.exit_code == 2 and "config file not found" in res.stderr


def test_console_script_process(tmp_path: Path) -> None:
    """The real process: exit status and stderr, no traceback."""
    proc = subprocess.run([sys.executable, "-m", "landuse.cli", "check", str(tmp_path / "x.toml")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "config file not found" in proc.stderr and "Traceback" not in proc.stderr
