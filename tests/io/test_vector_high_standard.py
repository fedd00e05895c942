"""The high-standard farmland reader (高标准农田, ``kind="high_standard_farmland"``)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from landuse.errors import LanduseWarning, SchemaError
from landuse.io.vector import read_control_line

X0, Y0 = 39_499_000.0, 4_090_000.0


def _projects(**columns) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    geoms = [box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 100) for i in range(n)]
    return gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:4527")


def test_fields_ids_and_years(tmp_path) -> None:
    path = tmp_path / "hsf.gpkg"
    _projects(BSM=["H1", "H2"], xmmc=["2019年度高标准农田建设项目（索镇）", "二期"],
              JSND=[2019, 2021]).to_file(path, layer="GBZNT", driver="GPKG")
    h = read_control_line(path, kind="high_standard_farmland")  # default layer GBZNT
    assert list(h.columns) == ["line_id", "XMMC", "JSND", "geometry"]
    assert h["line_id"].tolist() == ["H1", "H2"]
    assert h["XMMC"].tolist() == ["2019年度高标准农田建设项目（索镇）", "二期"]  # case-insensitive
    assert h["JSND"].dtype == "Int64" and h["JSND"].tolist() == [2019, 2021]
    assert h.attrs["source"]["role"] == "high_standard_farmland"
    assert h.geometry.area.tolist() == pytest.approx([10_000.0, 10_000.0])


def test_ids_from_rows_and_implausible_year(tmp_path) -> None:
    path = tmp_path / "hsf.gpkg"
    _projects(XMMC=["甲", "乙", "丙"], JSND=["2020", "20", ""]).to_file(
        path, layer="GBZNT", driver="GPKG")
    with pytest.warns(LanduseWarning, match=r"JSND \(建设年度 year built\).*20\.0"):
        h = read_control_line(path, kind="high_standard_farmland")
    assert h["line_id"].tolist() == ["row-1", "row-2", "row-3"]
    assert h["JSND"].tolist()[0] == 2020 and h["JSND"].isna().tolist() == [False, True, True]
    codes = {f.code for f in h.attrs["findings"]}
    assert {"ids_generated", "year_invalid"} <= codes


def test_messages_name_high_standard_farmland(tmp_path) -> None:
    path = tmp_path / "hsf.gpkg"
    _projects(XMMC=["甲"]).to_file(path, layer="GBZNT", driver="GPKG")
    with pytest.raises(SchemaError) as err:
        read_control_line(path, kind="high_standard_farmland", fields={"DLBM": "x"})
    assert "高标准农田" in str(err.value) and "永久基本农田" not in str(err.value)
    h = read_control_line(path, kind="high_standard_farmland", fields={"XMMC": "XMMC"})
    assert pd.isna(h["JSND"].iloc[0])  # no JSND field: empty year
