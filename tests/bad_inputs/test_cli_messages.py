"""The command line as a new user meets it: counts, exit 4, help, conversions, font notice."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from landuse.cli import app
from tests.bad_inputs import mutate as m
from tests.bad_inputs.county import SAMPLE, config_text

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def full(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The county cut with every input (control lines, tables, raster)."""
    folder = tmp_path_factory.mktemp("full") / "county"
    shutil.copytree(base, folder)
    m.config(folder, full=True)
    return folder / "config.toml"


@pytest.fixture(scope="module")
def ran(full: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("ran") / "out"
    return invoke("run", full, "--out", out), out


def _violations_by_definition(table: pd.DataFrame) -> int:
    """Violations counted from redlines.csv by the definition the CLI states."""
    return int((table["status"] == "violation").sum())


def test_violation_count_is_the_rows_it_names(ran) -> None:
    res, out = ran
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "redlines.csv")
    got = re.search(r"(\d+) redline row\(s\) in redlines.csv, of which (\d+) violation", res.output)
    assert got is not None, res.output
    assert int(got.group(1)) == len(table)
    assert int(got.group(2)) == _violations_by_definition(table)
    assert "whose status is violation" in res.output  # the definition is stated


def test_check_and_run_count_the_same_reader_findings(full: Path, ran) -> None:
    res, _ = ran
    checked = invoke("check", full)
    assert checked.exit_code == 0, checked.output
    n_check = int(re.search(r"(\d+) data-quality finding", checked.output).group(1))
    n_read = int(re.search(r"(\d+) from reading the inputs, as `landuse check`",
                           res.output).group(1))
    assert n_check == n_read
    assert "from reading the inputs" in checked.output


@pytest.mark.parametrize("command", ["run", "redlines"])
def test_fail_on_violation_says_why_also_quiet(full: Path, tmp_path: Path, command: str) -> None:
    res = invoke(command, full, "--out", tmp_path / "out", "--fail-on-violation", "--quiet")
    assert res.exit_code == 4
    assert "Exit 4 because of --fail-on-violation" in res.output
    assert "violation(s)" in res.output


@pytest.mark.parametrize("command", ["run", "check", "redlines", "txt2vec", "vec2txt"])
def test_help_shows_no_bool(command: str) -> None:
    res = invoke(command, "--help")
    assert res.exit_code == 0
    assert "<bool>" not in res.output and "--quiet" in res.output


def test_font_missing_said_once(base: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("landuse.report.maps.cjk_font", lambda: None)
    res = invoke("run", base / "config.toml", "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert res.output.count("no Chinese (CJK) font") == 1


def test_txt2vec_unknown_extension(tmp_path: Path) -> None:
    src = SAMPLE / "txt" / "supply" / "supply_utf8_lf.txt"
    res = invoke("txt2vec", src, tmp_path / "out.xyz")
    assert res.exit_code == 2
    assert ".gpkg" in res.output and ".geojson" in res.output and "'.xyz'" in res.output
    assert list(tmp_path.iterdir()) == []


def test_txt2vec_prints_findings_not_python_warnings(tmp_path: Path) -> None:
    src = SAMPLE / "txt" / "supply" / "supply_swapped_wrong_zone.txt"
    res = invoke("txt2vec", src, tmp_path / "out.gpkg")
    assert res.exit_code == 0, res.output
    assert "警告 warning [" in res.output and "swapped" in res.output
    assert ".py:" not in res.output and "warnings.warn" not in res.output


@pytest.fixture()
def two_layers(tmp_path: Path) -> Path:
    src = SAMPLE / "txt" / "supply" / "supply_utf8_lf.txt"
    one = tmp_path / "one.gpkg"
    assert invoke("txt2vec", src, one).exit_code == 0
    gdf = gpd.read_file(one)
    path = tmp_path / "two.gpkg"
    gdf.to_file(path, layer="first")
    gdf.iloc[:1].to_file(path, layer="second")
    return path


def test_vec2txt_refuses_multi_layer_without_layer(two_layers: Path, tmp_path: Path) -> None:
    res = invoke("vec2txt", two_layers, tmp_path / "x.txt")
    assert res.exit_code == 2
    assert "--layer" in res.output and "first" in res.output and "second" in res.output
    assert not (tmp_path / "x.txt").exists()


def test_vec2txt_layer_and_umask(two_layers: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        res = invoke("vec2txt", two_layers, tmp_path / "x.txt", "--layer", "second")
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE((tmp_path / "x.txt").stat().st_mode) == 0o644
    text = (tmp_path / "x.txt").read_bytes().decode("gbk")
    assert text.count("@") == 1  # the one parcel of layer "second"


def test_every_bad_rename_is_listed_with_the_config_key(base: Path, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    shutil.copytree(base, folder)
    (folder / "config.toml").write_text(config_text(
        extra_landuse='fields = { DLBM = "nope", TBMJ = "nada", ZLDWDM = "zilch" }\n'),
        encoding="utf-8")
    res = invoke("check", folder / "config.toml")
    assert res.exit_code == 2
    assert "[layers.landuse]" in res.output
    for rename in ("DLBM = 'nope'", "TBMJ = 'nada'", "ZLDWDM = 'zilch'"):
        assert rename in res.output
