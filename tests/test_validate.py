"""landuse._validate: collect every problem, raise once, name the source and the fix."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from landuse import _validate as v
from landuse.errors import CRSError, GeometryError, SchemaError
from tests.helpers import assert_not_mutated


def test_closest_names_prefers_substrings_then_similar():
    assert v.closest_names("DLBM", ["dlbm_code", "TBMJ", "DLMC"]) == ["dlbm_code", "DLMC"]
    assert v.closest_names("XZQDM", ["A", "B"]) == []


def test_require_columns_lists_every_missing_field_once():
    df = pd.DataFrame({"dlbm": ["0101"], "TBMJ": [1.0]})
    with pytest.raises(SchemaError) as err:
        assert_not_mutated(v.require_columns, df, ["DLBM", "KCMJ", "TBMJ"], source="a.gpkg")
    msg = str(err.value)
    assert msg.count("missing field") == 2
    assert "'DLBM'" in msg and "'KCMJ'" in msg and "a.gpkg" in msg
    assert "closest names: ['dlbm']" in msg


def test_require_numeric_reports_examples_and_ignores_empty():
    df = pd.DataFrame({"TBMJ": ["1.5", "", None, "x", "x", "1,5"], "KCMJ": [1.0] * 6})
    with pytest.raises(SchemaError) as err:
        v.require_numeric(df, ["TBMJ", "KCMJ", "ABSENT"], source="DLTB")
    msg = str(err.value)
    assert "'TBMJ'" in msg and "3 value(s)" in msg and "['x', '1,5']" in msg
    assert "KCMJ" not in msg


def test_require_projected():
    g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4490)
    with pytest.raises(CRSError, match=r"intensity needs a projected CRS.*EPSG:4490"):
        v.require_projected(g, "intensity", source="DLTB of a.gpkg")
    with pytest.raises(CRSError, match="no coordinate reference system"):
        v.require_projected(g.set_crs(None, allow_override=True), "x", source="s")
    feet = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=2227)  # US survey feet
    with pytest.raises(CRSError, match="in metres"):
        v.require_projected(feet, "x", source="s")
    v.require_projected(g.to_crs(4527), "x", source="s")


def test_require_same_crs_lists_each_layer():
    a = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4527)
    b = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4548)
    c = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])
    v.require_same_crs([a, a.copy()], names=["DLTB", "XZQ"], what="tabulate")
    with pytest.raises(CRSError, match=r"DLTB: EPSG:4527, STBHHX: EPSG:4548.*working_crs"):
        v.require_same_crs([a, b], names=["DLTB", "STBHHX"], what="tabulate")
    with pytest.raises(CRSError, match="XZQ has no coordinate"):
        v.require_same_crs([a, c], names=["DLTB", "XZQ"], what="tabulate")


def test_require_polygonal_counts_types():
    s = gpd.GeoSeries([box(0, 0, 1, 1), Point(0, 0), Point(1, 1), LineString([(0, 0), (1, 1)]),
                       None])
    with pytest.raises(GeometryError, match=r"3 non-polygonal.*LineString: 1, Point: 2"):
        v.require_polygonal(s, source="DLTB")
    v.require_polygonal(gpd.GeoSeries([box(0, 0, 1, 1), None]), source="DLTB")


def test_raise_problems_collects():
    v.raise_problems([], SchemaError)
    with pytest.raises(SchemaError, match=r"^header\n  - one\n  - two$"):
        v.raise_problems(["one", "two"], SchemaError, header="header")
    with pytest.raises(SchemaError, match=r"^only$"):
        v.raise_problems(["only"], SchemaError)


def test_crs_label():
    assert v.crs_label(None) == "no CRS"
    assert v.crs_label("EPSG:4527") == "EPSG:4527"
