"""The dask path (``landuse.dask``): same numbers and row order as the single-machine path.

Hand-made unit squares first (areas worked out on paper), then the sample county
(``sample_data/huantai.gpkg``) split into partitions on a two-worker LocalCluster,
compared with the single-machine functions; then the multi-county run (keep-going on a
bad county, city roll-up checked against sums done here by hand).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")

from landuse._config_region import check_scheduler, county_sources  # noqa: E402
from landuse.dask import (  # noqa: E402
    class_areas_dask,
    indicators_dask,
    mining_conflicts_dask,
    overlay_pieces_dask,
    partition,
    read_landuse_dask,
    redline_check_dask,
    tabulate_dask,
)
from landuse.dask.region import local_cluster, run_tasks  # noqa: E402
from landuse.errors import ConfigError, SchemaError  # noqa: E402
from landuse.findings import get_findings  # noqa: E402
from landuse.overlay import overlay_pieces, tabulate  # noqa: E402
from landuse.run.region import city_rollup, run_region  # noqa: E402
from tests.helpers import assert_not_mutated  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STATS = ROOT / "sample_data" / "stats.csv"
X0, Y0 = 39_500_000.0, 4_090_000.0


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as cl:
        yield cl


def _frame(codes: list[str], tbdlmj: list[float], kcmj: list[float] | None = None,
           townships: list[str] | None = None) -> gpd.GeoDataFrame:
    """10 m squares in a row along x (square i covers x in [10 i, 10 i + 10])."""
    n = len(codes)
    kc = kcmj or [0.0] * n
    towns = townships or ["370321100"] * n
    return gpd.GeoDataFrame({
        "BSM": [f"P{i}" for i in range(n)], "DLBM": codes, "DLMC": [""] * n,
        "TBMJ": [t + k for t, k in zip(tbdlmj, kc, strict=True)],
        "KCDLBM": ["1203" if k else "" for k in kc], "KCXS": [0.0] * n, "KCMJ": kc,
        "TBDLMJ": tbdlmj, "ZLDWDM": [t + "0010000000" for t in towns], "ZLDWMC": [""] * n,
        "QSDWDM": [""] * n, "QSXZ": [""] * n, "CZCSXM": [""] * n,
        "county": [t[:6] for t in towns], "township": towns,
        "village": [t + "001" for t in towns],
    }, geometry=[box(X0 + 10 * i, Y0, X0 + 10 * i + 10, Y0 + 10) for i in range(n)], crs=4527)


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right), check_exact=False,
                                  rtol=1e-9, atol=0.0)


# ----------------------------------------------------------------------------- by hand


def test_tabulate_by_hand_across_partitions(client):
    # four 10 m squares; zone T covers x in [5, 25]: half of square 0, all of 1, half of 2
    a = _frame(["0101", "0201", "0101", "0301"], [200.0, 100.0, 80.0, 100.0])
    zones = gpd.GeoDataFrame({"zone": ["T"]}, geometry=[box(X0 + 5, Y0, X0 + 25, Y0 + 10)],
                             crs=4527)
    out = tabulate_dask(a, zones, by_a="DLBM", by_b="zone", area="official", client=client,
                        npartitions=3)
    # official: 0101 = 200 × 1/2 + 80 × 1/2 = 140; 0201 = 100 × 1 (square 1 whole)
    assert out["DLBM"].tolist() == ["0101", "0201"]
    np.testing.assert_allclose(out["area_m2"], [140.0, 100.0], rtol=1e-12)
    np.testing.assert_allclose(out["area_ha"], [0.014, 0.010], rtol=1e-12)
    planar = tabulate_dask(a, zones, by_a=None, by_b="zone", area="planar", client=client,
                           npartitions=4)
    np.testing.assert_allclose(planar["area_m2"], [200.0], rtol=1e-12)  # 20 m × 10 m
    assert out.attrs["overlay"]["engine"] == "dask"
    # no area given: the layer carries TBDLMJ, so official (140 + 100 = 240), like tabulate
    default = tabulate_dask(a, zones, by_a=None, by_b="zone", client=client, npartitions=2)
    np.testing.assert_allclose(default["area_m2"], [240.0], rtol=1e-12)
    assert default.attrs["overlay"]["area"] == "official"
    assert default.attrs["overlay"]["area_default"] is True
    with pytest.raises(TypeError, match="overlay_pieces_dask"):
        tabulate_dask(a, zones, by_a=None, by_b="zone", client=client,
                      keep_geometry=True)  # type: ignore[arg-type]


def test_partition_keeps_every_feature_once_in_hilbert_quadrants():
    # an 8 × 8 grid of 10 m squares in 4 partitions: the Hilbert curve visits one
    # quadrant after the other, so every partition is one 40 m × 40 m quadrant
    a = _frame(["0101"] * 64, [100.0] * 64)
    a = a.set_geometry([box(X0 + 10 * (i % 8), Y0 + 10 * (i // 8), X0 + 10 * (i % 8) + 10,
                            Y0 + 10 * (i // 8) + 10) for i in range(64)], crs=4527)
    parts = [p.compute() for p in partition(a, npartitions=4).to_delayed()]
    assert [len(p) for p in parts] == [16, 16, 16, 16]
    rows = np.concatenate([p["_landuse_row"].to_numpy() for p in parts])
    assert sorted(rows.tolist()) == list(range(64))
    for p in parts:
        x0, y0, x1, y1 = p.total_bounds
        assert (x1 - x0, y1 - y0) == (40.0, 40.0)
        assert p.index.tolist() == p["_landuse_row"].tolist()  # original labels kept


def test_pieces_keep_single_machine_order(client):
    a = _frame(["0101", "0201", "0101", "0301"], [100.0] * 4)
    zones = gpd.GeoDataFrame({"zone": ["T", "U"]},
                             geometry=[box(X0 + 5, Y0, X0 + 25, Y0 + 10),
                                       box(X0 + 15, Y0, X0 + 40, Y0 + 10)], crs=4527)
    one = overlay_pieces(a, zones, by_a="DLBM", by_b="zone", n_jobs=1)
    many = overlay_pieces_dask(a, zones, by_a="DLBM", by_b="zone", client=client,
                               npartitions=4)
    assert many["a_index"].tolist() == one["a_index"].tolist()
    pd.testing.assert_frame_equal(pd.DataFrame(many.drop(columns="geometry")),
                                  pd.DataFrame(one.drop(columns="geometry")))
    assert all(g1.equals(g2) for g1, g2 in zip(many.geometry, one.geometry, strict=True))


def test_errors_raise_before_any_task(client):
    a = _frame(["0101"], [100.0]).drop(columns="TBDLMJ")
    zones = gpd.GeoDataFrame({"zone": ["T"]}, geometry=[box(X0, Y0, X0 + 5, Y0 + 5)], crs=4527)
    with pytest.raises(SchemaError, match="TBDLMJ"):
        tabulate_dask(a, zones, by_a="DLBM", by_b="zone", area="official", client=client)


def test_inputs_not_mutated(client):
    a = _frame(["0101", "0201"], [100.0, 100.0])
    zones = gpd.GeoDataFrame({"zone": ["T"]}, geometry=[box(X0, Y0, X0 + 15, Y0 + 10)],
                             crs=4527)

    def run(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> pd.DataFrame:
        return tabulate_dask(a, b, by_a="DLBM", by_b="zone", client=client, npartitions=2)

    assert_not_mutated(run, a, zones)


def test_lazy_geoparquet_one_partition_per_file(tmp_path, client):
    a = _frame(["0101", "0201"], [100.0, 100.0])
    b = _frame(["0101", "0702"], [100.0, 100.0], townships=["370322100"] * 2)
    b = b.set_geometry(b.geometry.translate(xoff=20.0))
    cols = [c for c in a.columns if c not in ("county", "township", "village")]
    a[cols].to_parquet(tmp_path / "370321.parquet")
    b[cols].to_parquet(tmp_path / "370322.parquet")
    ddf = read_landuse_dask(tmp_path)
    assert ddf.npartitions == 2
    zones = gpd.GeoDataFrame({"zone": ["T"]}, geometry=[box(X0 + 5, Y0, X0 + 35, Y0 + 10)],
                             crs=4527)
    out = tabulate_dask(ddf, zones, by_a=["county", "DLBM"], by_b="zone", area="official",
                        client=client)
    # 370321: 0101 half of 100, 0201 whole 100; 370322: 0101 (x 20-30) whole, 0702 half
    assert out[["county", "DLBM"]].values.tolist() == [
        ["370321", "0101"], ["370321", "0201"], ["370322", "0101"], ["370322", "0702"]]
    np.testing.assert_allclose(out["area_m2"], [50.0, 100.0, 100.0, 50.0], rtol=1e-12)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), npartitions=st.integers(1, 6))
def test_partitioning_does_not_change_the_table(client, seed, npartitions):
    # random 6 × 5 grid of 10 m squares with random codes and official areas, and two
    # overlapping zones of one key (dissolved) plus one of another key
    rng = np.random.default_rng(seed)
    n = 30
    a = _frame(list(rng.choice(["0101", "0201", "0702", "1001"], n)),
               list(rng.uniform(50.0, 100.0, n)))
    a = a.set_geometry([box(X0 + 10 * (i % 6), Y0 + 10 * (i // 6), X0 + 10 * (i % 6) + 10,
                            Y0 + 10 * (i // 6) + 10) for i in range(n)], crs=4527)
    cx, cy, r = rng.uniform(0, 60, 3), rng.uniform(0, 50, 3), rng.uniform(5, 25, 3)
    zones = gpd.GeoDataFrame({"zone": ["A", "A", "B"]},
                             geometry=[box(X0 + x - q, Y0 + y - q, X0 + x + q, Y0 + y + q)
                                       for x, y, q in zip(cx, cy, r, strict=True)], crs=4527)
    opts = dict(by_a="DLBM", by_b="zone", area="official")
    _same(tabulate_dask(a, zones, client=client, npartitions=npartitions, **opts),
          tabulate(a, zones, n_jobs=1, **opts))


# ----------------------------------------------------------------------------- sample county


@pytest.fixture
def county(sample):
    """The session's sample county (tests/conftest.py), every layer in EPSG:4527."""
    from landuse.io.tables import read_socioeconomic

    return {"lu": sample["DLTB"], "xzq": sample["XZQ"], "eco": sample["STBHHX"],
            "pf": sample["YJJBNTBHTB"], "hsf": sample["GBZNT"], "ub": sample["CZKFBJ"],
            "socio": read_socioeconomic(STATS) if STATS.is_file() else None}


