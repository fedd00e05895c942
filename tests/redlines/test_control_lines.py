"""The three control lines on a tiny hand-made DLTB (areas worked out on paper).

Patches (local metres from (X0, Y0), EPSG:4527), each 100 x 100 = 10 000 m² planar:

| BSM | box          | DLBM | CZCSXM | TBDLMJ | township  |
|-----|--------------|------|--------|--------|-----------|
| P1  | 0..100, 0..100     | 0701 | 201 | 10 002 | 370321100 |
| P2  | 100..200, 0..100   | 0101 |     |  9 500 | 370321100 |
| P3  | 200..300, 0..100   | 0702 | 203 | 10 000 | 370321101 |
| P4  | 0..100, 100..200   | 0602 |     | 10 000 | 370321101 |
| P5  | 100..200, 100..200 | 1003 |     | 10 000 | 370321101 |
| P6  | 200..300, 100..200 | 0601 |     |  8 000 | 370321101 |
| P7  | 300..400, 0..100   | 0201 |     | 10 000 | 370321101 |
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer

from landuse.findings import get_findings
from landuse.redlines.control_lines import (
    eco_redline_construction,
    farmland_nonfarm,
    line_conflicts,
    outside_urban_boundary,
    summarise_by_township,
)
from tests.helpers import assert_not_mutated
from tests.redlines._fixtures import CRS, box


@pytest.fixture
def lu() -> gpd.GeoDataFrame:
    rows = [
        ("P1", (0, 0, 100, 100), "0701", "城镇住宅用地", "201", 10_002.0, "370321100"),
        ("P2", (100, 0, 200, 100), "0101", "水田", "", 9_500.0, "370321100"),
        ("P3", (200, 0, 300, 100), "0702", "农村宅基地", "203", 10_000.0, "370321101"),
        ("P4", (0, 100, 100, 200), "0602", "采矿用地", "", 10_000.0, "370321101"),
        ("P5", (100, 100, 200, 200), "1003", "公路用地", "", 10_000.0, "370321101"),
        ("P6", (200, 100, 300, 200), "0601", "工业用地", "", 8_000.0, "370321101"),
        ("P7", (300, 0, 400, 100), "0201", "果园", "", 10_000.0, "370321101"),
    ]
    return gpd.GeoDataFrame(
        {
            "BSM": [r[0] for r in rows],
            "DLBM": [r[2] for r in rows],
            "DLMC": [r[3] for r in rows],
            "CZCSXM": [r[4] for r in rows],
            "TBDLMJ": [r[5] for r in rows],
            "township": [r[6] for r in rows],
        },
        geometry=[box(*r[1]) for r in rows],
        crs=CRS,
    )


def line(ids: list[str], geoms: list[shapely.Geometry], crs: str = CRS, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"line_id": ids, **cols}, geometry=geoms, crs=crs)


def by_id(df: pd.DataFrame) -> dict[str, float]:
    return dict(zip(df["feature_id"], df["overlap_m2"], strict=True))


def test_eco_redline_construction(lu: gpd.GeoDataFrame) -> None:
    redline = line(["HX1"], [box(50, 50, 250, 150)])
    out = assert_not_mutated(eco_redline_construction, lu, redline)
    # construction land only (P2 0101 is farmland and left out); official = TBDLMJ x share
    assert by_id(out) == pytest.approx({
        "P1": 10_002 * 0.25,  # 50 x 50 of 100 x 100
        "P3": 10_000 * 0.25,
        "P4": 10_000 * 0.25,
        "P5": 10_000 * 0.50,  # 100 x 50
        "P6": 8_000 * 0.25,
    })
    assert set(out["share"].round(9)) == {0.25, 0.5}
    assert set(out["check"]) == {"eco_redline_construction"}
    assert set(out["against_id"]) == {"HX1"} and set(out["relation"]) == {"inside"}
    assert set(out["area_basis"]) == {"official"}
    assert out.set_index("feature_id").loc["P6", "DLBM"] == "0601"
    p1 = out.set_index("feature_id").loc["P1"]
    assert p1.geometry.equals(box(50, 50, 100, 100)) and p1["township"] == "370321100"
    summary = summarise_by_township(out)
    assert summary.set_index("township")["overlap_m2"].to_dict() == pytest.approx(
        {"370321100": 2_500.5, "370321101": 2_500 + 2_500 + 5_000 + 2_000})
    assert summary.set_index("township")["features"].to_dict() == {"370321100": 1,
                                                                   "370321101": 4}


def test_farmland_nonfarm_by_class(lu: gpd.GeoDataFrame) -> None:
    pf = line(["YJ1"], [box(100, 0, 400, 50)])  # lower half of P2, P3, P7
    out = farmland_nonfarm(lu, pf)
    # P2 is 0101 (farmland): not reported; P3 0702 and P7 0201 half inside
    assert by_id(out) == pytest.approx({"P3": 5_000.0, "P7": 5_000.0})
    assert dict(zip(out["feature_id"], out["DLBM"], strict=True)) == {"P3": "0702", "P7": "0201"}
    by_class = summarise_by_township(out, by=("check", "township", "DLBM"))
    assert by_class[["DLBM", "overlap_m2"]].values.tolist() == [["0201", 5000.0],
                                                                 ["0702", 5000.0]]


def test_farmland_nonfarm_uses_the_rule_sets_farmland_like_the_indicator(
    lu: gpd.GeoDataFrame, tmp_path
) -> None:
    from landuse.indicators.farmland import permanent_farmland_nonfarm_area

    # a rule set that counts 果园 0201 as farmland: P7 (0201) is no longer non-farmland in
    # the check nor in the indicator; P3 (0702) stays, half inside: 5,000 m²
    path = tmp_path / "rules.toml"
    path.write_text('id = "orchard-farmland"\nversion = 1\n[aggregates.farmland]\n'
                    'codes = ["0101", "0102", "0103", "0201"]\n', encoding="utf-8")
    pf = line(["YJ1"], [box(100, 0, 400, 50)])  # lower half of P2, P3, P7
    out = farmland_nonfarm(lu, pf, rules=path)
    assert by_id(out) == pytest.approx({"P3": 5_000.0})
    assert out.attrs["rules"] == "orchard-farmland@1"
    # the indicator reads the survey's areas: TBMJ = TBDLMJ here, no 田坎 deduction
    survey = lu.assign(TBMJ=lu["TBDLMJ"], KCMJ=0.0, KCDLBM="", ZLDWDM=lu["township"] + "001")
    indicator = permanent_farmland_nonfarm_area(survey, pf, by="county", rules=path)
    assert indicator.iloc[0] == pytest.approx(0.5)  # 5,000 m² = 0.5 ha
    # the default rule set (0101–0103): both count P3 and P7
    assert by_id(farmland_nonfarm(lu, pf)) == pytest.approx({"P3": 5_000.0, "P7": 5_000.0})
    assert permanent_farmland_nonfarm_area(survey, pf, by="county").iloc[0] == \
        pytest.approx(1.0)


def test_outside_urban_boundary(lu: gpd.GeoDataFrame) -> None:
    boundary = line(["KF1"], [box(0, 0, 50, 100)], GHFQDM=["01"])  # west half of P1
    out = outside_urban_boundary(lu, boundary)
    # P1 0701/201 urban: east half outside -> 10 002 / 2 (OUT-01 violation); P6 0601 with
    # an empty CZCSXM: all outside, no row but the default (OUT-00 review).
    # P3 (village 203), P4 (mining 0602), P5 (road 1003) are allowed outside.
    assert by_id(out) == pytest.approx({"P1": 5_001.0, "P6": 8_000.0})
    t = out.set_index("feature_id")
    assert t.loc["P1", "construction_type"] == "urban"
    assert t.loc["P6", "construction_type"] == "other"
    assert t.loc["P1", ["status", "rule"]].tolist() == ["violation", "OUT-01"]
    assert t.loc["P6", ["status", "rule"]].tolist() == ["review", "OUT-00"]
    assert t.loc["P1", "share"] == pytest.approx(0.5) and t.loc["P6", "share"] == pytest.approx(1)
    assert set(out["relation"]) == {"outside"}
    assert t.loc["P1"].geometry.equals(box(50, 0, 100, 100))
    special = line(["KF1"], [box(0, 0, 50, 100)], GHFQDM=["03"])
    strict = outside_urban_boundary(lu, special, ghfqdm=("01", "02"))  # 03 does not count
    assert by_id(strict) == pytest.approx({"P1": 10_002.0, "P6": 8_000.0})
    every = outside_urban_boundary(lu, boundary, include_allowed=True)
    assert set(every["feature_id"]) == {"P1", "P3", "P4", "P5", "P6"}
    types = dict(zip(every["feature_id"], every["construction_type"], strict=True))
    assert types["P3"] == "village" and types["P4"] == "mining" and types["P5"] == "transport"


def test_slivers_are_counted_not_silently_dropped(lu: gpd.GeoDataFrame) -> None:
    # overlaps P4 (0602, y 100..200) by 100 x 0.005 = 0.5 m² < sliver_m2 = 1
    redline = line(["HX2"], [box(0, 199.995, 100, 300)])
    out = eco_redline_construction(lu, redline)
    assert len(out) == 0
    f = [x for x in get_findings(out) if x.code == "slivers_dropped"]
    assert len(f) == 1 and f[0].count == 1 and f[0].examples == ["P4"]
    kept = eco_redline_construction(lu, redline, include_touching=True)
    assert kept["relation"].tolist() == ["touching"]
    assert kept["overlap_m2"].iloc[0] == pytest.approx(0.5, abs=1e-6)
    assert len(summarise_by_township(kept)) == 0  # touching rows are not summed


def test_redline_in_4490_is_reprojected(lu: gpd.GeoDataFrame) -> None:
    tr = Transformer.from_crs(4527, 4490, always_xy=True)
    back = Transformer.from_crs(4490, 4527, always_xy=True)
    geo = shapely.transform(box(50, 50, 250, 150),
                            lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    redline = line(["HX1"], [geo], crs="EPSG:4490")
    out = eco_redline_construction(lu, redline)
    assert out.crs == CRS
    poly = shapely.transform(geo, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))
    expected = shapely.intersection(box(100, 100, 200, 200), poly).area  # P5, planar share
    assert by_id(out)["P5"] == pytest.approx(expected, rel=1e-9)
    assert [f.code for f in get_findings(out)] == ["reprojected"]


def test_line_conflicts_planar_and_ellipsoidal() -> None:
    pf = line(["F2", "F3"], [box(0, 100, 60, 160), box(40, 0, 60, 10)],
              ZLDWDM=["3703211010010000000", "3703211000010000000"])
    redline = line(["HX1"], [box(50, 50, 250, 150)])
    boundary = line(["KF1"], [box(0, 0, 50, 100)])
    out = line_conflicts(pf, redline, boundary)
    rows = {(r.feature_id, r.against_layer): r for r in out.itertuples()}
    # F2 x 50..60, y 100..150 = 500 of 3600; F3 x 40..50, y 0..10 = 100 of 200
    assert rows[("F2", "ecological_redline")].overlap_m2 == pytest.approx(500.0)
    assert rows[("F2", "ecological_redline")].share == pytest.approx(500 / 3600)
    assert rows[("F3", "urban_boundary")].overlap_m2 == pytest.approx(100.0)
    assert rows[("F3", "urban_boundary")].share == pytest.approx(0.5)
    assert rows[("F2", "ecological_redline")].township == "370321101"
    assert set(out["area_basis"]) == {"planar"} and len(out) == 2
    ell = line_conflicts(pf, redline, boundary, area="ellipsoidal")
    # independent: the 500 m² piece on the CGCS2000 ellipsoid with pyproj.Geod
    tr = Transformer.from_crs(4527, 4490, always_xy=True)
    ring = np.asarray(box(50, 100, 60, 150).exterior.coords)
    lon, lat = tr.transform(ring[:, 0], ring[:, 1])
    geod_area = abs(Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)[0])
    e = ell.set_index("feature_id").loc["F2"]
    assert e["overlap_m2"] == pytest.approx(geod_area, rel=1e-6)
    assert e["area_basis"] == "ellipsoidal"
    assert abs(e["overlap_m2"] - 500.0) > 0.001  # the two bases differ measurably


def test_line_conflicts_optional_layers() -> None:
    pf = line(["F3"], [box(40, 0, 60, 10)], ZLDWDM=["3703211000010000000"])
    out = line_conflicts(pf, None, line(["KF1"], [box(0, 0, 50, 100)]))
    assert out["against_layer"].tolist() == ["urban_boundary"]
    none = line_conflicts(pf, None, None)
    assert len(none) == 0 and "overlap_m2" in none.columns


def test_reason_names_the_patch_class_and_the_rule_row(lu: gpd.GeoDataFrame) -> None:
    # "<check> <DLMC>（<DLBM>）: <reason_zh> / <check, English> (<DLBM>): <reason_en>", the
    # reasons of rows ECO-01 (0601) and ECO-08 (1003) of landuse/rules/control_line_rules.csv
    redline = line(["HX1"], [box(50, 50, 250, 150)])
    reasons = eco_redline_construction(lu, redline).set_index("feature_id")["reason"]
    assert reasons["P6"] == (
        "生态保护红线内建设用地 工业用地（0601）: "
        "生态保护红线内禁止开发性、生产性建设活动（工业） / "
        "construction land inside the ecological redline (0601): industrial construction is "
        "a development or production activity prohibited inside the ecological redline")
    assert reasons["P5"] == (
        "生态保护红线内建设用地 公路用地（1003）: "
        "已有合法线性基础设施（公路）的运行维护属允许的有限人为活动 / "
        "construction land inside the ecological redline (1003): existing lawful linear "
        "infrastructure (road): operation and maintenance permitted")
    # one text per patch: P1, P3, P4 have their own class names
    assert reasons["P4"].startswith("生态保护红线内建设用地 采矿用地（0602）: ")
    assert reasons["P1"].startswith("生态保护红线内建设用地 城镇住宅用地（0701）: ")


# ----------------------------------------------------------------------------- prepared codes


def test_raw_codes_of_a_frame_made_by_hand_are_normalised(lu: gpd.GeoDataFrame) -> None:
    # the same patches with codes as a hand-made frame may hold them: " 0702", "0201k",
    # "0601 " and CZCSXM "203a"; nothing says they are normalised, so the check normalises
    raw = lu.copy()
    raw["DLBM"] = ["0701", "0101", " 0702", "0602", "1003", "0601 ", "0201k"]
    raw["CZCSXM"] = ["201", "", "203a", "", "", "", ""]
    pf = line(["YJ1"], [box(100, 0, 400, 50)])  # lower half of P2, P3, P7
    out = farmland_nonfarm(raw, pf)
    # P3 (0702) and P7 (0201K: 可调整果园) half inside, codes written normalised
    assert dict(zip(out["feature_id"], out["DLBM"], strict=True)) == {"P3": "0702",
                                                                      "P7": "0201K"}
    # 0201K is an adjustable class (可调整地类): allowed, not a violation (status table)
    assert out.set_index("feature_id").loc["P7", "status"] == "allowed"
    assert out.set_index("feature_id").loc["P3", "status"] == "violation"
    eco = eco_redline_construction(raw, line(["HX1"], [box(50, 50, 250, 150)]))
    assert set(eco["feature_id"]) == {"P1", "P3", "P4", "P5", "P6"}


def test_codes_already_normalised_are_not_normalised_again(
    lu: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import landuse.redlines.tables
    import landuse.rules
    from landuse.rules import mark_normalised

    original = landuse.rules.normalise_codes

    def refuse(codes: pd.Series) -> pd.Series:
        # the status table's own code columns ("code", "czcsxm") are read and normalised
        # as rules; the patches' DLBM / CZCSXM are clean here and must not be
        if codes.name in ("DLBM", "CZCSXM"):
            raise AssertionError(f"the patches' {codes.name} codes were normalised again")
        return original(codes)

    expected = farmland_nonfarm(lu, line(["YJ1"], [box(100, 0, 400, 50)]))
    monkeypatch.setattr(landuse.rules, "normalise_codes", refuse)
    monkeypatch.setattr(landuse.redlines.tables, "normalise_codes", refuse)
    got = farmland_nonfarm(lu, line(["YJ1"], [box(100, 0, 400, 50)]))
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                  pd.DataFrame(expected.drop(columns="geometry")))
    eco = eco_redline_construction(lu, line(["HX1"], [box(50, 50, 250, 150)]))
    assert set(eco["feature_id"]) == {"P1", "P3", "P4", "P5", "P6"}
    # a column the reader recorded as normalised but edited afterwards is not trusted:
    # the values decide, so the (refusing) normaliser is reached
    edited = mark_normalised(lu.copy(), ("DLBM", "CZCSXM"))
    edited.loc[edited["BSM"] == "P3", "DLBM"] = " 0702"
    with pytest.raises(AssertionError, match="DLBM codes were normalised again"):
        farmland_nonfarm(edited, line(["YJ1"], [box(100, 0, 400, 50)]))
    monkeypatch.setattr(landuse.rules, "normalise_codes", original)
    monkeypatch.setattr(landuse.redlines.tables, "normalise_codes", original)
    out = farmland_nonfarm(edited, line(["YJ1"], [box(100, 0, 400, 50)]))
    assert out.set_index("feature_id").loc["P3", ["DLBM", "status"]].tolist() == [
        "0702", "violation"]
