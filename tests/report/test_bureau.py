"""The report and workbook as a bureau files them: words, counts, layer types, map parts."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from shapely.geometry import LineString, MultiPoint, box

from landuse.report.document import indicators_table, records_from_rows, write_csv
from landuse.report.labels import finding_title, label
from landuse.report.vector import write_gpkg


def test_counts_are_integers_in_json_and_csv(tmp_path):
    rows = pd.DataFrame([
        {"id": "mining_rights_in_protected_areas", "scope": "county", "zone": "370321",
         "value": np.float64(2.0), "unit": "count", "status": "no_target"},
        {"id": "development_intensity", "scope": "county", "zone": "370321",
         "value": np.float64(2.0), "unit": "%", "status": "no_target"}])
    recs = records_from_rows(rows)
    by_id = {r["id"]: r["value"] for r in recs}
    assert json.dumps(by_id["mining_rights_in_protected_areas"]) == "2"
    assert json.dumps(by_id["development_intensity"]) == "2.0"
    path = write_csv(indicators_table(recs), tmp_path / "indicators.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    mining = next(x for x in lines if x.startswith("mining_rights"))
    intensity = next(x for x in lines if x.startswith("development_intensity"))
    assert ",2,count," in mining and ",2.0,%," in intensity


def test_single_geometry_type_per_layer(tmp_path):
    crs = 4527
    mixed = gpd.GeoDataFrame(
        {"feature_id": ["a", "b", "c", "d"], "relation": ["inside", "near", "touching", "x"]},
        geometry=[box(0, 0, 1, 1), LineString([(2, 0), (3, 0)]), MultiPoint([(1, 1)]), None],
        crs=crs)
    path = write_gpkg(tmp_path / "r.gpkg", {"mining_conflicts": mixed,
                                             "zone_violations": mixed.iloc[:1]})
    layers = dict(pyogrio.list_layers(path).tolist())
    assert layers == {"mining_conflicts": "MultiPolygon",
                      "mining_conflicts_lines": "MultiLineString",
                      "mining_conflicts_points": "MultiPoint",
                      "zone_violations": "MultiPolygon"}
    ids = sorted(x for name in layers if name.startswith("mining")
                 for x in gpd.read_file(path, layer=name)["feature_id"])
    assert ids == ["a", "b", "c", "d"]  # every feature in exactly one layer


def test_words_chinese_first():
    assert label("disposition", "withdraw") == "有序退出 withdraw"
    assert label("idle", "idle_1y") == "闲置满一年 idle ≥ 1 year"
    assert label("relation", "inside") == "位于内部 inside"
    assert label("severity", "warning") == "警告 warning"
    assert finding_title("tbmj_area_mismatch") == "图斑面积与椭球面积不符"


def test_findings_sheet_header_and_report_words(tmp_path):
    from openpyxl import load_workbook

    from landuse.report.xlsx import COLUMN_HEADERS, write_xlsx

    findings = pd.DataFrame([{"severity": "警告 warning", "title": "标识码重复",
                              "finding_code": "duplicate_bsm", "count": 2, "source": "DLTB",
                              "message": "m", "examples": "1, 2"}])
    rows = pd.DataFrame([{"id": "farmland_area", "scope": "county", "zone": "370321",
                          "value": 1.0, "unit": "ha", "status": "no_target"}])
    idle = pd.DataFrame({"parcel_id": ["p"], "idle_class": ["idle_2y"]})
    write_xlsx(tmp_path / "i.xlsx", records_from_rows(rows),
               tables={"数据质量 findings": findings, "闲置土地 idle parcels": idle})
    wb = load_workbook(tmp_path / "i.xlsx")
    ws = wb["数据质量 findings"]
    header = [c.value for c in ws[1]]
    assert "问题代码" in header and "地类编码" not in header
    assert COLUMN_HEADERS["finding_code"] == ("问题代码", "finding code")
    assert [c.value for c in wb["闲置土地 idle parcels"][3]] == ["p", "闲置满两年 idle ≥ 2 years"]


def test_maps_have_north_arrow_scale_bar_and_one_colour_per_check(monkeypatch):
    from matplotlib.figure import Figure

    from landuse.report import maps

    zones = gpd.GeoDataFrame({"zone": ["370321100"], "zone_name": ["甲"]},
                             geometry=[box(0, 0, 10_000, 8_000)], crs=4527)
    drawn: list[Figure] = []
    real = maps.figure_data_uri

    def keep(fig, **kw):
        drawn.append(fig)
        return real(fig, **kw)

    monkeypatch.setattr(maps, "figure_data_uri", keep)
    maps.choropleth(zones, pd.Series({"370321100": 1.0}), title=("甲", "a"), unit="%")
    viol = gpd.GeoDataFrame(
        {"check": ["eco_redline_construction", "farmland_nonfarm", "outside_urban_boundary"]},
        geometry=[box(0, 0, 100, 100), box(200, 0, 300, 100), box(400, 0, 500, 100)],
        crs=4527)
    conf = gpd.GeoDataFrame({"check": ["mining_protected"]},
                            geometry=[box(600, 0, 700, 100)], crs=4527)
    maps.redline_map(zones, protected=None, rights=None, conflicts=conf, violations=viol,
                     title=("红线", "redlines"))
    for fig in drawn:
        ax = fig.axes[0]
        texts = [t.get_text() for t in ax.texts]
        assert any(t.endswith("N") for t in texts), texts      # north arrow
        assert any(t.endswith("km") for t in texts), texts     # scale bar
    legend = drawn[1].legends[0]
    colours = [tuple(h.get_facecolor()) for h in legend.legend_handles]
    assert len(colours) == 4 and len(set(colours)) == 4        # one colour per check
    assert all(t.get_fontsize() >= 8 for t in legend.get_texts())
