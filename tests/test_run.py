"""The annual run end to end: a hand-made county with every figure worked out by hand, the
sample county, byte-stable output, atomic writes, and inputs with injected faults."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Polygon

from landuse.errors import ConfigError, LanduseError
from landuse.report.document import validate_document
from landuse.run import run
from tests.report.county import COUNTY, CRS, TOWN_A, TOWN_B, X0, Y0, dltb, write_county, xzq

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    return write_county(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def result(county: Path):
    return run(county, out=county.parent / "out")


def row(result, ident: str, zone: str) -> dict:
    rows = result.indicators
    sel = rows[(rows["id"] == ident) & (rows["zone"] == zone)]
    assert len(sel) == 1, f"{ident} {zone}: {len(sel)} rows"
    return sel.iloc[0].to_dict()


def test_hand_worked_county(result) -> None:
    # see tests/report/county.py for the layout: 8 patches of 25 ha
    assert row(result, "total_area", COUNTY)["value"] == pytest.approx(200.0)
    assert row(result, "construction_land_area", COUNTY)["value"] == pytest.approx(100.0)
    di = row(result, "development_intensity", COUNTY)
    assert di["value"] == pytest.approx(50.0)
    # target <= 30 % (2020) from targets.toml: 50 % misses it
    assert di["status"] == "not_met" and di["target_value"] == 30
    assert row(result, "farmland_area", TOWN_A)["value"] == pytest.approx(24.0)  # 25 - 1 田坎
    assert row(result, "farmland_area", COUNTY)["value"] == pytest.approx(49.0)
    pc = row(result, "urban_industrial_land_per_capita", COUNTY)
    assert pc["value"] == pytest.approx(750_000 / 5_000)  # 75 ha over 5 000 urban residents
    assert pc["status"] == "met"
    assert row(result, "development_intensity", TOWN_B)["zone_name"] == "唐山镇"
    # one existing right (C001, 100 m x 100 m) inside the core zone of a nature reserve
    assert row(result, "mining_rights_in_protected_areas", COUNTY)["value"] == 1
    red = result.redlines
    c001 = red[(red["check"] == "mining_protected") & (red["feature_id"] == "C001")].iloc[0]
    assert c001["relation"] == "inside" and c001["disposition"] == "withdraw"
    assert c001["overlap_m2"] == pytest.approx(10_000.0)
    eco = red[red["check"] == "eco_redline_construction"].iloc[0]
    assert eco["feature_id"] == "A3" and eco["overlap_m2"] == pytest.approx(125_000.0)
    # by hand: C001 in the core zone (withdraw, MP-01), A3 (industry) in the ecological
    # redline (ECO-01), A3 (urban industry, CZCSXM 201) outside the urban boundary (OUT-01),
    # and the permanent farmland P2 inside the urban boundary (LINE-00: review, not a
    # violation): three violations
    assert sorted(zip(red["check"], red["feature_id"], strict=True)) == [
        ("eco_redline_construction", "A3"), ("line_conflict", "P2"),
        ("mining_protected", "C001"), ("mining_protected", "C002"),
        ("outside_urban_boundary", "A3")]
    assert (eco["status"], eco["rule"]) == ("violation", "ECO-01")
    assert (c001["status"], c001["rule"]) == ("violation", "MP-01")
    status = {(c, f): (st, r) for c, f, st, r in zip(red["check"], red["feature_id"],
                                                      red["status"], red["rule"], strict=True)}
    assert status[("outside_urban_boundary", "A3")] == ("violation", "OUT-01")
    assert status[("line_conflict", "P2")] == ("review", "LINE-00")
    assert result.violation_count == 3  # C002 (an application outside the reserve) is not one


def test_outputs_written(result, county: Path) -> None:
    out = county.parent / "out"
    names = {p.name for p in out.iterdir()}
    assert {"indicators.json", "indicators.csv", "indicators.xlsx", "class_areas.csv",
            "redlines.gpkg", "redlines.csv", "report.html"} <= names
    assert not [n for n in names if n.startswith(".")]  # no temporary folder left
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    validate_document(doc)
    assert doc["schema"] == "landuse/indicators@1"
    assert doc["region"] == {"code": COUNTY, "name": "桓台县"} and doc["year"] == 2022
    prov = doc["provenance"]
    assert prov["rules"] == "sandiao-default@1" and prov["area"] == "official"
    assert prov["working_crs"] == CRS
    landuse_input = next(i for i in prov["inputs"] if i["role"] == "landuse")
    digest = hashlib.sha256((county.parent / "county.gpkg").read_bytes()).hexdigest()
    assert landuse_input == {**landuse_input, "path": "county.gpkg", "layer": "DLTB",
                             "sha256": digest, "features": 8}
    # one input per [layers.*] and [tables.*] entry of the config (tests/report/county.py)
    assert sorted(i["role"] for i in prov["inputs"]) == [
        "ecological_redline", "landuse", "mining_rights", "permanent_farmland",
        "protected_areas", "socioeconomic", "townships", "urban_boundary"]
    listed = gpd.list_layers(out / "redlines.gpkg")
    layers = listed["name"].tolist()
    assert {"mining_conflicts", "zone_violations"} <= set(layers)
    assert set(layers) <= {"mining_conflicts", "mining_conflicts_lines",
                           "mining_conflicts_points", "zone_violations"}
    # one geometry type per layer (line / point evidence in their own layers)
    assert not listed["geometry_type"].isin(["Unknown", "GeometryCollection"]).any()
    mining = gpd.read_file(out / "redlines.gpkg", layer="mining_conflicts")
    inside = mining[mining["relation"] == "inside"]
    assert inside.area.sum() == pytest.approx(10_000.0)  # the evidence geometry
    csv = pd.read_csv(out / "redlines.csv", dtype=str)
    assert len(csv) == len(result.redlines)
    n_mining = sum(len(gpd.read_file(out / "redlines.gpkg", layer=name))
                   for name in layers if name.startswith("mining_conflicts"))
    assert n_mining == int((csv["check"] == "mining_protected").sum())
    wb = openpyxl.load_workbook(out / "indicators.xlsx")
    assert wb.sheetnames[:2] == ["县 county", "乡镇 township"]
    assert "矿业权冲突 mining conflicts" in wb.sheetnames
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "https://" not in html and "<script" not in html


def test_indicators_json_is_byte_stable(result, county: Path, tmp_path: Path) -> None:
    again = run(county, out=tmp_path / "again")
    first = (county.parent / "out" / "indicators.json").read_text(encoding="utf-8")
    second = (tmp_path / "again" / "indicators.json").read_text(encoding="utf-8")
    pattern = re.compile(r'"created": "[^"]+"')
    assert pattern.search(first)
    assert pattern.sub("", first) == pattern.sub("", second)
    assert again.to_json(tmp_path / "x.json").read_text(encoding="utf-8").count('"id"') == len(
        again.indicators)


def test_failed_run_leaves_output_as_it_was(county: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")

    calls: list[str] = []

    def broken(*args, **kwargs):
        calls.append("write_xlsx")
        raise RuntimeError("disk full")

    monkeypatch.setattr("landuse.report.outputs.write_xlsx", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        run(county, out=out)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    missing = tmp_path / "new" / "deeper"
    with pytest.raises(RuntimeError):
        run(county, out=missing)
    assert not (tmp_path / "new").exists()  # folders it created are removed again
    assert calls == ["write_xlsx", "write_xlsx"]  # the failure came from the patched writer


# ----------------------------------------------------------------------------- injected faults


def test_missing_layer_is_named(county: Path, tmp_path: Path) -> None:
    text = county.read_text(encoding="utf-8").replace('layer = "STBHHX"', 'layer = "STBHX"')
    bad = county.parent / "bad_layer.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"layers\.ecological_redline\.layer: .*'STBHX'"):
        run(bad, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _single_layer_config(folder: Path, lu: gpd.GeoDataFrame, *, townships: str = "",
                         stats: str = "") -> Path:
    lu.to_file(folder / "dltb.gpkg", layer="DLTB", driver="GPKG")
    text = ('[region]\nname = "桓台县"\ncode = "370321"\nyear = 2022\n\n'
            '[layers.landuse]\npath = "dltb.gpkg"\nlayer = "DLTB"\n' + townships + stats)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return folder / "config.toml"


def test_broken_geometry_is_repaired_and_counted(tmp_path: Path) -> None:
    lu = dltb()
    x, y = X0, Y0  # A1 with a zero-width spike: invalid ring, same area once repaired
    lu.loc[0, "geometry"] = Polygon([(x, y), (x + 500, y), (x + 500, y + 500), (x + 250, y + 500),
                                     (x + 250, y + 600), (x + 250, y + 500), (x, y + 500)])
    assert not lu.geometry.iloc[0].is_valid
    result = run(_single_layer_config(tmp_path, lu), out=tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "indicators.json").read_text(encoding="utf-8"))
    repaired = [f for f in doc["provenance"]["findings"] if f["code"] == "geometry_repaired"]
    assert repaired and repaired[0]["count"] == 1
    assert any(w.startswith("geometry_repaired") for w in doc["provenance"]["warnings"])
    # paths in findings are relative to the config: the same file on every machine
    assert str(tmp_path) not in (tmp_path / "out" / "indicators.json").read_text(
        encoding="utf-8")
    assert row(result, "total_area", COUNTY)["value"] == pytest.approx(200.0)


def test_gbk_shapefile_without_cpg_reads(tmp_path: Path) -> None:
    shp = tmp_path / "xzq.shp"
    xzq().to_file(shp, encoding="GBK")
    (tmp_path / "xzq.cpg").unlink(missing_ok=True)
    raw = (tmp_path / "xzq.dbf").read_bytes()
    assert "唐山镇".encode("gbk") in raw  # really GBK on disk
    towns = '\n[layers.townships]\npath = "xzq.shp"\n'
    result = run(_single_layer_config(tmp_path, dltb(), townships=towns))
    assert row(result, "total_area", TOWN_B)["zone_name"] == "唐山镇"


def test_unknown_code_is_an_error_listing_it(tmp_path: Path) -> None:
    lu = dltb()
    lu.loc[3, "DLBM"] = "0399"
    with pytest.raises(LanduseError, match="0399"):
        run(_single_layer_config(tmp_path, lu), out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_empty_population_table_gives_not_computable_rows(tmp_path: Path) -> None:
    (tmp_path / "stats.csv").write_text(
        "year,zone,population_total,population_urban,gdp_10k_yuan\n", encoding="utf-8")
    stats = '\n[tables.socioeconomic]\npath = "stats.csv"\n'
    result = run(_single_layer_config(tmp_path, dltb(), stats=stats))
    pc = row(result, "urban_industrial_land_per_capita", COUNTY)
    assert math.isnan(pc["value"]) and pc["status"] == "not_computable" and pc["reason"]
    assert row(result, "development_intensity", COUNTY)["value"] == pytest.approx(50.0)


# ----------------------------------------------------------------------------- sample county


def test_sample_county_end_to_end(sample_run) -> None:
    result, out = sample_run  # the session's run of sample_data/config.toml (conftest.py)
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    validate_document(doc)
    county = [r for r in doc["indicators"] if r["scope"] == "county"]
    towns = {r["zone"] for r in doc["indicators"] if r["scope"] == "township"}
    assert doc["region"]["code"] == "370321"
    assert len(towns) == 9  # the nine township units of the plan
    total = next(r for r in county if r["id"] == "total_area")["value"]
    assert 45_000 < total < 56_000  # about 509 km²
    # additive indicators: townships sum to the county
    for ident in ("total_area", "construction_land_area", "farmland_area"):
        c = next(r for r in county if r["id"] == ident)["value"]
        t = sum(r["value"] for r in doc["indicators"]
                if r["scope"] == "township" and r["id"] == ident)
        assert t == pytest.approx(c, rel=1e-9)
    assert {r["status"] for r in county} <= {"met", "not_met", "no_target", "not_computable"}
    # one row order: the run's table and the file list the same rows in the same order
    assert list(zip(result.indicators["id"], result.indicators["zone"], strict=True)) == [
        (r["id"], r["zone"]) for r in doc["indicators"]]
    assert [f.to_dict() for f in result.findings] == doc["provenance"]["findings"]
    # every redline row carries its legal status, rule and basis; violations are exactly the
    # status == "violation" rows, in the CSV, the count, the workbook and the report
    red = pd.read_csv(out / "redlines.csv", dtype=str, keep_default_na=False)
    assert {"status", "rule", "basis"} <= set(red.columns)
    assert set(red["status"]) <= {"violation", "allowed", "review"} and (red["rule"] != "").all()
    assert result.violation_count == (red["status"] == "violation").sum() > 0
    assert {"allowed", "review"} <= set(red.loc[red["check"] != "mining_protected", "status"])
    layer = gpd.read_file(out / "redlines.gpkg", layer="zone_violations")
    assert {"status", "rule", "basis"} <= set(layer.columns)
    wb = openpyxl.load_workbook(out / "indicators.xlsx", read_only=True)
    assert "红线性质 redline status" in wb.sheetnames
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "待核查" in html and "违规" in html
    # the plan's 开发强度 target was set on the 土规 basis: shown, not judged on the 三调 basis
    di = next(r for r in county if r["id"] == "development_intensity")
    assert di["target"]["basis"] == "tugui-basis@1" and di["status"] == "no_target"
    assert "tugui-basis@1" in di["reason"] and di["value"] is not None
    # the rule set's basis is recorded
    assert doc["provenance"]["rule_set"]["label"] == "sandiao-default@1"
    assert "203A" in doc["provenance"]["rule_set"]["basis"]
    classes = pd.read_csv(out / "class_areas.csv", dtype=str)
    wet = classes[(classes["zone"] == "370321") & (classes["level1_code"] == "00")]
    assert set(wet["level1_name"]) == {"湿地"} and set(wet["code"]) <= {
        "0303", "0304", "0306", "0402", "1105", "1106", "1108"}


# ----------------------------------------------------------------------------- change, raster


def test_previous_vintage_and_landcover(county: Path, tmp_path: Path) -> None:
    import numpy as np
    import rasterio
    from affine import Affine

    folder = county.parent
    prev = dltb()
    prev.loc[prev["BSM"] == "B2", ["DLBM", "CZCSXM"]] = ["0101", ""]  # B2 was farmland
    prev.to_file(folder / "dltb_2021.gpkg", layer="DLTB", driver="GPKG")
    # 4 x 2 pixels of 500 m over the county: class 1 on township A, class 2 on township B
    data = np.array([[1, 1, 2, 2], [1, 1, 2, 2]], dtype="uint8")
    with rasterio.open(tmp_path / "lc.tif", "w", driver="GTiff", width=4, height=2, count=1,
                       dtype="uint8", crs=CRS, nodata=0,
                       transform=Affine(500.0, 0.0, X0, 0.0, -500.0, Y0 + 1000)) as ds:
        ds.write(data, 1)
    (tmp_path / "lc.csv").write_text("value,class,construction\n1,farm,0\n2,built,1\n",
                                     encoding="utf-8")
    text = county.read_text(encoding="utf-8").replace("[options]", (
        '[layers.landuse_previous]\npath = "dltb_2021.gpkg"\nlayer = "DLTB"\nyear = 2021\n\n'
        f'[rasters.landcover]\npath = "{tmp_path / "lc.tif"}"\n'
        f'classes = "{tmp_path / "lc.csv"}"\n\n[options]'))
    cfg = folder / "with_change.toml"
    cfg.write_text(text, encoding="utf-8")
    result = run(cfg, out=tmp_path / "out")
    trans = pd.read_csv(tmp_path / "out" / "transitions.csv", dtype={"zone": str,
                                                                     "from_code": str,
                                                                     "to_code": str})
    moved = trans[(trans["zone"] == COUNTY) & (trans["from_code"] == "0101")
                  & (trans["to_code"] == "1201")]
    assert moved["area_ha"].sum() == pytest.approx(25.0)
    assert row(result, "new_construction_land_area", COUNTY)["value"] == pytest.approx(25.0)
    assert row(result, "new_construction_land_area", TOWN_A)["value"] == pytest.approx(0.0)
    lc = pd.read_csv(tmp_path / "out" / "landcover_areas.csv", dtype={"zone": str})
    got = {(z, c): a for z, c, a in zip(lc["zone"], lc["class"], lc["area_ha"], strict=True)}
    assert got[(TOWN_A, "farm")] == pytest.approx(100.0, rel=1e-3)
    assert got[(TOWN_B, "built")] == pytest.approx(100.0, rel=1e-3)
    roles = {i["role"] for i in result.provenance["inputs"]}
    assert {"landuse_previous", "landcover", "landcover_classes"} <= roles
    # the read phase hands the compute phase an opened, checked raster and the class table
    from landuse.config import load_config
    from landuse.io.raster import RasterSource
    from landuse.run.inputs import read_inputs

    cover = read_inputs(load_config(cfg)).landcover
    assert cover is not None and isinstance(cover.source, RasterSource)
    assert (cover.source.width, cover.source.height) == (4, 2)
    assert cover.classes is not None and cover.classes["class"].tolist() == ["farm", "built"]


def test_module_is_callable_as_in_the_contract(tmp_path: Path) -> None:
    import landuse.run

    with pytest.raises(ConfigError, match="config file not found"):
        landuse.run(tmp_path / "missing.toml")  # contract §4: landuse.run("config.toml")
    assert landuse.run.run is run


# the sample parcels lie outside this tiny county: no parcel overlaps a township (this
# once raised a pandas warning in landuse.io.ledger.assign_zones; warnings are errors here)
def test_land_supply_ledger_and_parcels(county: Path, tmp_path: Path) -> None:
    """The committed sample ledger: classes worked out by hand in sample_data/README_supply.md."""
    supply = ROOT / "sample_data" / "supply.csv"
    parcels = ROOT / "sample_data" / "txt" / "supply"
    text = county.read_text(encoding="utf-8").replace("[options]", (
        f'[tables.land_supply]\npath = "{supply}"\nparcels = "{parcels}"\n\n[options]'))
    cfg = county.parent / "with_supply.toml"
    cfg.write_text(text, encoding="utf-8")
    result = run(cfg, out=tmp_path / "out")
    idle = pd.read_csv(tmp_path / "out" / "idle_parcels.csv", dtype=str).set_index("parcel_id")
    expected = {"S01": "idle_1y", "S02": "not_idle", "S03": "idle_2y", "S04": "idle_2y",
                "S05": "suspended_idle", "S07": "not_idle", "S10": "government_delay",
                "S13": "not_supplied"}
    assert {k: idle.loc[k, "idle_class"] for k in expected} == expected
    assert gpd.read_file(tmp_path / "out" / "idle_parcels.gpkg").crs == CRS
    for ident in ("idle_land_area", "idle_land_ratio", "land_supply_rate",
                  "stock_land_supply_share"):
        assert row(result, ident, COUNTY)["unit"] in ("ha", "%")
    roles = {i["role"] for i in result.provenance["inputs"]}
    assert {"land_supply", "land_supply_parcels"} <= roles


# ----------------------------------------------------------------------------- CRSs


def test_rights_and_protected_areas_in_other_crss(county: Path, tmp_path: Path) -> None:
    """Rights in EPSG:4548 (zone 39 without the prefix), protected areas in EPSG:4490
    (geographic), land use in EPSG:4527: the checks meet in the land-use layer's CRS."""
    src = county.parent / "county.gpkg"
    rights = gpd.read_file(src, layer="mining").to_crs("EPSG:4548")
    # 4527 -> 4548 only drops the zone prefix (39 000 000 m) from the easting
    assert rights.geometry.iloc[0].bounds[0] == pytest.approx(X0 + 600 - 39_000_000, abs=1e-6)
    rights.to_file(tmp_path / "rights.gpkg", layer="KYQ", driver="GPKG")
    protected = gpd.read_file(src, layer="protected").to_crs("EPSG:4490")
    assert protected.crs.is_geographic
    protected.to_file(tmp_path / "zrbhd.gpkg", layer="ZRBHD", driver="GPKG")
    text = county.read_text(encoding="utf-8")
    text = text.replace('[layers.protected_areas]\npath = "county.gpkg"\nlayer = "protected"',
                        f'[layers.protected_areas]\npath = "{tmp_path / "zrbhd.gpkg"}"\n'
                        'layer = "ZRBHD"')
    text = text.replace('[layers.mining_rights]\npath = "county.gpkg"\nlayer = "mining"',
                        f'[layers.mining_rights]\npath = "{tmp_path / "rights.gpkg"}"\n'
                        'layer = "KYQ"')
    assert "rights.gpkg" in text and "zrbhd.gpkg" in text
    cfg = county.parent / "other_crs.toml"
    cfg.write_text(text, encoding="utf-8")
    result = run(cfg)
    assert result.provenance["working_crs"] == CRS
    crss = {i["role"]: i["crs"] for i in result.provenance["inputs"]}
    assert crss["mining_rights"] == "EPSG:4548" and crss["protected_areas"] == "EPSG:4490"
    red = result.redlines
    c001 = red[(red["check"] == "mining_protected") & (red["feature_id"] == "C001")]
    assert len(c001) == 1
    # C001 is 100 m x 100 m wholly inside the reserve (500 m cell): 10 000 m², share 1; the
    # reserve went 4527 -> 4490 -> 4527 vertex by vertex, exact to well under a millimetre
    assert c001.iloc[0]["relation"] == "inside"
    assert c001.iloc[0]["overlap_m2"] == pytest.approx(10_000.0, rel=1e-6)
    assert c001.iloc[0]["share"] == pytest.approx(1.0, rel=1e-6)
    assert c001.iloc[0]["disposition"] == "withdraw"
    layer = result.redline_layers["mining_conflicts"]
    assert layer.crs == CRS
    assert row(result, "mining_rights_in_protected_areas", COUNTY)["value"] == 1


