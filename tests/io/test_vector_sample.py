"""Regression on the committed sample county: every committed format reads to one table.

The sample files are made by ``sample_data/make_sample.py`` (GeoPackage, a GBK Shapefile
without .cpg, a FileGDB). These tests skip only while the files have not been generated.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
import shapely

from landuse.errors import LanduseWarning
from landuse.io.vector import read_landuse

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SHP = SAMPLE / "huantai_shp" / "DLTB.shp"
GDB = SAMPLE / "huantai.gdb"


def _sorted(lu):
    out = lu.sort_values("BSM").reset_index(drop=True)
    out.attrs = lu.attrs
    return out


def test_sample_gpkg_is_clean_and_consistent(sample):
    # the session read DLTB once with read_landuse and recorded its warnings: none, the
    # sample has no data problems
    assert sample.warnings("DLTB") == []
    lu = sample["DLTB"]
    assert lu.crs.to_epsg() == 4527
    assert all(f.severity == "info" for f in lu.attrs["findings"])
    # official class areas add up to the county total (domain.md §2)
    by_class = lu.groupby("DLBM")["TBDLMJ"].sum().add(
        lu[lu["KCDLBM"] != ""].groupby("KCDLBM")["KCMJ"].sum(), fill_value=0.0)
    assert by_class.sum() == pytest.approx(lu["TBMJ"].sum(), rel=1e-9)
    assert set(lu["county"]) == {"370321"}
    assert lu["township"].str.len().eq(9).all()


@pytest.mark.parametrize("path", [SHP, GDB], ids=["gbk-shp-without-cpg", "filegdb"])
def test_sample_copies_read_to_the_same_table(path, sample):
    if not path.exists():
        pytest.skip(f"{path.name} not generated")
    ref = _sorted(sample["DLTB"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LanduseWarning)
        other = _sorted(read_landuse(path, layer="DLTB"))
    pd.testing.assert_frame_equal(other.drop(columns="geometry"), ref.drop(columns="geometry"))
    # FileGDB stores coordinates on its own grid: equal to well under a millimetre
    dist = shapely.hausdorff_distance(other.geometry.to_numpy(), ref.geometry.to_numpy())
    assert dist.max() < 1e-3
    assert (other.geom_type == ref.geom_type).all()
    if path == SHP:
        assert other.attrs["source"]["encoding"] == "GB18030"
        assert other["DLMC"].str.contains("[\u4e00-\u9fff]", regex=True).any()


def test_sample_townships(sample):
    t = sample["XZQ"]
    # the nine township units of sample_data/README.md
    assert sorted(t["zone"]) == ["370321001", *(f"370321{n}" for n in range(100, 108))]


def test_the_reader_records_its_normalised_code_columns(sample):
    # read_landuse normalises DLBM, KCDLBM and CZCSXM and says so in attrs, so the checks
    # downstream take the codes as they are (landuse.rules.normalised_codes); the record
    # is true: every code is already stripped and upper-case
    lu = sample["DLTB"]
    assert lu.attrs["normalised_codes"] == ["DLBM", "KCDLBM", "CZCSXM"]
    for col in lu.attrs["normalised_codes"]:
        values = lu[col].astype(str)
        assert (values == values.str.strip().str.upper()).all(), col
    # the prepared county's frame (townships assigned by the policy) keeps the record
    from landuse.county import assign_townships

    assert assign_townships(lu, sample["XZQ"], policy="xzq").attrs["normalised_codes"] == [
        "DLBM", "KCDLBM", "CZCSXM"]
    pf = sample["YJJBNTBHTB"]
    assert pf.attrs["normalised_codes"] == ["DLBM"]