@pytest.mark.parametrize("npartitions", [3, 8])
def test_sample_tabulate_equals_single_machine(county, client, npartitions):
    lu, xzq = county["lu"], county["xzq"]
    opts = dict(by_a=["DLBM", "CZCSXM"], by_b="zone", area="official", sum_columns=("KCMJ",))
    one = tabulate(lu, xzq, **opts)
    many = tabulate_dask(lu, xzq, client=client, npartitions=npartitions, **opts)
    _same(many, one)
    # independent check: the zones cover the county, so Σ area = Σ TBDLMJ of the layer
    np.testing.assert_allclose(many["area_m2"].sum(), lu["TBDLMJ"].sum(), rtol=1e-6)


def test_sample_indicators_equal_single_machine(county, client):
    from landuse.indicators.rows import compute_indicators

    kw = dict(townships=county["xzq"], permanent_farmland=county["pf"],
              high_standard_farmland=county["hsf"], socio=county["socio"], year=2022)
    one = compute_indicators(county["lu"], **kw)
    many = indicators_dask(county["lu"], client=client, npartitions=6, **kw)
    assert many[["id", "zone", "status"]].values.tolist() == \
        one[["id", "zone", "status"]].values.tolist()
    v1 = one["value"].astype(float).to_numpy()
    v2 = many["value"].astype(float).to_numpy()
    np.testing.assert_allclose(v2, v1, rtol=1e-9, equal_nan=True)
    for c1, c2 in zip(one["components"], many["components"], strict=True):
        assert c1.keys() == c2.keys()
        for k in c1:
            if isinstance(c1[k], float):
                assert c2[k] == pytest.approx(c1[k], rel=1e-9)
            else:
                assert c2[k] == c1[k]
    assert one["reason"].tolist() == many["reason"].tolist()
    # ratios are ratios of sums: the county intensity is Σ construction / Σ TBMJ
    row = many[(many["id"] == "development_intensity") & (many["scope"] == "county")].iloc[0]
    comp = row["components"]
    assert row["value"] == pytest.approx(100 * comp["construction_land_ha"]
                                         / comp["total_area_ha"], rel=1e-12)
    assert comp["total_area_ha"] == pytest.approx(county["lu"]["TBMJ"].sum() / 1e4, rel=1e-12)


