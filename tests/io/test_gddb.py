"""GDDB (耕地质量等别) travels from the DLTB layer through the reader to the quality grade.

The hand-made county of tests/report/county.py: A1 (水田, 24 ha after its 1 ha 田坎) grade 5
and B1 (水田, 25 ha) grade 7. By hand: township 100 = 5, township 101 = 7, county =
(5 × 24 + 7 × 25) / 49 = 295 / 49.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import landuse.io as lio
from landuse.errors import LanduseWarning
from landuse.indicators import balance
from tests.report import county


def test_gddb_is_read_and_weighted_by_farmland_area(tmp_path: Path) -> None:
    g = county.dltb()
    g["GDDB"] = [5, 0, 0, 0, 7, 0, 0, 0]  # only the two paddy patches are farmland
    g.to_file(tmp_path / "c.gpkg", layer="DLTB")
    lu = lio.read_landuse(tmp_path / "c.gpkg")
    # 0 is not a grade (exports write it for "none"): no grade, NaN
    assert lu["GDDB"].fillna(-1).tolist() == [5.0, -1, -1, -1, 7.0, -1, -1, -1]
    assert "gddb_not_a_grade" not in {f.code for f in lu.attrs["findings"]}  # not farmland
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


@pytest.mark.parametrize("bad", [0, 16, 15.5, "七等"])
def test_a_farmland_value_that_is_not_a_grade_is_no_grade_and_said(tmp_path: Path, bad) -> None:
    # B1 (水田, 25 ha) carries a value that is not a 耕地质量等别 1–15: it is read as no grade,
    # with a finding that names the patch and its area; the county mean is A1's 5 alone
    # (with 0 averaged in it would be 5 × 24 / 49 = 2.45, better farmland than there is)
    g = county.dltb()
    g["GDDB"] = pd.Series([5, None, None, None, bad, None, None, None], dtype=object).astype(
        str if isinstance(bad, str) else float)
    g.to_file(tmp_path / "c.gpkg", layer="DLTB")
    with pytest.warns(LanduseWarning, match="not a grade 1–15"):
        lu = lio.read_landuse(tmp_path / "c.gpkg")
    found = [f for f in lu.attrs["findings"] if f.code == "gddb_not_a_grade"]
    assert len(found) == 1 and found[0].count == 1 and "(25.0000 ha)" in found[0].message
    assert found[0].examples == [str(g["BSM"].iloc[4])]
    grade = balance.farmland_quality_grade(lu)
    assert grade[county.COUNTY] == pytest.approx(5.0)
    comps = grade.attrs["components"].loc[county.COUNTY]
    assert (comps["graded_farmland_ha"], comps["farmland_ha"]) == (pytest.approx(24.0),
                                                                    pytest.approx(49.0))