def test_high_standard_farmland_layer(county: Path, tmp_path: Path) -> None:
    """A GBZNT project over patch A1 (0101, 24 ha + 1 ha 田坎): 25 ha, 24 ha of it farmland."""
    from tests.report.county import cell

    gpd.GeoDataFrame({"BSM": ["G1"], "XMMC": ["高标准农田建设项目"], "JSND": [2020]},
                     geometry=[cell(0, 0)], crs=CRS).to_file(tmp_path / "gbznt.gpkg",
                                                             layer="GBZNT", driver="GPKG")
    text = county.read_text(encoding="utf-8").replace("[options]", (
        f'[layers.high_standard_farmland]\npath = "{tmp_path / "gbznt.gpkg"}"\n\n[options]'))
    cfg = county.parent / "with_hsf.toml"
    cfg.write_text(text, encoding="utf-8")
    result = run(cfg)
    hsf = row(result, "high_standard_farmland_area", COUNTY)
    assert hsf["value"] == pytest.approx(25.0)
    assert hsf["components"]["farmland_within_ha"] == pytest.approx(24.0)
    assert row(result, "high_standard_farmland_area", TOWN_B)["value"] == pytest.approx(0.0)
    src = next(i for i in result.provenance["inputs"] if i["role"] == "high_standard_farmland")
    assert src["layer"] == "GBZNT" and src["features"] == 1
    assert not any("永久基本农田" in f.message and "gbznt" in f.message.lower()
                   for f in result.findings)