def test_sample_prepared_sums_equal_single_machine(county, client):
    from landuse.county import assign_townships, prepare
    from landuse.dask import prepare_dask

    # every XZQ township is reported on both engines, with or without a patch in it
    one = prepare(assign_townships(county["lu"], county["xzq"]), by="village",
                  extra_zones=county["xzq"]["zone"])
    many = prepare_dask(county["lu"], by="village", townships=county["xzq"], client=client,
                        npartitions=4)
    _same(many.rows, one.rows)
    pd.testing.assert_series_equal(many.total_m2, one.total_m2, check_exact=False, rtol=1e-9)
    assert many.zones.tolist() == one.zones.tolist()


@pytest.mark.parametrize("table", ["class_areas", "sandalei_areas"])
def test_sample_class_tables_equal_single_machine(county, client, table):
    from landuse.indicators import classes

    one = getattr(classes, table)(county["lu"], by="township")
    many = class_areas_dask(county["lu"], table=table, client=client, npartitions=5)
    _same(many, one)


@pytest.mark.parametrize("check, layer", [
    ("eco_redline_construction", "eco"), ("farmland_nonfarm", "pf"),
    ("outside_urban_boundary", "ub")])
def test_sample_redline_checks_equal_single_machine(county, client, check, layer):
    from landuse.redlines import control_lines

    func = getattr(control_lines, check)
    one = func(county["lu"], county[layer])
    many = redline_check_dask(func, county["lu"], county[layer], client=client, npartitions=5)
    assert len(many) == len(one) > 0
    _same(many.drop(columns="geometry"), one.drop(columns="geometry"))
    diff = many.geometry.symmetric_difference(one.geometry).area
    assert float(diff.max()) < 1e-6


