"""Hand-checkable tests of the reader hardening: CRS area of use, Shapefile parts,
declared code pages, impossible areas, survey years and the output lock."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer

from landuse.config import parse_config
from landuse.errors import ConfigError, CRSError, InputFileError, SchemaError
from landuse.io._shapefile import check_shapefile
from landuse.io.crs import check_area_of_use, fitting_crs
from landuse.io.vector import read_landuse
from landuse.report.outputs import output_lock
from landuse.run.years import check_years

# a 100 m square at Huantai, CGCS2000 3-degree GK zone 39 with the zone prefix (EPSG:4527)
X0, Y0 = 39_593_000.0, 4_095_000.0
SQUARE = shapely.box(X0, Y0, X0 + 100, Y0 + 100)


def _patches(n: int = 3, **columns: object) -> gpd.GeoDataFrame:
    data = {"BSM": [f"B{i}" for i in range(n)], "DLBM": ["0101"] * n,
            "TBMJ": [10_000.0] * n, "KCDLBM": ["1203"] * n, "KCXS": [0.1] * n,
            "KCMJ": [1000.0] * n, "TBDLMJ": [9000.0] * n,
            "ZLDWDM": ["3703211002160000000"] * n}
    data.update(columns)  # type: ignore[arg-type]
    geoms = [shapely.box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 100) for i in range(n)]
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4527")


# ------------------------------------------------------------------ CRS

def test_prefixed_eastings_declared_without_prefix_name_the_fitting_crs() -> None:
    with pytest.raises(CRSError, match="they fit EPSG:4527") as err:
        check_area_of_use([SQUARE], "EPSG:4548", source="a.gpkg layer DLTB")
    assert "a.gpkg layer DLTB" in str(err.value)


def test_six_degree_prefix_is_told_from_three_degree() -> None:
    # 6-degree zone 20 (central meridian 117°E) with the prefix: EPSG:4498
    assert fitting_crs((20_480_000, 4_070_000, 20_520_000, 4_100_000)).to_epsg() == 4498
    # zone 39 is 3-degree (25-45): EPSG:4527
    assert fitting_crs((39_480_000, 4_070_000, 39_520_000, 4_100_000)).to_epsg() == 4527


def test_coordinates_inside_the_area_of_use_pass() -> None:
    check_area_of_use([SQUARE], "EPSG:4527", source="x")
    check_area_of_use([shapely.box(118.0, 36.9, 118.1, 37.0)], "EPSG:4490", source="x")
    check_area_of_use([None], "EPSG:4527", source="x")  # nothing to check


def test_metres_declared_as_degrees() -> None:
    with pytest.raises(CRSError, match="they fit EPSG:4527"):
        check_area_of_use([SQUARE], "EPSG:4490", source="x")
    with pytest.raises(CRSError, match="metres, not degrees"):
        check_area_of_use([shapely.box(593_000, Y0, 593_100, Y0 + 100)], "EPSG:4490",
                          source="x")


def test_shift_by_1e9_fits_nothing() -> None:
    with pytest.raises(CRSError, match="no CGCS2000 Gauss-Kruger zone fits"):
        check_area_of_use([shapely.box(X0 + 1e9, Y0, X0 + 1e9 + 1, Y0 + 1)], "EPSG:4527",
                          source="x")


# ------------------------------------------------------------------ Shapefile parts

@pytest.fixture()
def shp(tmp_path: Path) -> Path:
    path = tmp_path / "DLTB.shp"
    _patches(4).to_file(path)
    return path


def test_intact_shapefile_passes(shp: Path) -> None:
    check_shapefile(shp)


def test_truncated_shp_counts_complete_records(shp: Path) -> None:
    # 4 rectangles of 5 points: each record 8 + 4 + 32 + 4 + 4 + 80 = 132 bytes after a
    # 100-byte header; cutting 1 byte leaves 3 complete records
    size = shp.stat().st_size
    assert size == 100 + 4 * 136
    with shp.open("r+b") as fh:
        fh.truncate(size - 1)
    with pytest.raises(InputFileError, match="3 of the 4 records"):
        check_shapefile(shp)


def test_missing_dbf_is_named(shp: Path) -> None:
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(InputFileError, match=r"the \.dbf of DLTB\.shp is missing"):
        check_shapefile(shp)


# ------------------------------------------------------------------ code pages

def test_latin1_cpg_for_gbk_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "DLTB.shp"
    _patches(2, DLMC=["水田", "旱地"]).to_file(path, encoding="GBK")
    path.with_suffix(".cpg").write_text("ISO-8859-1", encoding="ascii")
    with pytest.raises(InputFileError, match="single-byte code page 'ISO-8859-1'") as err:
        read_landuse(path)
    assert "水田" in str(err.value) or "旱地" in str(err.value)
    path.with_suffix(".cpg").write_text("GBK", encoding="ascii")
    assert set(read_landuse(path)["DLMC"]) == {"水田", "旱地"}


# ------------------------------------------------------------------ impossible areas

def test_impossible_areas_listed_by_rule(tmp_path: Path) -> None:
    path = tmp_path / "lu.gpkg"
    _patches(3, KCMJ=[20_000.0, 1000.0, 1000.0], KCXS=[0.1, 1.5, 0.1],
             TBMJ=[10_000.0, 10_000.0, -10_000.0]).to_file(path)
    with pytest.raises(SchemaError) as err:
        read_landuse(path)
    msg = str(err.value)
    assert "KCMJ > TBMJ: 2 patches (e.g. BSM ['B0', 'B2'])" in msg  # B2: 1000 > -10000
    assert "KCXS outside [0, 1]: 1 patches (e.g. BSM ['B1'])" in msg
    assert "TBMJ < 0: 1 patches (e.g. BSM ['B2'])" in msg
    assert "repair_areas = true" in msg


def test_repair_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "lu.gpkg"
    _patches(3, KCMJ=[20_000.0, 1000.0, 1000.0], KCXS=[0.1, 1.5, 0.1],
             TBMJ=[10_000.0, 10_000.0, -10_000.0],
             TBDLMJ=[-10_000.0, 9000.0, -11_000.0]).to_file(path)
    with pytest.warns(UserWarning):
        lu = read_landuse(path, repair_areas=True)
    # B0: KCMJ 20000 > TBMJ 10000 -> round(10000 x 0.1, 2) = 1000; TBDLMJ = 9000
    assert lu.loc[0, "KCMJ"] == 1000.0 and lu.loc[0, "TBDLMJ"] == 9000.0
    # B1: KCXS 1.5 -> 1.0; KCMJ 1000 stays (it is ≤ TBMJ)
    assert lu.loc[1, "KCXS"] == 1.0 and lu.loc[1, "KCMJ"] == 1000.0
    # B2: TBMJ -> the ellipsoidal area of the 100 m square (pyproj.Geod on CGCS2000)
    to_ll = Transformer.from_crs("EPSG:4527", "EPSG:4490", always_xy=True)
    ring = np.asarray(lu.geometry[2].exterior.coords)
    lon, lat = to_ll.transform(ring[:, 0], ring[:, 1])
    area = abs(Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)[0])
    assert lu.loc[2, "TBMJ"] == pytest.approx(area, rel=1e-6)
    assert lu.loc[2, "TBDLMJ"] == pytest.approx(area - 1000.0, rel=1e-6)
    codes = [f.code for f in lu.attrs["findings"]]
    assert codes.count("area_repaired") == 4  # KCMJ > TBMJ, KCXS, TBMJ < 0, TBDLMJ < 0


def test_zldwdm_in_a_real_field(tmp_path: Path) -> None:
    path = tmp_path / "lu.gpkg"
    gdf = _patches(2)
    gdf["ZLDWDM"] = gdf["ZLDWDM"].astype(float)
    gdf.to_file(path)
    with pytest.raises(SchemaError, match=r"ZLDWDM.*Real"):
        read_landuse(path)


# ------------------------------------------------------------------ years

def _cfg(tmp_path: Path, *, year: int, lu_year: int | None = None,
         prev_year: int | None = None) -> object:
    path = tmp_path / "lu.gpkg"
    if not path.exists():
        _patches(1).to_file(path, layer="DLTB")
    data: dict = {"region": {"name": "x", "code": "370321", "year": year},
                  "layers": {"landuse": {"path": str(path), "layer": "DLTB"}}}
    if lu_year is not None:
        data["layers"]["landuse"]["year"] = lu_year
    if prev_year is not None:
        data["layers"]["landuse_previous"] = {"path": str(path), "layer": "DLTB",
                                              "year": prev_year}
    return parse_config(data, tmp_path / "config.toml")


def _frame(years: dict[int, int]) -> pd.DataFrame:
    frame = pd.DataFrame({"x": [1]})
    frame.attrs["source"] = {"path": "lu.gpkg", "layer": "DLTB"}
    frame.attrs["survey_years"] = years
    return frame


def test_years(tmp_path: Path) -> None:
    assert check_years(_cfg(tmp_path, year=2022, lu_year=2022), _frame({}), None, None) == []
    with pytest.raises(ConfigError, match="run with --year 2022"):
        check_years(_cfg(tmp_path, year=2021, lu_year=2022), _frame({}), None, None)
    with pytest.raises(ConfigError, match=r"SJNF .* says 2021"):
        check_years(_cfg(tmp_path, year=2022, lu_year=2022), _frame({2021: 5}), None, None)
    with pytest.raises(ConfigError, match="not earlier than the report year"):
        check_years(_cfg(tmp_path, year=2022, lu_year=2022, prev_year=2022), _frame({}),
                    _frame({}), None)
    found = check_years(_cfg(tmp_path, year=2022), _frame({}), None, None)
    assert [f.code for f in found] == ["survey_year_unknown"]
    socio = pd.DataFrame({"year": [2020, 2021]})
    found = check_years(_cfg(tmp_path, year=2022, lu_year=2022), _frame({}), None, socio)
    assert [f.code for f in found] == ["socio_year_missing"]


# ------------------------------------------------------------------ output lock

def test_second_holder_is_refused_and_dead_temporaries_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = tmp_path / ".out.tmp-123-abc"
    stale.mkdir()
    with output_lock(out):
        assert not stale.exists()
        with pytest.raises(InputFileError, match="another landuse run"):
            with output_lock(out):
                pass
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # lock file gone, no folders
    with output_lock(out):  # free again
        pass
