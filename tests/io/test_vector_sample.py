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
from landuse.io.vector import read_landuse, read_townships

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
GPKG = SAMPLE / "huantai.gpkg"
SHP = SAMPLE / "huantai_shp" / "DLTB.shp"
GDB = SAMPLE / "huantai.gdb"

needs_sample = pytest.mark.skipif(not GPKG.exists(), reason="sample county not generated")


def _read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LanduseWarning)
        lu = read_landuse(path, **kw)
    out = lu.sort_values("BSM").reset_index(drop=True)
    out.attrs = lu.attrs
    return out


@needs_sample
def test_sample_gpkg_is_clean_and_consistent():
    with warnings.catch_warnings():
        warnings.simplefilter("error", LanduseWarning)  # the sample has no data problems
        lu = read_landuse(GPKG, layer="DLTB")
    assert lu.crs.to_epsg() == 4527
    assert all(f.severity == "info" for f in lu.attrs["findings"])
    # official class areas add up to the county total (domain.md §2)
    by_class = lu.groupby("DLBM")["TBDLMJ"].sum().add(
        lu[lu["KCDLBM"] != ""].groupby("KCDLBM")["KCMJ"].sum(), fill_value=0.0)
    assert by_class.sum() == pytest.approx(lu["TBMJ"].sum(), rel=1e-9)
    assert set(lu["county"]) == {"370321"}
    assert lu["township"].str.len().eq(9).all()


@needs_sample
@pytest.mark.parametrize("path", [SHP, GDB], ids=["gbk-shp-without-cpg", "filegdb"])
def test_sample_copies_read_to_the_same_table(path):
    if not path.exists():
        pytest.skip(f"{path.name} not generated")
    ref = _read(GPKG, layer="DLTB")
    other = _read(path, layer="DLTB")
    pd.testing.assert_frame_equal(other.drop(columns="geometry"), ref.drop(columns="geometry"))
    # FileGDB stores coordinates on its own grid: equal to well under a millimetre
    dist = shapely.hausdorff_distance(other.geometry.to_numpy(), ref.geometry.to_numpy())
    assert dist.max() < 1e-3
    assert (other.geom_type == ref.geom_type).all()
    if path == SHP:
        assert other.attrs["source"]["encoding"] == "GB18030"
        assert other["DLMC"].str.contains("[\u4e00-\u9fff]", regex=True).any()


@needs_sample
def test_sample_townships():
    t = read_townships(GPKG, layer="XZQ")
    assert t["zone"].str.fullmatch(r"370321\d{3}").all()
    assert len(t) >= 9