def test_sample_mining_conflicts_equal_single_machine(sample, county, client):
    from landuse.redlines.mining import mining_conflicts

    rights, protected = sample["KYQ"], sample["ZRBHD"]
    one = mining_conflicts(rights, protected, townships=county["xzq"])
    many = mining_conflicts_dask(rights, protected, townships=county["xzq"], client=client,
                                 npartitions=4)
    # sample_data/README.md: rights 1-4 and 13 lie (partly) inside a protected area, 5 and 6
    # touch one, 7-9 lie 40-480 m from one (near: within 1 km), the other four are clear
    # (over 2.9 km away): one row each
    assert one.groupby("relation").size().to_dict() == {"inside": 5, "near": 3, "touching": 2}
    assert len(many) == len(one)
    _same(many.drop(columns="geometry"), one.drop(columns="geometry"))
    diff = many.geometry.symmetric_difference(one.geometry).length
    assert float(diff.max()) < 1e-6
    assert [f.code for f in get_findings(many)] == [f.code for f in get_findings(one)]
    dup = pd.concat([rights, rights.iloc[:1]])  # a licence in two partitions: refused whole
    with pytest.raises(SchemaError, match="repeats licence_no"):
        mining_conflicts_dask(dup, protected, client=client, npartitions=4)


# ----------------------------------------------------------------------------- region


def _county_file(folder: Path, code: str, codes: list[str], tbdlmj: list[float]) -> None:
    f = _frame(codes, tbdlmj, townships=[code + "100"] * len(codes))
    f = f.assign(BSM=[f"{code}{i:010d}" for i in range(len(f))])
    f.drop(columns=["county", "township", "village"]).to_parquet(folder / f"{code}.parquet")


