"""The legal status of every redline finding, rule by rule, on hand-made patches.

Every patch is a 100 m x 100 m box (10 000 m² planar) with TBDLMJ written out; the control
line covers the patches it is meant to cover, so each expected area is the TBDLMJ (or a half
of it) read off the table below. Expected statuses and rule ids are those of the rows of
``landuse/rules/control_line_rules.csv`` named in each case (docs/domain.md §7).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from landuse.errors import ConfigError, SchemaError
from landuse.findings import get_findings
from landuse.redlines import (
    eco_redline_construction,
    farmland_nonfarm,
    line_conflicts,
    mining_conflicts,
    mining_rights_in_protected_areas,
    outside_urban_boundary,
    redline_table,
)
from landuse.redlines.tables import load_status_rules, match_status
from landuse.run.result import violations
from tests.redlines._fixtures import CRS, box, protected_frame


def patches(rows: list[tuple[str, str, str, float]]) -> gpd.GeoDataFrame:
    """(BSM, DLBM, CZCSXM, TBDLMJ) -> boxes in a row along x, 100 m apart."""
    return gpd.GeoDataFrame({
        "BSM": [r[0] for r in rows], "DLBM": [r[1] for r in rows], "DLMC": "",
        "CZCSXM": [r[2] for r in rows], "TBDLMJ": [r[3] for r in rows],
        "township": "370321100",
    }, geometry=[box(100 * i, 0, 100 * i + 100, 100) for i in range(len(rows))], crs=CRS)


def cover(n: int, ids: str = "L1") -> gpd.GeoDataFrame:
    """One control-line feature covering the first n patches."""
    return gpd.GeoDataFrame({"line_id": [ids]}, geometry=[box(0, 0, 100 * n, 100)], crs=CRS)


def judged(out: pd.DataFrame) -> dict[str, tuple[str, str, float]]:
    return {r.feature_id: (r.status, r.rule, round(r.overlap_m2, 6))
            for r in out.itertuples()}


# ----------------------------------------------------------------------- ecological redline

def test_eco_redline_status_by_142() -> None:
    lu = patches([
        ("IND", "0601", "", 9_000.0),      # industry: ECO-01 violation
        ("MINE", "0602", "204", 10_000.0),  # mining: ECO-02 violation
        ("SHOP", "05H1", "202", 8_000.0),   # commerce: ECO-04 violation
        ("RAIL", "1001", "", 10_000.0),     # existing railway: ECO-06 allowed
        ("ROAD", "1003", "", 10_000.0),     # existing road: ECO-08 allowed
        ("DAM", "1109", "", 10_000.0),      # water works: ECO-15 allowed
        ("HOME", "0702", "203", 7_000.0),   # homestead in a village: ECO-16 allowed
        ("LONE", "0702", "", 6_000.0),      # homestead outside a village: ECO-17 review
        ("HALL", "08H1", "202", 5_000.0),   # other construction: ECO-00 review
        ("STOP", "1005", "", 4_000.0),      # transport station (not linear): ECO-12 review
        ("FARM", "0101", "", 10_000.0),     # farmland: not construction, no row
    ])
    out = eco_redline_construction(lu, cover(11))
    assert judged(out) == {
        "IND": ("violation", "ECO-01", 9_000.0), "MINE": ("violation", "ECO-02", 10_000.0),
        "SHOP": ("violation", "ECO-04", 8_000.0), "RAIL": ("allowed", "ECO-06", 10_000.0),
        "ROAD": ("allowed", "ECO-08", 10_000.0), "DAM": ("allowed", "ECO-15", 10_000.0),
        "HOME": ("allowed", "ECO-16", 7_000.0), "LONE": ("review", "ECO-17", 6_000.0),
        "HALL": ("review", "ECO-00", 5_000.0), "STOP": ("review", "ECO-12", 4_000.0),
    }
    assert set(out["basis"]) == {"自然资发〔2022〕142号 一"}
    # violations: 9 000 + 10 000 + 8 000 m²
    table = redline_table([out])
    assert violations(table).sum() == 3
    assert table.loc[violations(table), "overlap_m2"].sum() == pytest.approx(27_000.0)


# ----------------------------------------------------------------------- permanent farmland

def test_permanent_farmland_by_category() -> None:
    lu = patches([
        ("K", "0201K", "", 10_000.0),     # adjustable: PF-02 allowed, counted apart
        ("FAC", "1202", "", 8_000.0),     # facility agriculture: PF-03 review
        ("RD", "1006", "", 2_000.0),      # rural road: PF-04 allowed
        ("DITCH", "1107", "", 3_000.0),   # ditch: PF-05 allowed
        ("RIDGE", "1203", "", 1_000.0),   # field ridge: PF-07 allowed
        ("BUILT", "0601", "203", 9_000.0),  # construction: PF-01 violation
        ("HOUSE", "0702", "203", 5_000.0),  # construction: PF-01 violation
        ("WOOD", "0301", "", 10_000.0),   # other agricultural (非粮化): PF-08 review
        ("POND", "1104A", "", 6_000.0),   # other agricultural: PF-08 review
        ("BARE", "1206", "", 4_000.0),    # unused: PF-09 review
        ("RICE", "0101", "", 10_000.0),   # farmland itself: no row
    ])
    out = farmland_nonfarm(lu, cover(11))
    assert judged(out) == {
        "K": ("allowed", "PF-02", 10_000.0), "FAC": ("review", "PF-03", 8_000.0),
        "RD": ("allowed", "PF-04", 2_000.0), "DITCH": ("allowed", "PF-05", 3_000.0),
        "RIDGE": ("allowed", "PF-07", 1_000.0), "BUILT": ("violation", "PF-01", 9_000.0),
        "HOUSE": ("violation", "PF-01", 5_000.0), "WOOD": ("review", "PF-08", 10_000.0),
        "POND": ("review", "PF-08", 6_000.0), "BARE": ("review", "PF-09", 4_000.0),
    }
    cat = out.groupby("category")["overlap_m2"].sum().to_dict()
    assert cat == pytest.approx({"可调整地类": 10_000.0, "设施农用地": 8_000.0,
                                 "农田基础设施": 6_000.0, "建设占用": 14_000.0,
                                 "其他农用地": 16_000.0, "未利用地": 4_000.0})
    assert out.set_index("feature_id").loc["FAC", "basis"] == "自然资规〔2019〕4号"


# ----------------------------------------------------------------------- urban boundary

def test_outside_boundary_village_industry_is_allowed_urban_is_violation() -> None:
    lu = patches([
        ("IN", "0701", "201", 10_000.0),     # inside the boundary: no row
        ("VIND", "0601", "203", 10_000.0),   # village industry: OUT-05 allowed (the old bug)
        ("VA", "0601", "203A", 9_000.0),     # village independent industry: OUT-06 allowed
        ("CITY", "0601", "201", 8_000.0),    # city industry: OUT-01 violation
        ("TOWN", "0701", "202", 7_000.0),    # town housing: OUT-02 violation
        ("CA", "0601", "201A", 6_000.0),     # city independent industry: OUT-03 violation
        ("LONE", "0702", "", 5_000.0),       # scattered homestead: OUT-07 allowed
        ("MINE", "0602", "", 4_000.0),       # mining: OUT-09 allowed
        ("HWY", "1003", "201", 3_000.0),     # road within a city extent: OUT-15 (code wins)
        ("STN", "1005", "201", 2_000.0),     # city transport station: OUT-20 violation
        ("ODD", "0601", "", 1_000.0),        # industry with no CZCSXM: OUT-00 review
    ])
    boundary = gpd.GeoDataFrame({"line_id": ["KF"], "GHFQDM": ["01"]},
                                geometry=[box(0, 0, 100, 100)], crs=CRS)
    every = outside_urban_boundary(lu, boundary, include_allowed=True)
    assert judged(every) == {
        "VIND": ("allowed", "OUT-05", 10_000.0), "VA": ("allowed", "OUT-06", 9_000.0),
        "CITY": ("violation", "OUT-01", 8_000.0), "TOWN": ("violation", "OUT-02", 7_000.0),
        "CA": ("violation", "OUT-03", 6_000.0), "LONE": ("allowed", "OUT-07", 5_000.0),
        "MINE": ("allowed", "OUT-09", 4_000.0), "HWY": ("allowed", "OUT-15", 3_000.0),
        "STN": ("violation", "OUT-20", 2_000.0), "ODD": ("review", "OUT-00", 1_000.0),
    }
    default = outside_urban_boundary(lu, boundary)
    assert sorted(default["feature_id"]) == ["CA", "CITY", "ODD", "STN", "TOWN"]
    f = [x for x in get_findings(default) if x.code == "outside_boundary_allowed"]
    assert len(f) == 1 and f[0].count == 5  # VIND, VA, LONE, MINE, HWY
    assert violations(redline_table([default])).sum() == 4


def test_line_conflicts_are_review() -> None:
    pf = gpd.GeoDataFrame({"line_id": ["PF1"], "ZLDWDM": ["3703211000000000000"]},
                          geometry=[box(0, 0, 100, 100)], crs=CRS)
    red = gpd.GeoDataFrame({"line_id": ["HX"]}, geometry=[box(50, 0, 150, 100)], crs=CRS)
    out = line_conflicts(pf, red, None)
    assert judged(out) == {"PF1": ("review", "LINE-00", 5_000.0)}


# ----------------------------------------------------------------------- specificity order

def _table(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(rule, code, czcsxm, sandalei, status) rows of a one-check table."""
    return pd.DataFrame([{"rule": r[0], "check": "c", "code": r[1], "czcsxm": r[2],
                          "sandalei": r[3], "status": r[4], "category": "",
                          "construction_type": "", "reason_zh": "", "reason_en": "",
                          "basis": "", "verify": ""} for r in rows])