def test_result_repr_is_a_short_summary(result) -> None:
    text = repr(result)
    assert len(text.splitlines()) <= 8  # never the frames
    assert "桓台县 370321, 2022" in text
    assert "5 findings, 3 violations" in text  # five redline rows; the line conflict is review
    assert "township policy: zldwdm" in text
    html = result._repr_html_()
    assert html.startswith("<div>") and "development_intensity" in html
    assert result.indicators["value"].dtype == "float64"


#: the targets of sample_data/targets.toml that apply to the 2022 county rows, written out
#: by hand from the TOML: id -> (op, value, year, base_year, basis, start of the source).
#: The three targets with a base_year (2015, 2018) attach to no row: the sample has no change
#: measured from those years.
SAMPLE_TARGETS = {
    "development_intensity": ("<=", 30.0, 2020, None, "tugui-basis@1", "到2020年，国土空间布局"),
    "urban_industrial_land_area": ("<=", 6517.01, 2020, None, "tugui-basis@1",
                                   "到2020年，国土空间布局"),
    "urban_industrial_land_per_capita": ("<=", 155.0, 2022, None, None, "到2020年，国土空间布局"),
    "gdp_per_construction_land": (">=", 37.59, 2022, None, None, "到2020年，单位GDP"),
    "farmland_area": (">=", 28106.67, 2020, None, None, "到2020年，全县耕地保有量"),
    "permanent_farmland_area": (">=", 25800.0, 2020, None, None, "到2020年，全县耕地保有量"),
    "high_standard_farmland_area": (">=", 8466.67, 2020, None, None, "到2020年，全县耕地保有量"),
    "land_supply_rate": (">=", 80.0, 2022, None, None, "加快批而未供土地利用"),
}