@pytest.mark.filterwarnings("ignore:Glyph:UserWarning")  # report maps without a CJK font
def test_region_keeps_going_and_rolls_up_by_city(tmp_path, client):
    src = tmp_path / "counties"
    src.mkdir()
    # city 370300: county A 4 squares (construction 0702 = 100 of 400 m²); county B
    # 2 squares (0601 = 100 of 200 m²); county 370323 has no DLBM field (bad input)
    _county_file(src, "370321", ["0702", "0101", "0101", "0101"], [100.0] * 4)
    _county_file(src, "370322", ["0601", "0201"], [100.0, 100.0])
    bad = _frame(["0101"], [100.0]).drop(columns=["DLBM", "county", "township", "village"])
    bad.to_parquet(src / "370323.parquet")
    result = run_region(src, out_dir=tmp_path / "out", year=2022, client=client)
    status = dict(zip(result.counties["code"], result.counties["status"], strict=True))
    assert status == {"370321": "ok", "370322": "ok", "370323": "error"}
    errors = json.loads((tmp_path / "out" / "region_errors.json").read_text("utf-8"))
    assert [e["code"] for e in errors] == ["370323"]
    assert errors[0]["error_kind"] == "input" and "DLBM" in errors[0]["message"]
    for code in ("370321", "370322"):
        assert (tmp_path / "out" / code / "indicators.json").is_file()
    assert not (tmp_path / "out" / "370323").exists()
    city = result.city_indicators.set_index(["zone", "id"])
    assert city.loc[("370300", "total_area"), "value"] == pytest.approx(600.0 / 1e4)
    assert city.loc[("370300", "construction_land_area"), "value"] == pytest.approx(0.02)
    # 100 × (100 + 100) / (400 + 200) = 33.33 %, not the mean of 25 % and 50 %
    assert city.loc[("370300", "development_intensity"), "value"] == pytest.approx(100 / 3)
    assert city.loc[("370300", "total_area"), "counties"] == "370321,370322"
    assert set(city.index.get_level_values("zone")) == {"370300"}
    assert city.loc[("370300", "urban_industrial_land_per_capita"), "status"] == \
        "not_computable"
    assert (tmp_path / "out" / "city_indicators.csv").is_file()


def test_city_rollup_needs_every_county_component():
    rows = pd.DataFrame([
        {"id": "vacant_land_share", "scope": "county", "zone": "370321", "value": 10.0,
         "components": {"vacant_land_ha": 1.0, "urban_rural_construction_land_ha": 10.0}},
        {"id": "vacant_land_share", "scope": "county", "zone": "370322", "value": None,
         "components": {"vacant_land_ha": 0.0, "urban_rural_construction_land_ha": 0.0}},
        {"id": "farmland_area", "scope": "county", "zone": "370321", "value": 5.0,
         "components": {}},
        {"id": "farmland_area", "scope": "county", "zone": "370322", "value": 7.5,
         "components": {}},
    ])
    out = city_rollup(rows).set_index("id")
    # ratio of sums: 100 × (1 + 0) / (10 + 0) = 10 %, a county with zero land adds nothing
    assert out.loc["vacant_land_share", "value"] == pytest.approx(10.0)
    assert out.loc["farmland_area", "value"] == pytest.approx(12.5)
    missing = rows.copy()
    missing.at[1, "components"] = {}
    assert city_rollup(missing).set_index("id").loc["vacant_land_share", "status"] == \
        "not_computable"