def test_most_specific_row_wins_in_the_documented_order() -> None:
    t = load_status_rules(_table([
        ("D", "*", "*", "*", "review"),          # (0, 0, 0)
        ("S", "*", "*", "建设用地", "violation"),  # (0, 0, 1)
        ("Z", "*", "203", "*", "allowed"),        # (0, 1, 0)
        ("P", "06*", "*", "*", "review"),         # (1, 0, 0)
        ("C", "0601", "*", "*", "violation"),     # (2, 0, 0)
        ("CZ", "0601", "203", "*", "allowed"),    # (2, 1, 0)
    ]))
    codes = pd.Series(["0601", "0601", "0602", "0701", "0701", "0101"])
    cz = pd.Series(["203", "201", "203", "203", "201", ""])
    got = match_status("c", codes, cz, t)["rule"].tolist()
    # exact code + czcsxm > exact code > pattern > czcsxm > sandalei > default
    assert got == ["CZ", "C", "P", "Z", "S", "D"]


def test_tied_rows_and_missing_default_are_errors() -> None:
    tied = load_status_rules(_table([("D", "*", "*", "*", "review"),
                                     ("A", "06*", "*", "*", "allowed"),
                                     ("B", "*1", "*", "*", "violation")]))
    with pytest.raises(SchemaError, match=r"\['A', 'B'\].*equally"):
        match_status("c", pd.Series(["0601"]), pd.Series([""]), tied)
    with pytest.raises(ConfigError, match="default row"):
        load_status_rules(_table([("A", "0601", "*", "*", "allowed")]))
    with pytest.raises(ConfigError, match="status"):
        load_status_rules(_table([("D", "*", "*", "*", "illegal")]))


