"""The land-use and township readers read the survey fields in the variants real data has."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest

from landuse.errors import LanduseWarning
from landuse.io import read_landuse, read_townships
from tests.io._vector_data import make_dltb, square


def _write(tmp_path, **fields):
    gdf = make_dltb()
    for name, values in fields.items():
        gdf[name] = values
    path = tmp_path / "county.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="DLTB")
    return path


def test_variants_are_normalised(tmp_path):
    path = _write(tmp_path,
                  GDPDJB=np.array([2, 1, 0, 0, 0, 0], dtype=np.int64),  # integer field
                  GDLX=["坡地", "TT", "", "pd", None, ""],                # names and codes
                  FRDBS=["是", "0", "1", None, "否", ""],
                  TBXHDM=[" hdgd", None, "", "", "", ""],
                  ZZSXDM=["fls", "LS", "", "", "", ""])
    with pytest.warns(LanduseWarning, match="GDPDJB"):  # 0 is not a slope grade
        lu = read_landuse(path)
    assert lu["GDPDJB"].tolist() == ["2", "1", "", "", "", ""]
    assert lu["GDLX"].tolist() == ["PD", "TT", "", "PD", "", ""]
    assert lu["FRDBS"].tolist() == ["1", "0", "1", "", "0", ""]
    assert lu["TBXHDM"].tolist()[:2] == ["HDGD", ""]
    assert lu["ZZSXDM"].tolist()[:2] == ["FLS", "LS"]
    bad = [f for f in lu.attrs["findings"] if f.code == "gdpdjb_unknown"]
    assert bad and bad[0].count == 4


def test_grade_as_text_and_float(tmp_path):
    path = _write(tmp_path, GDPDJB=["3", "2.0", "", "", "", ""])
    lu = read_landuse(path)
    assert lu["GDPDJB"].tolist() == ["3", "2", "", "", "", ""]


def test_unknown_farmland_type_is_a_finding(tmp_path):
    path = _write(tmp_path, GDLX=["XX", "", "", "", "", ""])
    with pytest.warns(LanduseWarning, match="GDLX"):
        lu = read_landuse(path)
    assert lu["GDLX"].tolist()[0] == ""


def test_absent_fields_are_empty(tmp_path):
    lu = read_landuse(_write(tmp_path))
    for name in ("GDLX", "GDPDJB", "TBXHDM", "ZZSXDM", "FRDBS"):
        assert (lu[name] == "").all()


def test_townships_control_area(tmp_path):
    path = tmp_path / "xzq.gpkg"
    towns = gpd.GeoDataFrame({"XZQDM": ["370321100", "370321101"], "XZQMC": ["甲", "乙"],
                              "KZMJ": [30000.5, 30000.25]},
                             geometry=[square(0).union(square(1)).union(square(2)),
                                       square(3).union(square(4)).union(square(5))], crs=4527)
    pyogrio.write_dataframe(towns, path, layer="XZQ")
    t = read_townships(path)
    assert t["control_area_m2"].tolist() == [30000.5, 30000.25]
    pyogrio.write_dataframe(towns.drop(columns="KZMJ"), path, layer="XZQ")
    assert "control_area_m2" not in read_townships(path).columns
