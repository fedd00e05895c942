"""Mining rights x protected areas, on boxes whose overlaps are worked out on paper."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from landuse.errors import CRSError, GeometryError, SchemaError
from landuse.findings import get_findings
from landuse.redlines.mining import ProtectedIndex, check_new_right, mining_conflicts
from landuse.redlines.summary import mining_rights_in_protected_areas, right_summary
from tests.helpers import assert_not_mutated
from tests.redlines._fixtures import CRS, X0, Y0, box, protected_frame, reserve, rights_frame


def one(conflicts: pd.DataFrame, licence: str, against: str | None = None) -> pd.Series:
    rows = conflicts[conflicts["licence_no"] == licence]
    if against is not None:
        rows = rows[rows["against_id"] == against]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture
def basic() -> pd.DataFrame:
    """Rights around one 1000 x 1000 reserve core (x, y in 0..1000)."""
    rights = rights_frame([
        ("FULL", "existing", box(100, 100, 200, 200)),  # 100 x 100 inside
        ("PART", "existing", box(960, 0, 1060, 100)),  # 40 x 100 = 4000 inside: 40 %
        ("EDGE", "existing", box(1000, 0, 1100, 100)),  # shares the edge x = 1000
        ("POINT", "existing", box(1000, 1000, 1100, 1100)),  # shares the corner
        ("GAP1M", "existing", box(1001, 0, 1101, 100)),  # 1 m east of the reserve
        ("FAR", "existing", box(3000, 0, 3100, 100)),  # 2000 m away: beyond near_m
        ("SLIVER", "existing", box(999.995, 200, 1099.995, 300)),  # 0.005 x 100 = 0.5 m²
        ("APPLY", "application", box(900, 500, 1000, 600)),  # 100 x 100 inside, applied for
    ])
    return assert_not_mutated(mining_conflicts, rights, reserve())


def test_fully_inside(basic: pd.DataFrame) -> None:
    r = one(basic, "FULL")
    assert r["relation"] == "inside"
    assert r["overlap_m2"] == pytest.approx(10_000.0)
    assert r["share"] == pytest.approx(1.0)
    assert r["disposition"] == "withdraw"
    assert r["category"] == "自然保护区" and r["zone_type"] == "核心保护区"
    assert "退出" in r["reason"] and "withdraw" in r["reason"]
    assert r.geometry.equals(box(100, 100, 200, 200))


def test_partly_inside(basic: pd.DataFrame) -> None:
    r = one(basic, "PART")
    assert r["relation"] == "inside"
    assert r["overlap_m2"] == pytest.approx(4_000.0)
    assert r["share"] == pytest.approx(0.4)
    assert r["right_area_m2"] == pytest.approx(10_000.0)
    assert r.geometry.equals(box(960, 0, 1000, 100))


def test_touching_edge_and_point(basic: pd.DataFrame) -> None:
    edge, point = one(basic, "EDGE"), one(basic, "POINT")
    assert (edge["relation"], point["relation"]) == ("touching", "touching")
    assert edge["overlap_m2"] == 0.0 and point["overlap_m2"] == 0.0
    assert edge["disposition"] == "none" and point["disposition"] == "none"
    assert edge.geometry.geom_type == "LineString"
    assert edge.geometry.length == pytest.approx(100.0)
    assert point.geometry.equals(shapely.Point(X0 + 1000, Y0 + 1000))


def test_sliver_overlap_is_touching(basic: pd.DataFrame) -> None:
    r = one(basic, "SLIVER")
    assert r["relation"] == "touching"
    assert r["overlap_m2"] == pytest.approx(0.5, abs=1e-6)
    assert r["disposition"] == "none"


def test_near_one_metre_and_far(basic: pd.DataFrame) -> None:
    r = one(basic, "GAP1M")
    assert r["relation"] == "near"
    assert r["distance_m"] == pytest.approx(1.0)
    assert r["overlap_m2"] == 0.0 and r["disposition"] == "none"
    assert r.geometry.length == pytest.approx(1.0)
    assert "FAR" not in set(basic["licence_no"])


def test_near_band_is_configurable() -> None:
    rights = rights_frame([("FAR", "existing", box(3000, 0, 3100, 100))])
    out = mining_conflicts(rights, reserve(), near_m=2500.0)
    r = one(out, "FAR")
    assert r["relation"] == "near" and r["distance_m"] == pytest.approx(2000.0)


def test_application_is_refused(basic: pd.DataFrame) -> None:
    r = one(basic, "APPLY")
    assert r["relation"] == "inside" and r["disposition"] == "refuse"
    assert "refused" in r["reason"]


def test_core_and_general_zone() -> None:
    protected = protected_frame([
        ("CORE", "自然保护区", "核心保护区", box(0, 0, 100, 100)),
        ("GEN", "自然保护区", "一般控制区", box(100, 0, 300, 100)),
    ])
    rights = rights_frame([("X", "existing", box(50, 0, 150, 100))])
    out = mining_conflicts(rights, protected)
    core, gen = one(out, "X", "CORE"), one(out, "X", "GEN")
    assert core["overlap_m2"] == pytest.approx(5_000.0) and core["share"] == pytest.approx(0.5)
    assert gen["overlap_m2"] == pytest.approx(5_000.0) and gen["share"] == pytest.approx(0.5)
    assert (core["priority"], gen["priority"]) == (1.0, 3.0)  # from mining_prohibited.csv
    summary = right_summary(out)
    assert summary.loc[0, "protected_area_m2"] == pytest.approx(10_000.0)
    assert summary.loc[0, "priority"] == 1.0
    assert summary.loc[0, "features_inside"] == 2


def test_overlapping_protected_areas_counted_once() -> None:
    # reserve A: x 0..60, scenic area B: x 40..100 (they overlap on x 40..60)
    protected = protected_frame([
        ("A", "自然保护区", "", box(0, 0, 60, 100)),
        ("B", "风景名胜区", "", box(40, 0, 100, 100)),
    ])
    # right x 20..120: A∩ = 40 x 100 = 4000; B∩ = 60 x 100 = 6000; sum 10000,
    # union x 20..100 = 80 x 100 = 8000 -> share 0.8, not 1.0
    rights = rights_frame([("R", "existing", box(20, 0, 120, 100))])
    out = mining_conflicts(rights, protected)
    assert one(out, "R", "A")["overlap_m2"] == pytest.approx(4_000.0)
    assert one(out, "R", "B")["overlap_m2"] == pytest.approx(6_000.0)
    s = right_summary(out).iloc[0]
    assert s["protected_area_m2"] == pytest.approx(8_000.0)
    assert s["protected_share"] == pytest.approx(0.8)
    assert s["prohibited_area_m2"] == pytest.approx(8_000.0)
    assert s["disposition"] == "withdraw" and s["withdrawal_order"] == 1


def test_multipolygon_with_hole() -> None:
    # part 1: 100 x 100 with a 20 x 20 hole (x, y 40..60): 9600; part 2: 50 x 100 = 5000
    part1 = box(0, 0, 100, 100).difference(box(40, 40, 60, 60))
    right = shapely.MultiPolygon([part1, box(200, 0, 250, 100)])
    # drinking-water grade-1 zone x 50..225:
    # part 1: x 50..100 = 5000 minus the hole's x 50..60, y 40..60 = 200 -> 4800
    # part 2: x 200..225 = 2500; total 7300 of 14600 -> share 0.5
    protected = protected_frame([("W1", "饮用水水源保护区", "一级保护区", box(50, 0, 225, 100))])
    out = mining_conflicts(rights_frame([("MP", "application", right)]), protected)
    r = one(out, "MP")
    assert r["right_area_m2"] == pytest.approx(14_600.0)
    assert r["overlap_m2"] == pytest.approx(7_300.0)
    assert r["share"] == pytest.approx(0.5)
    assert r["disposition"] == "refuse"
    assert r.geometry.geom_type == "MultiPolygon"


def test_not_prohibited_category() -> None:
    # a county table that does not prohibit mining in 风景名胜区: the row is inside, allowed
    from landuse.redlines.tables import load_mining_rules

    table = load_mining_rules()
    table = table.assign(prohibited=np.where(table["category"] == "风景名胜区", "0", "1"),
                         priority=table["priority"].fillna(9).astype(str))
    protected = protected_frame([("SA", "风景名胜区", "", box(0, 0, 100, 100))])
    out = mining_conflicts(rights_frame([("R", "existing", box(0, 0, 50, 100))]), protected,
                           mining_rules=table)
    r = one(out, "R")
    assert r["relation"] == "inside" and not r["prohibited"]
    assert r["disposition"] == "none" and r["status"] == "allowed" and r["rule"] == "MP-08"
    assert mining_rights_in_protected_areas(out, county="370321").iloc[0] == 0


@pytest.mark.parametrize("dx", [0.001, -0.001])
def test_stable_under_one_millimetre_shift(dx: float) -> None:
    rights = rights_frame([
        ("PART", "existing", box(960, 0, 1060, 100)),
        ("EDGE", "existing", box(1000, 0, 1100, 100)),
        ("POINT", "existing", box(1000, 1000, 1100, 1100)),
        ("GAP1M", "existing", box(1001, 0, 1101, 100)),
    ])
    base = mining_conflicts(rights, reserve())
    moved = rights.set_geometry(rights.translate(dx, dx))
    shifted = mining_conflicts(moved, reserve())
    cols = ["licence_no", "against_id", "relation", "disposition"]
    pd.testing.assert_frame_equal(base[cols], shifted[cols])
    # an edge 100 m long moved by 1 mm changes an overlap by at most 100 x 0.001 = 0.1 m²
    np.testing.assert_allclose(shifted["overlap_m2"], base["overlap_m2"], atol=0.2)
    np.testing.assert_allclose(shifted["distance_m"], base["distance_m"], atol=0.0015)


def test_sub_millimetre_jitter_is_removed_by_the_grid() -> None:
    rights = rights_frame([("EDGE", "existing", box(1000.0003, 0, 1100, 100))])
    out = mining_conflicts(rights, reserve())
    r = one(out, "EDGE")
    assert r["relation"] == "touching" and r["distance_m"] == 0.0


def _to_4490(geom: shapely.Geometry) -> shapely.Geometry:
    tr = Transformer.from_crs(4527, 4490, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _to_4527(geom: shapely.Geometry) -> shapely.Geometry:
    tr = Transformer.from_crs(4490, 4527, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def test_mixed_crs_protected_in_4490() -> None:
    geo = _to_4490(box(0, 0, 1000, 1000))
    protected = protected_frame([("NR1", "自然保护区", "核心保护区", geo)], crs="EPSG:4490")
    rights = rights_frame([("PART", "existing", box(960, 0, 1060, 100))])
    # expectation from pyproj directly: bring the stored 4490 vertices back, intersect
    expected = shapely.intersection(box(960, 0, 1060, 100), _to_4527(geo)).area
    exact = mining_conflicts(rights, protected, grid_size=0.0)
    assert exact.crs == CRS
    assert one(exact, "PART")["overlap_m2"] == pytest.approx(expected, rel=1e-9)
    snapped = mining_conflicts(rights, protected)
    # snapping moves each vertex by <= 0.5 mm: perimeter 280 m x 0.0005 m < 0.15 m²
    assert one(snapped, "PART")["overlap_m2"] == pytest.approx(expected, abs=0.15)
    codes = [f.code for f in get_findings(snapped)]
    assert codes == ["reprojected"]
    assert "EPSG:4490" in get_findings(snapped)[0].message


def test_geographic_rights_need_a_working_crs() -> None:
    rights = rights_frame([("R", "existing", _to_4490(box(0, 0, 100, 100)))], crs="EPSG:4490")
    with pytest.raises(CRSError, match="working_crs='EPSG:4527'"):
        mining_conflicts(rights, reserve())
    out = mining_conflicts(rights, reserve(), working_crs="EPSG:4527")
    assert out.crs == CRS
    expected = _to_4527(_to_4490(box(0, 0, 100, 100))).area
    assert one(out, "R")["overlap_m2"] == pytest.approx(expected, abs=0.1)


def test_schema_errors() -> None:
    bad_stage = rights_frame([("R", "granted", box(0, 0, 1, 1))])
    with pytest.raises(SchemaError, match="granted"):
        mining_conflicts(bad_stage, reserve())
    dup = rights_frame([("R", "existing", box(0, 0, 1, 1)), ("R", "existing", box(2, 2, 3, 3))])
    with pytest.raises(SchemaError, match="repeats licence_no"):
        mining_conflicts(dup, reserve())
    unknown = protected_frame([("U", "湿地保护区", "", box(0, 0, 10, 10))])
    with pytest.raises(SchemaError, match="湿地保护区"):
        mining_conflicts(rights_frame([("R", "existing", box(0, 0, 1, 1))]), unknown)
    empty = rights_frame([("R", "existing", shapely.Polygon())])
    with pytest.raises(GeometryError, match="null or empty"):
        mining_conflicts(empty, reserve())
    with pytest.raises(SchemaError, match="licence_no"):
        mining_conflicts(rights_frame([("R", "existing", box(0, 0, 1, 1))]).drop(
            columns="licence_no"), reserve())


def test_custom_rule_table(tmp_path: pytest.TempPathFactory) -> None:
    rules = tmp_path / "rules.csv"
    rules.write_text(
        "category,zone,prohibited,priority,reason_zh,reason_en,basis,status\n"
        "自然保护区,*,0,,允许,allowed here,test,\n", encoding="utf-8")
    out = mining_conflicts(rights_frame([("R", "existing", box(0, 0, 10, 10))]), reserve(),
                           mining_rules=rules)
    assert one(out, "R")["disposition"] == "none"
    assert out.attrs["rules"] == str(rules)


def test_townships_assigned_by_largest_overlap() -> None:
    towns = gpd.GeoDataFrame({"zone": ["370321100", "370321101"], "zone_name": ["索镇", "唐山镇"]},
                             geometry=[box(-500, -500, 970, 2000), box(970, -500, 3000, 2000)],
                             crs=CRS)
    rights = rights_frame([
        ("PART", "existing", box(960, 0, 1060, 100)),  # overlap x 960..1000: 10 in T100, 30 in T101
        ("FULL", "existing", box(100, 100, 200, 200)),
        ("GAP1M", "existing", box(1001, 0, 1101, 100)),  # near row: the right lies in T101
    ])
    out = mining_conflicts(rights, reserve(), townships=towns)
    assert one(out, "PART")["township"] == "370321101"
    assert one(out, "FULL")["township"] == "370321100"
    assert one(out, "GAP1M")["township"] == "370321101"
    ind = mining_rights_in_protected_areas(out, townships=towns)
    assert ind.name == "mining_rights_in_protected_areas"
    assert ind.to_dict() == {"370321": 2, "370321100": 1, "370321101": 1}


def test_check_new_right_matches_table_and_reprojects() -> None:
    protected = protected_frame([
        ("A", "自然保护区", "", box(0, 0, 60, 100)),
        ("B", "风景名胜区", "", box(40, 0, 100, 100)),
        ("FP", "自然公园", "", box(500, 0, 600, 100)),
    ])
    index = ProtectedIndex(protected)
    r = check_new_right(box(20, 0, 120, 100), index, crs=CRS)
    assert not r.allowed and r.disposition == "refuse"
    assert r.area_m2 == pytest.approx(10_000.0)
    assert r.protected_area_m2 == pytest.approx(8_000.0)
    assert {c["against_id"]: c["overlap_m2"] for c in r.contacts} == pytest.approx(
        {"A": 4_000.0, "B": 6_000.0})
    assert len(r.reasons) == 2
    # the same right given in EPSG:4490 (GeoJSON dict) gives the same answer within 0.1 m²
    geojson = shapely.geometry.mapping(_to_4490(box(20, 0, 120, 100)))
    r2 = index.check(geojson, crs="EPSG:4490")
    assert r2.protected_area_m2 == pytest.approx(8_000.0, abs=0.1)
    # a nature park follows the 自然保护地 rules inside the redline (MP-12): refused
    park = index.check(box(500, 0, 550, 100).wkt, crs=CRS)
    assert not park.allowed and park.disposition == "refuse"
    assert park.contacts[0]["overlap_m2"] == 5000.0
    near = index.check(box(101, 0, 200, 100), crs=CRS, near_m=10)
    assert near.allowed and near.contacts == () and near.nearest["against_id"] == "B"
    assert near.nearest["distance_m"] == pytest.approx(1.0)
    d = near.to_dict()
    assert d["allowed"] is True and isinstance(d["contacts"], list)
    with pytest.raises(GeometryError):
        index.check(shapely.Point(X0, Y0), crs=CRS)
    with pytest.raises(GeometryError, match="cannot be transformed"):
        index.check(box(0, 0, 10, 10), crs="EPSG:4490")  # metres declared as degrees


def test_protected_index_rejects_geographic_without_working_crs() -> None:
    geo = protected_frame([("P", "自然保护区", "", _to_4490(box(0, 0, 10, 10)))], crs=4490)
    with pytest.raises(CRSError, match="geographic"):
        ProtectedIndex(geo)
    assert ProtectedIndex(geo, working_crs=4527).crs.to_epsg() == 4527


def test_right_summary_lists_rights_without_rows(basic: pd.DataFrame) -> None:
    rights = rights_frame([
        ("FULL", "existing", box(100, 100, 200, 200)),
        ("PART", "existing", box(960, 0, 1060, 100)),
        ("FAR", "existing", box(3000, 0, 3100, 50)),
    ])
    conflicts = mining_conflicts(rights, reserve())
    s = right_summary(conflicts, rights=rights).set_index("licence_no")
    assert s.loc["FAR", "relation"] == "none"
    assert s.loc["FAR", "right_area_m2"] == pytest.approx(5_000.0)
    # both withdraw at priority 1; FULL (share 1.0) before PART (share 0.4)
    assert s.loc["FULL", "withdrawal_order"] == 1 and s.loc["PART", "withdrawal_order"] == 2
    assert pd.isna(s.loc["FAR", "withdrawal_order"])


def test_indicator_counts_existing_prohibited_inside_only(basic: pd.DataFrame) -> None:
    # FULL and PART are existing and inside; APPLY is an application; the rest touch or near
    ind = mining_rights_in_protected_areas(basic, county="370321")
    assert ind.to_dict() == {"370321": 2}
    both = mining_rights_in_protected_areas(basic, county="370321",
                                            stages=("existing", "application"))
    assert both.iloc[0] == 3


def test_result_does_not_depend_on_row_order(basic: pd.DataFrame) -> None:
    rights = rights_frame([
        ("PART", "existing", box(960, 0, 1060, 100)),
        ("FULL", "existing", box(100, 100, 200, 200)),
    ])
    protected = protected_frame([
        ("A", "自然保护区", "", box(0, 0, 980, 1000)),
        ("B", "风景名胜区", "", box(970, 0, 2000, 1000)),
    ])
    a = mining_conflicts(rights, protected)
    b = mining_conflicts(rights.iloc[::-1], protected.iloc[::-1])
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert all(x.equals(y) for x, y in zip(a.geometry, b.geometry, strict=True))
    sa = assert_not_mutated(right_summary, a)
    pd.testing.assert_frame_equal(sa, right_summary(b))


coord = st.integers(min_value=0, max_value=40).map(lambda v: v * 5.0)


@st.composite
def boxes(draw: st.DrawFn) -> tuple[float, float, float, float]:
    x0, y0 = draw(coord), draw(coord)
    return x0, y0, x0 + draw(coord) + 5.0, y0 + draw(coord) + 5.0


@settings(max_examples=15, deadline=None)
@given(right=boxes(), areas=st.lists(boxes(), min_size=1, max_size=4))
def test_union_counted_once_property(right: tuple, areas: list[tuple]) -> None:
    protected = protected_frame([(f"P{i}", "自然保护区", "", box(*b)) for i, b in enumerate(areas)])
    rights = rights_frame([("R", "existing", box(*right))])
    out = mining_conflicts(rights, protected, near_m=0.0)
    union = shapely.union_all([box(*b) for b in areas])
    want = shapely.intersection(box(*right), union).area  # shapely directly: the oracle
    s = right_summary(out, rights=rights).iloc[0]
    assert s["protected_area_m2"] == pytest.approx(want, abs=1e-6)
    pair = {i: shapely.intersection(box(*right), box(*b)).area for i, b in enumerate(areas)}
    for row in out.itertuples():
        assert row.overlap_m2 == pytest.approx(pair[int(row.against_id[1:])], abs=1e-6)
        assert row.relation == ("inside" if row.overlap_m2 >= 1.0 else "touching")


def test_one_index_checked_from_many_threads_at_once() -> None:
    # Ten 100 m x 100 m reserves 200 m apart; a right of the same size shifted by dx m to
    # the east of reserve k overlaps it by (100 - dx) x 100 m² and touches nothing else.
    # Eight threads query one index at the same time (as the HTTP service's threads do)
    # and every answer must be the hand value.
    import threading

    protected = protected_frame([(f"R{k}", "自然保护区", "", box(200 * k, 0, 200 * k + 100, 100))
                                 for k in range(10)])
    index = ProtectedIndex(protected)
    cases = [(k, dx) for k in range(10) for dx in range(1, 100, 7)]
    barrier = threading.Barrier(8)
    wrong: list[tuple[int, int, object]] = []

    def worker(offset: int) -> None:
        barrier.wait()
        for i in range(3 * len(cases)):
            k, dx = cases[(i + offset) % len(cases)]
            r = index.check(box(200 * k + dx, 0, 200 * k + dx + 100, 100), crs=CRS)
            got = [(c["against_id"], c["overlap_m2"]) for c in r.contacts]
            if got != [(f"R{k}", pytest.approx((100 - dx) * 100.0))] or r.allowed:
                wrong.append((k, dx, got))

    threads = [threading.Thread(target=worker, args=(7 * t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