def test_sample_targets_are_flat_columns(sample_run) -> None:
    result, out = sample_run
    ind = result.indicators
    cols = ["target_op", "target_value", "target_year", "target_base_year", "target_basis",
            "target_source"]
    assert ind.columns[ind.columns.get_loc("components") + 1:][:6].tolist() == cols
    assert "target" not in ind.columns
    assert str(ind["target_value"].dtype) == "float64"
    assert str(ind["target_year"].dtype) == "Int64"
    assert str(ind["target_base_year"].dtype) == "Int64"
    with_target = ind[ind["target_op"].notna()]
    assert (with_target["scope"] == "county").all()
    got = {r["id"]: (r["target_op"], r["target_value"], int(r["target_year"]),
                     None if pd.isna(r["target_base_year"]) else int(r["target_base_year"]),
                     r["target_basis"], r["target_source"])
           for r in with_target.to_dict(orient="records")}
    assert sorted(got) == sorted(SAMPLE_TARGETS)
    for ident, (op, value, year, base_year, basis, source) in SAMPLE_TARGETS.items():
        g = got[ident]
        assert g[:5] == (op, value, year, base_year, basis), ident
        assert g[5].startswith(source), ident
    # rows without a target: NaN / <NA> / None, never a dict or a 0
    rest = ind[ind["target_op"].isna()]
    assert rest["target_value"].isna().all() and rest["target_year"].isna().all()
    assert rest["target_source"].isna().all() and rest["target_basis"].isna().all()
    # indicators.json keeps the contract's target object, built from the same values
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    objs = {r["id"]: r["target"] for r in doc["indicators"]
            if r["scope"] == "county" and r["target"] is not None}
    assert sorted(objs) == sorted(SAMPLE_TARGETS)
    assert objs["farmland_area"] == {"op": ">=", "value": 28106.67, "year": 2020,
                                     "source": got["farmland_area"][5]}
    assert objs["development_intensity"] == {"op": "<=", "value": 30.0, "year": 2020,
                                             "basis": "tugui-basis@1",
                                             "source": got["development_intensity"][5]}
    # indicators.csv keeps its columns (target_op, target_value, target_year, target_source)
    csv = pd.read_csv(out / "indicators.csv", dtype=str, keep_default_na=False)
    row = csv[(csv["id"] == "land_supply_rate") & (csv["zone"] == "370321")].iloc[0]
    assert (row["target_op"], float(row["target_value"]), row["target_year"]) == (
        ">=", 80.0, "2022")