# ----------------------------------------------------------------------- mining rights

def _rights(rows: list[tuple[str, str, str, str, str, float]]) -> gpd.GeoDataFrame:
    """(licence, stage, mineral, right_type, valid_to, x0) -> 50 m x 100 m rights."""
    return gpd.GeoDataFrame({
        "licence_no": [r[0] for r in rows], "stage": [r[1] for r in rows],
        "mineral": [r[2] for r in rows], "right_type": [r[3] for r in rows],
        "holder": "某公司", "valid_from": pd.Timestamp("2010-01-01"),
        "valid_to": pd.to_datetime([r[4] for r in rows]),
    }, geometry=[box(r[5], 0, r[5] + 50, 100) for r in rows], crs=CRS)


def test_mining_against_the_ecological_redline_with_142_exceptions_and_expiry() -> None:
    # redline HX: x 0..1000; nature park NP: x 2000..2100; reserve core NR: x 3000..3100
    red = gpd.GeoDataFrame({"line_id": ["HX"], "HXMC": ["红线"]},
                           geometry=[box(0, 0, 1000, 100)], crs=CRS)
    protected = protected_frame([("NP", "自然公园", "", box(2000, 0, 2100, 100)),
                                 ("NR", "自然保护区", "核心保护区", box(3000, 0, 3100, 100))])
    rights = _rights([
        ("GEO", "existing", "地热", "采矿权", "2030-01-01", 0),          # MX-01 review
        ("GEO-NEW", "application", "地热", "采矿权", "2030-01-01", 100),  # MP-13 refuse
        ("LIME", "existing", "石灰岩", "采矿权", "2030-01-01", 200),     # MP-13 withdraw
        ("U", "application", "铀", "探矿权", "2030-01-01", 300),         # MX-03 review
        ("OIL", "existing", "石油", "探矿权", "2030-01-01", 400),        # MX-02 review
        ("OLD", "existing", "石灰岩", "采矿权", "2020-06-30", 500),      # expired
        ("PARK", "existing", "石灰岩", "采矿权", "2030-01-01", 2000),    # MP-12 withdraw
        ("PARKGEO", "existing", "矿泉水", "采矿权", "2030-01-01", 2050),  # MX-01 review
        ("CORE", "existing", "地热", "采矿权", "2030-01-01", 3000),      # MP-01: no exception
    ])
    out = mining_conflicts(rights, protected, ecological_redline=red,
                           evaluation_date="2022-12-31")
    inside = out[out["relation"] == "inside"]
    got = {r.licence_no: (r.category, r.disposition, r.status, r.rule, r.overlap_m2)
           for r in inside.itertuples()}
    assert got == {
        "GEO": ("生态保护红线", "review", "review", "MX-01", 5_000.0),
        "GEO-NEW": ("生态保护红线", "refuse", "violation", "MP-13", 5_000.0),
        "LIME": ("生态保护红线", "withdraw", "violation", "MP-13", 5_000.0),
        "U": ("生态保护红线", "review", "review", "MX-03", 5_000.0),
        "OIL": ("生态保护红线", "review", "review", "MX-02", 5_000.0),
        "OLD": ("生态保护红线", "expired", "review", "valid_to", 5_000.0),
        "PARK": ("自然公园", "withdraw", "violation", "MP-12", 5_000.0),
        "PARKGEO": ("自然公园", "review", "review", "MX-01", 5_000.0),
        "CORE": ("自然保护区", "withdraw", "violation", "MP-01", 5_000.0),
    }
    # counted: existing rights in prohibiting areas, not expired (OLD), not applications:
    # GEO, LIME, OIL, PARK, PARKGEO, CORE
    count = mining_rights_in_protected_areas(out, county="370321")
    assert count.loc["370321"] == 6
    table = redline_table([out])
    assert sorted(table.loc[violations(table), "feature_id"]) == ["CORE", "GEO-NEW", "LIME",
                                                                   "PARK"]
