"""``landuse run`` / ``landuse check`` on a county whose DLTB holds a curved patch (issue #21).

The reproduction of the issue: a GeoPackage DLTB layer declared MultiPolygon, triggers
dropped, and one row's blob replaced by a GeoPackage header plus ISO WKB MultiSurface
(type 12) -> CurvePolygon (type 10) whose ring is a CompoundCurve (type 9) ending in a
CircularString (type 8). Before the fix this exited 3 ("internal error
(NotImplementedError ...)").
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landuse.cli import app
from landuse.run import check
from tests.io._curved_data import arc, compound, curve_polygon, gpkg_blob, line, multi_surface
from tests.report.county import X0, Y0, write_county

runner = CliRunner()

# patch A4 of the hand-made county is the 500 m square cell (1, 1); its top edge (the
# county's outer edge) becomes an inward arc of sagitta 2 m. By hand: radius
# r = (250² + 2²) / (2 * 2) = 15 626 m, sweep Φ = 2 asin(250 / r), and the patch loses the
# circular segment r²/2 (Φ − sin Φ) ≈ 666.7 m² (0.27 %, inside the 0.5 % TBMJ tolerance).
_R = (250 ** 2 + 2 ** 2) / 4
_PHI = 2 * math.asin(250 / _R)
A4_AREA = 250_000.0 - _R * _R / 2 * (_PHI - math.sin(_PHI))


def _curved_a4() -> bytes:
    x0, x1, y0, y1 = X0 + 500, X0 + 1000, Y0 + 500, Y0 + 1000
    ring = compound(line([(x0, y1), (x0, y0), (x1, y0), (x1, y1)]),
                    arc([(x1, y1), (x0 + 250, y1 - 2), (x0, y1)]))
    return multi_surface(curve_polygon(ring))


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    config = write_county(tmp_path_factory.mktemp("curved"))
    gpkg = config.parent / "county.gpkg"
    con = sqlite3.connect(gpkg)
    try:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                   "AND tbl_name = 'DLTB'").fetchall():
            con.execute(f'DROP TRIGGER "{name}"')
        col, srs = con.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns "
                               "WHERE table_name = 'DLTB'").fetchone()
        con.execute(f'UPDATE DLTB SET "{col}" = ? WHERE BSM = ?',
                    (gpkg_blob(_curved_a4(), srs), "A4"))
        con.commit()
    finally:
        con.close()
    return config


def test_run_reads_the_curved_patch(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(county), "--out", str(out)])
    assert res.exit_code == 0, res.stderr
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    found = [f for f in doc["provenance"]["findings"] if f["code"] == "curves_linearised"]
    assert len(found) == 1 and found[0]["count"] == 1 and found[0]["examples"] == ["A4"]
    assert "DLTB" in found[0]["source"]
    # TBMJ stays the area of record: the hand-worked county figures are unchanged
    # (development intensity 50 %; construction land 100 ha of 200 ha)
    rows = [r for r in doc["indicators"] if r["id"] == "development_intensity"
            and r["zone"] == "370321"]
    assert len(rows) == 1 and rows[0]["value"] == pytest.approx(50.0)


def test_check_reports_the_finding(county: Path) -> None:
    res = runner.invoke(app, ["check", str(county)])
    assert res.exit_code == 0, res.stderr
    assert "check passed" in res.stderr
    findings = check(county)
    found = [f for f in findings if f.code == "curves_linearised"]
    assert len(found) == 1 and found[0].examples == ["A4"]
    assert not any(f.code == "tbmj_mismatch" for f in findings)


def test_linearised_area_of_the_patch(county: Path) -> None:
    from landuse.io import read_landuse

    lu = read_landuse(county.parent / "county.gpkg", layer="DLTB")
    a4 = lu.loc[lu["BSM"] == "A4"]
    # documented bound: r² Φ θ² / 12 with θ = 0.1°
    bound = _R * _R * _PHI * math.radians(0.1) ** 2 / 12
    assert abs(float(a4.area.iloc[0]) - A4_AREA) <= bound + 1e-6
    assert float(a4["TBMJ"].iloc[0]) == 250_000.0
