"""Regression on the sample county: every figure checked against geopandas.overlay.

Skipped when ``sample_data/huantai.gpkg`` is absent (set ``LANDUSE_SAMPLE_GPKG`` to use
another copy). The oracle is geopandas' own overlay (an independent code path: no STRtree
pair logic, no snapping, no engine), so the sums must agree within the snapping error.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

SAMPLE = Path(os.environ.get("LANDUSE_SAMPLE_GPKG", Path(__file__).resolve().parents[2]
                             / "sample_data" / "huantai.gpkg"))
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} not present")


@pytest.fixture(scope="module")
def county() -> dict[str, gpd.GeoDataFrame]:
    from landuse.io.vector import (
        read_control_line,
        read_landuse,
        read_mining_rights,
        read_protected_areas,
        read_townships,
    )

    with warnings.catch_warnings():  # reader findings are not what this test is about
        warnings.simplefilter("ignore")
        return {
            "lu": read_landuse(SAMPLE, layer="DLTB"),
            "towns": read_townships(SAMPLE, layer="XZQ"),
            "redline": read_control_line(SAMPLE, kind="ecological_redline", layer="STBHHX"),
            "pf": read_control_line(SAMPLE, kind="permanent_farmland", layer="YJJBNTBHTB"),
            "ub": read_control_line(SAMPLE, kind="urban_boundary", layer="CZKFBJ"),
            "protected": read_protected_areas(SAMPLE, layer="ZRBHD"),
            "rights": read_mining_rights(SAMPLE, layer="KYQ"),
        }


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
    """Official area of overlay pieces: TBDLMJ x planar piece / planar patch (domain.md §2)."""
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
    from landuse.redlines.tables import load_outside_allowed, match_outside_allowed
    from landuse.rules import load_rules

    lu = county["lu"]
    fn = farmland_nonfarm(lu, county["pf"])
    sel = lu.loc[~lu["DLBM"].isin(["0101", "0102", "0103"]), ["BSM", "TBDLMJ", "geometry"]]
    pf = county["pf"].to_crs(lu.crs)[["line_id", "geometry"]]
    pieces = gpd.overlay(sel, pf, how="intersection", keep_geom_type=True)
    pieces = pieces[pieces.area >= 1.0]
    assert fn["overlap_m2"].sum() == pytest.approx(_official(pieces, lu), rel=1e-6)

    ob = outside_urban_boundary(lu, county["ub"])
    labels = match_outside_allowed(lu["DLBM"], lu["CZCSXM"], load_outside_allowed())
    mask = (load_rules().mask("construction_land", lu["DLBM"], lu["CZCSXM"])
            & ~labels["allowed"].to_numpy(dtype=bool))
    cons = lu.loc[mask, ["BSM", "TBDLMJ", "geometry"]]
    ub = county["ub"].to_crs(lu.crs)[["geometry"]].dissolve()
    outside = gpd.overlay(cons, ub, how="difference", keep_geom_type=True)
    outside = outside[outside.area >= 1.0]
    assert ob["overlap_m2"].sum() == pytest.approx(_official(outside, lu), rel=1e-6)


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


def test_designed_contacts_survive_the_4490_round_trip(county: dict) -> None:
    """The sample's KYQ ``note`` field states the designed contact of some rights.

    The protected areas are stored in EPSG:4490, so an edge or point contact designed in
    EPSG:4527 comes back with round-off; the 1 mm grid must keep it ``touching`` (neither a
    gap nor a conflict). Only notes naming a contact or an overlap are checked.
    """
    from landuse.redlines import mining_conflicts

    notes = gpd.read_file(SAMPLE, layer="KYQ", ignore_geometry=True)
    if "note" not in notes.columns:
        pytest.skip("the sample's KYQ layer has no note field")
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
    assert checked >= 1
