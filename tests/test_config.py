"""Config validation (contract §2): every problem reported at once, paths relative to the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from landuse.config import load_config, parse_config
from landuse.errors import ConfigError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    gdf = gpd.GeoDataFrame({"DLBM": ["0101"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4527")
    gdf.to_file(tmp_path / "county.gpkg", layer="DLTB", driver="GPKG")
    gdf.to_file(tmp_path / "county.gpkg", layer="XZQ", driver="GPKG")
    (tmp_path / "stats.csv").write_text("year,zone\n", encoding="utf-8")
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[region]
name = "桓台县"
code = "370321"
year = 2022

[layers.landuse]
path = "county.gpkg"
layer = "DLTB"

[tables.socioeconomic]
path = "stats.csv"
"""


def test_valid_config_is_typed_with_absolute_paths(folder: Path, monkeypatch) -> None:
    monkeypatch.chdir("/")  # paths resolve against the config file, not the cwd
    cfg = load_config(write(folder, GOOD))
    assert cfg.region.name == "桓台县" and cfg.region.code == "370321"
    assert cfg.layers["landuse"].path == (folder / "county.gpkg").resolve()
    assert cfg.layers["landuse"].layer == "DLTB"
    assert cfg.tables["socioeconomic"].path.name == "stats.csv"
    assert cfg.options.area == "official" and cfg.options.sliver_m2 == 1.0
    # default evaluation date: the last day of the report year
    assert cfg.evaluation_date == dt.date(2022, 12, 31)
    assert cfg.with_year(2023).evaluation_date == dt.date(2023, 12, 31)
    assert cfg.relative(cfg.layers["landuse"].path) == "county.gpkg"


def test_every_problem_is_reported_at_once(folder: Path) -> None:
    text = """
colour = "red"
[region]
name = "桓台县"
code = 370321
year = 1850
populaton = 3

[layers.landuse]
path = "county.gpkg"
layer = "DLTBX"
encodng = "GBK"

[layers.townships]
path = "missing.gpkg"

[layers.forest]
path = "county.gpkg"

[options]
area = "geodesic"
sliver_m2 = -1
evaluation_date = "2022-13-45"
"""
    with pytest.raises(ConfigError) as err:
        load_config(write(folder, text))
    msg = str(err.value)
    assert str(folder / "config.toml") in msg
    expected_keys = [
        "colour: unknown key", "region.populaton: unknown key", "region.code:",
        "region.year:", "layers.landuse.encodng: unknown key", "layers.landuse.layer:",
        "layers.townships.path:", "layers.forest: unknown key", "options.area:",
        "options.sliver_m2:", "options.evaluation_date:",
    ]
    for key in expected_keys:
        assert key in msg, f"{key!r} not reported in:\n{msg}"
    assert "11 problems" in msg
    # the missing layer names the layers that exist, the fix
    assert "'DLTBX' not found in county.gpkg" in msg and "DLTB, XZQ" in msg


def test_layer_required_when_file_has_several(folder: Path) -> None:
    text = GOOD.replace('layer = "DLTB"\n', "")
    with pytest.raises(ConfigError, match=r"layers\.landuse\.layer: county\.gpkg has 2 layers"):
        load_config(write(folder, text))


def test_missing_region_and_landuse(folder: Path) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"options": {"area": "planar"}}, folder / "c.toml")
    msg = str(err.value)
    for key in ("region.name", "region.code", "region.year", "layers.landuse"):
        assert key in msg


def test_previous_vintage_and_raster_keys_are_validated(folder: Path) -> None:
    text = GOOD + """
[layers.landuse_previous]
path = "county.gpkg"
layer = "DLTB"

[rasters.landcover]
path = "landcover.tif"
classes = "classes.csv"
nodata = 0
"""
    with pytest.raises(ConfigError) as err:
        load_config(write(folder, text))
    msg = str(err.value)
    assert "layers.landuse_previous.year: missing" in msg
    assert "rasters.landcover.path: 文件不存在 file not found" in msg
    assert "rasters.landcover.classes:" in msg
    assert "rasters.landcover.nodata: unknown key" in msg


def test_options_and_targets_parse(folder: Path) -> None:
    (folder / "targets.toml").write_text(
        '[[target]]\nid = "development_intensity"\nop = "<="\nvalue = 30\nunit = "%"\n'
        'source = "plan"\n',
        encoding="utf-8")
    text = GOOD + """
[targets]
path = "targets.toml"

[options]
area = "ellipsoidal"
sliver_m2 = 0
evaluation_date = 2022-06-30
working_crs = "EPSG:4527"
"""
    cfg = load_config(write(folder, text))
    assert cfg.options.area == "ellipsoidal" and cfg.options.sliver_m2 == 0.0
    assert cfg.evaluation_date == dt.date(2022, 6, 30)
    assert cfg.targets == (folder / "targets.toml").resolve()
    inline = GOOD + ('\n[[targets.target]]\nid = "development_intensity"\nop = "<="\n'
                     'value = 30\nunit = "%"\nsource = "plan"\n')
    cfg = load_config(write(folder, inline))
    assert cfg.targets is None
    assert cfg.targets_inline == {"target": [{"id": "development_intensity", "op": "<=",
                                              "value": 30, "unit": "%",
                                              "source": "plan"}]}


def test_geographic_working_crs_is_refused(folder: Path) -> None:
    with pytest.raises(ConfigError, match=r"options\.working_crs: EPSG:4490 is not projected"):
        load_config(write(folder, GOOD + '\n[options]\nworking_crs = "EPSG:4490"\n'))


def test_not_toml_and_missing_file(folder: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(folder, "[region\nname="))
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(folder / "nope.toml")


def test_bad_year_override(folder: Path) -> None:
    cfg = load_config(write(folder, GOOD))
    with pytest.raises(ConfigError, match="--year"):
        cfg.with_year(20222)


def test_targets_problems_reported_with_the_config(folder: Path) -> None:
    (folder / "targets.toml").write_text(
        '[[target]]\nid = "development_intensity_x"\nop = "<="\nvalue = 30\nunit = "%"\n'
        'source = "plan"\n',
        encoding="utf-8")
    text = GOOD + '\n[targets]\npath = "targets.toml"\n\n[options]\narea = "flat"\n'
    with pytest.raises(ConfigError) as err:
        load_config(write(folder, text))
    msg = str(err.value)
    assert "2 problems" in msg and "options.area" in msg
    assert "targets:" in msg and "development_intensity_x" in msg
