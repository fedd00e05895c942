"""A region run (`[region] counties`, `[options] scheduler`): two small counties and a bad
one on an in-process dask cluster, through the config, `landuse.run.run_region` and the
command (contract §1 exit codes; docs/distributed.md)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from landuse.errors import ConfigError
from tests.report.county import CRS, cell, dltb

pytest.importorskip("distributed")
pytest.importorskip("dask_geopandas")

from landuse.cli import app
from landuse.config import load_config
from landuse.run import run, run_region

# The hand-made county of tests/report/county.py: 8 patches of 25 ha, construction land
# A2 A3 B2 B3 = 100 of 200 ha. County 370322 is the same layout with B2 (1201 空闲地) as
# farmland 0101: construction 75 of 200 ha. County 370323 holds an unknown code (bad input).


def _county(folder: Path, code: str, *, vacant_is_farm: bool = False,
            bad: bool = False) -> Path:
    lu = dltb()
    lu["ZLDWDM"] = lu["ZLDWDM"].str.replace("370321", code, n=1)
    lu["QSDWDM"] = lu["ZLDWDM"]
    lu["BSM"] = code + lu["BSM"]
    if vacant_is_farm:
        lu.loc[lu["BSM"] == code + "B2", ["DLBM", "CZCSXM"]] = ["0101", ""]
    if bad:
        lu.loc[3, "DLBM"] = "0399"
    path = folder / f"{code}.gpkg"
    lu.to_file(path, layer="DLTB", driver="GPKG")
    return path


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("region")
    counties = root / "counties"
    counties.mkdir()
    _county(counties, "370321")
    _county(counties, "370322", vacant_is_farm=True)
    _county(counties, "370323", bad=True)
    # a province-wide protected-area layer and mining rights, shared by every county
    gpd.GeoDataFrame({"id": ["NR1"], "name": ["保护区"], "category": ["自然保护区"],
                      "zone": ["核心保护区"]}, geometry=[cell(1, 1)], crs=CRS).to_file(
        root / "shared.gpkg", layer="ZRBHD", driver="GPKG")
    gpd.GeoDataFrame({"licence_no": ["C001"], "right_type": ["采矿权"], "holder": ["甲"],
                      "mineral": ["粘土"], "stage": ["existing"]},
                     geometry=[cell(1.2, 1.2, 0.2, 0.2)], crs=CRS).to_file(
        root / "shared.gpkg", layer="KYQ", driver="GPKG")
    (root / "region.toml").write_text(
        '[region]\nname = "淄博市"\ncode = "370300"\nyear = 2022\n'
        'counties = ["counties/370321.gpkg", "counties/370322.gpkg", "counties/370323.gpkg"]\n'
        '\n[layers.landuse]\nlayer = "DLTB"\n\n'
        '[layers.protected_areas]\npath = "shared.gpkg"\nlayer = "ZRBHD"\n\n'
        '[layers.mining_rights]\npath = "shared.gpkg"\nlayer = "KYQ"\n\n'
        '[options]\nsliver_m2 = 1.0\nscheduler = ""\n', encoding="utf-8")
    return root / "region.toml"


def test_region_config_is_validated_and_templated(region: Path) -> None:
    cfg = load_config(region)
    assert cfg.is_region and [p.name for p in cfg.region.counties] == [
        "370321.gpkg", "370322.gpkg", "370323.gpkg"]
    assert cfg.options.scheduler is None  # "" = in-process
    assert "counties" not in cfg.template["region"]
    assert "scheduler" not in cfg.template["options"]
    # paths of the template are absolute: counties run with the config's folder as base
    shared = Path(cfg.template["layers"]["protected_areas"]["path"])
    assert shared.is_absolute() and shared == region.parent / "shared.gpkg"
    with pytest.raises(ConfigError, match="region config"):
        run(cfg)  # one return type: a region goes through run_region


def test_folder_of_counties(region: Path) -> None:
    text = region.read_text(encoding="utf-8").replace(
        'counties = ["counties/370321.gpkg", "counties/370322.gpkg", "counties/370323.gpkg"]',
        'counties = "counties/"')
    (region.parent / "folder.toml").write_text(text, encoding="utf-8")
    cfg = load_config(region.parent / "folder.toml")
    assert [p.name for p in cfg.region.counties] == ["370321.gpkg", "370322.gpkg",
                                                      "370323.gpkg"]


@pytest.mark.parametrize(("line", "message"), [
    ('scheduler = "http://host"', "options.scheduler.*tcp://host:8786"),
    ('scheduler = 8786', "options.scheduler"),
])
def test_bad_scheduler(region: Path, line: str, message: str) -> None:
    text = region.read_text(encoding="utf-8").replace('scheduler = ""', line)
    (region.parent / "sched.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(region.parent / "sched.toml")


@pytest.mark.parametrize(("name", "message"), [
    ("loops/loop.gpkg", r"region\.counties: cannot follow 'loops/loop\.gpkg'.*loop of symbolic"),
    ("counties/370323\\u0000.gpkg", r"region\.counties: cannot follow .*not a usable file"),
    ("~no_such_user_9/370323.gpkg", r"region\.counties: cannot follow .*no such home folder"),
])
def test_county_path_that_cannot_be_followed(region: Path, name: str, message: str) -> None:
    # a loop of symbolic links, a NUL character or an unknown ~user in a county's path: one
    # config problem under its key, as for every other path of the config (was a raw
    # RuntimeError / ValueError)
    loop = region.parent / "loops" / "loop.gpkg"  # (not among the counties of the fixture)
    if not loop.is_symlink():
        loop.parent.mkdir(exist_ok=True)
        loop.symlink_to("loop.gpkg")
    text = region.read_text(encoding="utf-8").replace('"counties/370323.gpkg"', f'"{name}"')
    (region.parent / "unfollowable.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(region.parent / "unfollowable.toml")


def test_missing_county_file_and_extra(region: Path, monkeypatch) -> None:
    text = region.read_text(encoding="utf-8").replace("370323.gpkg", "370399.gpkg")
    (region.parent / "missing.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"region\.counties: .*370399\.gpkg"):
        load_config(region.parent / "missing.toml")
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real(name, *a))
    with pytest.raises(ConfigError, match=r"landuse\[dask\].*distributed"):
        load_config(region)


@pytest.mark.filterwarnings("ignore:Glyph:UserWarning")  # report maps without a CJK font
def test_region_run_keeps_going_then_exit_2(region: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(region), "--out", str(out)])
    assert res.exit_code == 2, res.stderr
    assert "370323" in res.stderr and "region_errors.json" in res.stderr
    assert "370321" not in res.stderr.split("failed:")[1]
    for code in ("370321", "370322"):  # the good counties are written in full
        doc = json.loads((out / code / "indicators.json").read_text(encoding="utf-8"))
        assert doc["region"]["code"] == code
        assert (out / code / "report.html").is_file()
        assert (out / code / "redlines.csv").is_file()
    assert not (out / "370323").exists()
    errors = json.loads((out / "region_errors.json").read_text(encoding="utf-8"))
    assert [e["code"] for e in errors] == ["370323"]
    assert errors[0]["error_kind"] == "input" and "0399" in errors[0]["message"]
    city = pd.read_csv(out / "city_indicators.csv", dtype={"zone": str}).set_index("id")
    # by hand: total 200 + 200 ha; construction 100 + 75 ha; intensity = 175 / 400
    assert city.loc["total_area", "value"] == pytest.approx(400.0)
    assert city.loc["construction_land_area", "value"] == pytest.approx(175.0)
    assert city.loc["development_intensity", "value"] == pytest.approx(43.75)
    assert city.loc["total_area", "counties"] == "370321,370322"
    # the shared right C001 (existing, 100 m x 100 m) lies in the shared core zone NR1:
    # one withdraw row of 10 000 m² in each county's run
    for code in ("370321", "370322"):
        red = pd.read_csv(out / code / "redlines.csv", dtype={"overlap_m2": float})
        c001 = red[red["feature_id"] == "C001"]
        assert c001[["check", "against_id", "relation", "disposition"]].values.tolist() == [
            ["mining_protected", "NR1", "inside", "withdraw"]]
        assert c001["overlap_m2"].tolist() == pytest.approx([10_000.0])


@pytest.mark.filterwarnings("ignore:Glyph:UserWarning")
def test_region_run_all_ok_exit_0(region: Path, tmp_path: Path) -> None:
    text = region.read_text(encoding="utf-8").replace(', "counties/370323.gpkg"', "")
    (region.parent / "ok.toml").write_text(text, encoding="utf-8")
    result = run_region(region.parent / "ok.toml", out=tmp_path / "py")
    assert list(result.counties["status"]) == ["ok", "ok"] and result.errors == []
    res = CliRunner().invoke(app, ["run", str(region.parent / "ok.toml"), "--out",
                                   str(tmp_path / "cli"), "--quiet"])
    assert res.exit_code == 0, res.stderr
    assert {p.name for p in (tmp_path / "cli").iterdir()} == {
        "370321", "370322", "city_indicators.csv", "region_summary.json",
        "region_errors.json"}


def test_check_names_the_bad_county(region: Path) -> None:
    from landuse.errors import SchemaError
    from landuse.run import check

    with pytest.raises(SchemaError, match=r"(?s)county 370323 .*0399"):
        check(region)
    text = region.read_text(encoding="utf-8").replace(', "counties/370323.gpkg"', "")
    (region.parent / "ok_check.toml").write_text(text, encoding="utf-8")
    found = check(region.parent / "ok_check.toml")
    assert all(f.severity != "error" for f in found)  # two good counties: no error finding
