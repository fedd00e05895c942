"""Regression on the sample county: every figure checked against geopandas.overlay.

The layers come from the session's sample (``tests/conftest.py``; skipped when
``sample_data/huantai.gpkg`` is absent). The oracle is geopandas' own overlay (an
independent code path: no STRtree pair logic, no snapping, no engine), so the sums must
agree within the snapping error.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely


@pytest.fixture
def county(sample) -> dict[str, gpd.GeoDataFrame]:
    return {"lu": sample["DLTB"], "towns": sample["XZQ"], "redline": sample["STBHHX"],
            "pf": sample["YJJBNTBHTB"], "ub": sample["CZKFBJ"], "protected": sample["ZRBHD"],
            "rights": sample["KYQ"]}


def test_mining_conflicts_against_geopandas_overlay(county: dict) -> None:
    from landuse.redlines import mining_conflicts, right_summary

    rights, protected = county["rights"], county["protected"].to_crs(county["rights"].crs)
    out = mining_conflicts(rights, county["protected"], townships=county["towns"])
    oracle = gpd.overlay(rights[["licence_no", "geometry"]], protected[["id", "geometry"]],
                         how="intersection", keep_geom_type=True)
    oracle["area"] = oracle.area
    expected = oracle[oracle["area"] >= 1.0].groupby(["licence_no", "id"])["area"].sum()
    inside = out[out["relation"] == "inside"].set_index(["licence_no", "against_id"])
    assert sorted(inside.index) == sorted(expected.index)
    got = inside["overlap_m2"].loc[expected.index].to_numpy()
    # snapping to 1 mm moves each vertex by <= 0.5 mm: allow 1e-6 relative + 0.5 m²
    np.testing.assert_allclose(got, expected.to_numpy(), rtol=1e-6, atol=0.5)
    assert (out["share"] <= 1 + 1e-9).all()
    assert out["township"].str.len().isin([0, 9]).all()
    # union counted once: right ∩ (union of protected areas), straight from shapely
    summary = right_summary(out).set_index("licence_no")
    union = shapely.union_all(protected.geometry.array)
    for lic, geom in zip(rights["licence_no"], rights.geometry, strict=True):
        if lic in summary.index and summary.loc[lic, "relation"] != "near":
            want = shapely.intersection(geom, union).area
            assert summary.loc[lic, "protected_area_m2"] == pytest.approx(want, rel=1e-6,
                                                                          abs=0.5)


def _official(pieces: gpd.GeoDataFrame, lu: gpd.GeoDataFrame) -> float:
    """Official area of overlay pieces: TBDLMJ x planar piece / planar patch (docs/domain.md §2)."""
    patch_area = lu.set_index("BSM").geometry.area
    ratio = pieces.area.to_numpy() / patch_area.loc[pieces["BSM"]].to_numpy()
    return float((pieces["TBDLMJ"].to_numpy() * ratio).sum())


def test_eco_redline_construction_against_overlay(county: dict) -> None:
    from landuse.redlines import eco_redline_construction
    from landuse.rules import load_rules

    lu = county["lu"]
    out = eco_redline_construction(lu, county["redline"])
    mask = load_rules().mask("construction_land", lu["DLBM"], lu["CZCSXM"])
    sel = lu.loc[mask, ["BSM", "TBDLMJ", "geometry"]]
    red = county["redline"].to_crs(lu.crs)[["line_id", "geometry"]]
    pieces = gpd.overlay(sel, red, how="intersection", keep_geom_type=True)
    pieces = pieces[pieces.area >= 1.0]
    assert out["overlap_m2"].sum() == pytest.approx(_official(pieces, lu), rel=1e-6)
    assert len(out) == len(pieces)


def test_farmland_and_outside_boundary_against_overlay(county: dict) -> None:
    from landuse.redlines import farmland_nonfarm, outside_urban_boundary
    from landuse.rules import load_rules

    lu = county["lu"]
    fn = farmland_nonfarm(lu, county["pf"])
    sel = lu.loc[~lu["DLBM"].isin(["0101", "0102", "0103"]), ["BSM", "TBDLMJ", "geometry"]]
    pf = county["pf"].to_crs(lu.crs)[["line_id", "geometry"]]
    pieces = gpd.overlay(sel, pf, how="intersection", keep_geom_type=True)
    pieces = pieces[pieces.area >= 1.0]
    assert fn["overlap_m2"].sum() == pytest.approx(_official(pieces, lu), rel=1e-6)

    ob = outside_urban_boundary(lu, county["ub"], include_allowed=True)
    mask = load_rules().mask("construction_land", lu["DLBM"], lu["CZCSXM"])
    cons = lu.loc[mask, ["BSM", "TBDLMJ", "geometry"]]
    ub = county["ub"].to_crs(lu.crs)[["geometry"]].dissolve()
    outside = gpd.overlay(cons, ub, how="difference", keep_geom_type=True)
    outside = outside[outside.area >= 1.0]
    assert ob["overlap_m2"].sum() == pytest.approx(_official(outside, lu), rel=1e-6)
    # village construction (CZCSXM 203/203A, industrial patches included) is never a
    # violation outside the boundary (OUT-05 / OUT-06); city and town construction is
    village = ob["CZCSXM"].isin(["203", "203A"])
    assert village.any() and set(ob.loc[village, "status"]) == {"allowed"}
    urban = ob["CZCSXM"].isin(["201", "202"]) & ~ob["DLBM"].isin(
        ["0602", "0603", "09", "1001", "1002", "1003", "1005", "1007", "1008", "1009", "1109",
         "0702"])
    assert set(ob.loc[urban, "status"]) <= {"violation"}
    default = outside_urban_boundary(lu, county["ub"])
    assert "allowed" not in set(default["status"])
    assert len(default) == (ob["status"] != "allowed").sum()


def test_summary_tables_add_up(county: dict) -> None:
    from landuse.redlines import eco_redline_construction, summarise_by_township

    out = eco_redline_construction(county["lu"], county["redline"])
    summary = summarise_by_township(out)
    assert summary["overlap_m2"].sum() == pytest.approx(out["overlap_m2"].sum())
    assert set(summary["township"]) <= set(county["towns"]["zone"]) | {""}
    # each township's row is the sum of that township's inside rows, worked with pandas
    inside = out[out["relation"] == "inside"]
    want = inside.groupby("township")["overlap_m2"].sum()
    got = summary.set_index("township")["overlap_m2"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False,
                                   rtol=1e-12)


def test_designed_contacts_survive_the_4490_round_trip(county: dict, sample) -> None:
    """The sample's KYQ ``note`` field states the designed contact of some rights.

    The protected areas are stored in EPSG:4490, so an edge or point contact designed in
    EPSG:4527 comes back with round-off; the 1 mm grid must keep it ``touching`` (neither a
    gap nor a conflict). Only notes naming a contact or an overlap are checked.
    """
    from landuse.redlines import mining_conflicts

    notes = sample.raw("KYQ")
    out = mining_conflicts(county["rights"], county["protected"])
    best = out.groupby("licence_no")["relation"].agg(
        lambda s: min(s, key=["inside", "touching", "near"].index))
    checked = 0
    for lic, note in zip(notes["licence_no"], notes["note"].fillna(""), strict=True):
        if note.startswith("touches"):
            assert best.get(lic) == "touching", (lic, note)
            checked += 1
        elif note.startswith(("inside", "partly in")):
            assert best.get(lic) == "inside", (lic, note)
            checked += 1
    # sample_data/README.md, KYQ rights 1, 2, 3, 13 (inside / partly in) and 5, 6 (touches)
    assert checked == 6