def test_city_rollup_of_changes_from_two_year_sums():
    def row(iid, zone, comps):
        return {"id": iid, "scope": "county", "zone": zone, "value": 1.0, "components": comps}

    dec = "construction_land_per_gdp_decline"
    rows = pd.DataFrame([
        row(dec, "370321", {"construction_land_ha": 90.0, "construction_land_base_ha": 100.0,
                            "gdp_10k_yuan": 300.0, "gdp_base_10k_yuan": 200.0,
                            "price_basis": "comparable", "base_year": 2015}),
        row(dec, "370322", {"construction_land_ha": 60.0, "construction_land_base_ha": 50.0,
                            "gdp_10k_yuan": 200.0, "gdp_base_10k_yuan": 100.0,
                            "price_basis": "comparable", "base_year": 2015}),
        row("construction_land_population_elasticity", "370321", {
            "land_current_ha": 105.0, "land_previous_ha": 100.0,
            "population_current": 1010.0, "population_previous": 1000.0}),
        row("construction_land_population_elasticity", "370322", {
            "land_current_ha": 52.0, "land_previous_ha": 50.0,
            "population_current": 500.0, "population_previous": 500.0}),
        row("construction_land_gdp_elasticity", "370321", {
            "land_current_ha": 105.0, "land_previous_ha": 100.0, "gdp_current": 110.0,
            "gdp_previous": 100.0, "price_basis": "comparable"}),
        row("construction_land_gdp_elasticity", "370322", {
            "land_current_ha": 52.0, "land_previous_ha": 50.0, "gdp_current": 55.0,
            "gdp_previous": 50.0, "price_basis": "current"}),
    ])
    out = city_rollup(rows).set_index("id")
    # land per GDP: now 150 / 500 = 0.3 ha per 万元, base 150 / 300 = 0.5: decline 40 %
    assert out.loc[dec, "value"] == pytest.approx(40.0)
    assert out.loc[dec, "components"]["base_year"] == "2015"
    # land 157 / 150 − 1 = 4.667 %, population 1510 / 1500 − 1 = 0.667 %: elasticity 7
    assert out.loc["construction_land_population_elasticity", "value"] == pytest.approx(7.0)
    # comparable and current prices are not added together
    gdp = out.loc["construction_land_gdp_elasticity"]
    assert gdp["status"] == "not_computable" and "price_basis" in gdp["reason"]
    other_base = rows.copy()
    other_base.at[1, "components"] = {**rows.at[1, "components"], "base_year": 2018}
    assert "base_year" in city_rollup(other_base).set_index("id").loc[dec, "reason"]


def test_local_cluster_workers_run_without_the_profiler():
    import dask

    with local_cluster(2) as cluster, distributed.Client(cluster) as cl:
        assert len(cl.scheduler_info()["workers"]) == 2
        # the worker samples its task threads in a periodic callback named "profile"
        seen = cl.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
        assert list(seen.values()) == [False, False]
        threads = cl.nthreads()
        assert sorted(threads.values()) == [1, 1]
    assert dask.config.get("distributed.worker.profile.enabled") is True  # not leaked
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as c2, \
            distributed.Client(c2) as cl2:  # a plain cluster does profile: the test can fail
        assert list(cl2.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
                    .values()) == [True]


def test_county_sources_codes_from_names(tmp_path):
    for name in ("370321_桓台县.parquet", "370322.gpkg", "notes.txt", "region.parquet"):
        (tmp_path / name).write_bytes(b"")
    got = [(c, p.name) for c, p in county_sources(tmp_path)]
    assert got == [("370321", "370321_桓台县.parquet"), ("370322", "370322.gpkg"),
                   ("", "region.parquet")]


def test_check_scheduler_addresses():
    assert check_scheduler("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert check_scheduler("") is None and check_scheduler(None) is None
    for bad in ("10.0.0.5:8786", "http://host:8786", 8786, "tcp://"):
        with pytest.raises(ConfigError, match="tcp://host:8786"):
            check_scheduler(bad)


def _lost(_: int) -> dict:
    raise RuntimeError("worker died")


def test_a_lost_county_task_is_reported_not_raised(client, tmp_path):
    from landuse.run.region import _outcome

    # the executor hands back the exception of a task the cluster could not run
    [lost] = run_tasks(_lost, [("lost-1", (1,))], client=client)
    assert isinstance(lost, RuntimeError) and str(lost) == "worker died"
    record = _outcome(lost, "370321", tmp_path / "370321.parquet", tmp_path / "out")
    assert record["status"] == "error" and record["error_kind"] == "internal"
    assert "worker died" in record["message"] and record["city"] == "370300"
