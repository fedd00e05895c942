"""redlines.csv rows and redlines.gpkg layers (contract.md §3.2)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from landuse.errors import CRSError
from landuse.redlines.control_lines import eco_redline_construction
from landuse.redlines.mining import mining_conflicts
from landuse.redlines.output import REDLINE_COLUMNS, redline_layers, redline_table
from tests.redlines._fixtures import box, reserve, rights_frame

CONTRACT = ("check", "feature_id", "against_id", "category", "zone_type", "relation",
            "overlap_m2", "share", "distance_m", "stage", "disposition", "township")


@pytest.fixture
def findings() -> list[gpd.GeoDataFrame]:
    rights = rights_frame([
        ("B-PART", "existing", box(960, 0, 1060, 100)),
        ("A-EDGE", "existing", box(1000, 0, 1100, 100)),
        ("C-GAP", "application", box(1001, 200, 1101, 300)),
    ])
    mining = mining_conflicts(rights, reserve())
    lu = gpd.GeoDataFrame(
        {"BSM": ["T2", "T1"], "DLBM": ["0701", "0601"], "DLMC": ["城镇住宅用地", "工业用地"],
         "CZCSXM": ["201", ""], "TBDLMJ": [10_000.0, 10_000.0],
         "township": ["370321101", "370321100"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs="EPSG:4527")
    redline = gpd.GeoDataFrame({"line_id": ["HX1"]}, geometry=[box(50, 0, 150, 100)],
                               crs="EPSG:4527")
    return [eco_redline_construction(lu, redline), mining]


def test_table_columns_and_order(findings: list[gpd.GeoDataFrame]) -> None:
    table = redline_table(findings)
    assert tuple(table.columns) == REDLINE_COLUMNS
    assert set(CONTRACT) <= set(table.columns)
    # checks in contract order, then feature id; the reading order of the inputs is ignored
    assert table[["check", "feature_id", "relation"]].values.tolist() == [
        ["mining_protected", "A-EDGE", "touching"],
        ["mining_protected", "B-PART", "inside"],
        ["mining_protected", "C-GAP", "near"],
        ["eco_redline_construction", "T1", "inside"],
        ["eco_redline_construction", "T2", "inside"],
    ]
    t = table.set_index("feature_id")
    assert t.loc["B-PART", "overlap_m2"] == pytest.approx(4_000.0)
    assert t.loc["B-PART", "disposition"] == "withdraw"
    assert t.loc["C-GAP", "distance_m"] == pytest.approx(1.0)
    assert t.loc["T1", "overlap_m2"] == pytest.approx(5_000.0)
    assert t.loc["T1", "class_code"] == "0601" and t.loc["T1", "disposition"] == "none"
    assert np.isnan(t.loc["T1", "distance_m"]) and t.loc["T1", "stage"] == ""
    assert t.loc["T2", "township"] == "370321101"
    assert table.equals(redline_table(findings[::-1]))


def test_empty_table_has_the_columns() -> None:
    table = redline_table([])
    assert tuple(table.columns) == REDLINE_COLUMNS and len(table) == 0


def test_layers_and_gpkg_round_trip(findings: list[gpd.GeoDataFrame], tmp_path) -> None:
    layers = redline_layers(findings)
    assert sorted(layers) == ["mining_conflicts", "zone_violations"]
    m, z = layers["mining_conflicts"], layers["zone_violations"]
    assert len(m) == 3 and len(z) == 2 and m.crs == "EPSG:4527"
    table = redline_table(findings)
    assert m.drop(columns="geometry").equals(table.iloc[:3].reset_index(drop=True))
    part = m.set_index("feature_id").loc["B-PART"]
    assert part.geometry.equals(box(960, 0, 1000, 100))  # geometry travels with its row
    assert m.set_index("feature_id").loc["A-EDGE"].geometry.geom_type == "LineString"
    path = tmp_path / "redlines.gpkg"
    for name, layer in layers.items():
        layer.to_file(path, layer=name, driver="GPKG")
    back = gpd.read_file(path, layer="mining_conflicts")
    assert back["overlap_m2"].tolist() == pytest.approx(m["overlap_m2"].tolist())
    assert back.geometry.area.sum() == pytest.approx(4_000.0)


def test_layers_refuse_mixed_crs(findings: list[gpd.GeoDataFrame]) -> None:
    other = findings[1].to_crs(4490)
    with pytest.raises(CRSError, match="different CRSs"):
        redline_layers([findings[0], other])


def test_every_default_tolerance_is_the_contracts() -> None:
    # docs/contract.md, the [options] block: `sliver_m2 = 1.0`; docs/redlines.md:
    # `near_m=1000.0, grid_size=0.001`. Every public check and the config take these same
    # defaults, so a notebook call and `landuse run` agree.
    import inspect

    from landuse.config import Options
    from landuse.redlines import control_lines, mining

    defaults: dict[str, set] = {"sliver_m2": set(), "near_m": set(), "grid_size": set()}
    for module in (control_lines, mining):
        for name in module.__all__:
            obj = getattr(module, name)
            funcs = [obj] + ([getattr(obj, m) for m in vars(obj) if not m.startswith("_")
                              and callable(getattr(obj, m))] if inspect.isclass(obj) else [])
            for f in funcs:
                if not callable(f):
                    continue
                for p in inspect.signature(f).parameters.values():
                    if p.name in defaults and p.default is not inspect.Parameter.empty:
                        defaults[p.name].add((f"{module.__name__}.{f.__qualname__}", p.default))
    # (the search finds them: 8 signatures with sliver_m2, 4 with near_m, 3 with grid_size)
    assert [len(defaults[k]) >= n for k, n in (("sliver_m2", 8), ("near_m", 4),
                                                ("grid_size", 3))] == [True] * 3
    assert {d for _, d in defaults["sliver_m2"]} == {1.0} == {Options().sliver_m2}
    assert {d for _, d in defaults["near_m"]} == {1000.0}
    assert {d for _, d in defaults["grid_size"]} == {0.001}
