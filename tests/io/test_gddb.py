"""GDDB (耕地质量等别) travels from the DLTB layer through the reader to the quality grade.

The hand-made county of tests/report/county.py: A1 (水田, 24 ha after its 1 ha 田坎) grade 5
and B1 (水田, 25 ha) grade 7. By hand: township 100 = 5, township 101 = 7, county =
(5 × 24 + 7 × 25) / 49 = 295 / 49.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import landuse.io as lio
from landuse.indicators import balance
from tests.report import county


def test_gddb_is_read_and_weighted_by_farmland_area(tmp_path: Path) -> None:
    g = county.dltb()
    g["GDDB"] = [5, 0, 0, 0, 7, 0, 0, 0]  # only the two paddy patches are farmland
    g.to_file(tmp_path / "c.gpkg", layer="DLTB")
    lu = lio.read_landuse(tmp_path / "c.gpkg")
    assert lu["GDDB"].tolist() == [5.0, 0.0, 0.0, 0.0, 7.0, 0.0, 0.0, 0.0]
    grade = balance.farmland_quality_grade(lu)
    assert grade[county.COUNTY] == pytest.approx(295 / 49, rel=1e-12)
    assert grade[county.TOWN_A] == pytest.approx(5.0) and grade[county.TOWN_B] == pytest.approx(7.0)


def test_a_layer_without_gddb_says_so(tmp_path: Path) -> None:
    county.dltb().to_file(tmp_path / "n.gpkg", layer="DLTB")
    lu = lio.read_landuse(tmp_path / "n.gpkg")
    assert "GDDB" not in lu.columns  # never a column of zeros
    grade = balance.farmland_quality_grade(lu)
    assert grade.isna().all()
    assert "GDDB" in grade.attrs["reasons"][county.COUNTY]
