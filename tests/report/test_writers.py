"""Report writers on small hand-made rows: JSON stability and schema, XLSX layout, HTML."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import jsonschema
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from landuse.report.document import (
    clean_value,
    dumps,
    indicators_document,
    indicators_table,
    records_from_rows,
    rows_from_document,
    validate_document,
)
from landuse.report.html import render_html
from landuse.report.xlsx import write_xlsx

PROV = {"landuse_version": "0.1.0", "created": "2026-01-01T00:00:00+00:00",
        "rules": "sandiao-default@1", "area": "official", "working_crs": "EPSG:4527",
        "inputs": [{"role": "landuse", "path": "county.gpkg", "layer": "DLTB",
                    "sha256": "0" * 64, "features": 8, "crs": "EPSG:4527"}],
        "warnings": [], "findings": []}


def rows() -> pd.DataFrame:
    """Hand-made rows in scrambled order, with numpy scalars and a NaN."""
    target = {"target_op": "<=", "target_value": 30.0, "target_year": 2020,
              "target_base_year": None, "target_basis": None, "target_source": "规划"}
    none = dict.fromkeys(target)
    return pd.DataFrame([
        {"id": "farmland_area", "name_zh": "耕地面积", "scope": "township", "zone": "370321101",
         "zone_name": "唐山镇", "value": np.float64(25.0), "unit": "ha", "components": {},
         **none, "status": "no_target", "reason": None},
        {"id": "development_intensity", "name_zh": "国土开发强度", "scope": "township",
         "zone": "370321100", "zone_name": "索镇", "value": 20.0, "unit": "%",
         "components": {"construction_land_ha": 20.0, "total_area_ha": 100.0},
         **target, "status": "met", "reason": None},
        {"id": "urban_industrial_land_per_capita", "name_zh": "人均城镇工矿用地",
         "scope": "county", "zone": "370321", "zone_name": "桓台县", "value": np.nan,
         "unit": "m²/person", "components": {"population_urban": np.nan}, **none,
         "status": "not_computable", "reason": "no population table"},
        {"id": "development_intensity", "name_zh": "国土开发强度", "scope": "county",
         "zone": "370321", "zone_name": "桓台县", "value": 1 / 3 * 150, "unit": "%",
         "components": {"construction_land_ha": np.float64(100.0), "total_area_ha": 200},
         **target, "status": "not_met", "reason": None},
    ])


def test_clean_value_rounds_and_removes_nan() -> None:
    assert clean_value(np.float64(0.1 + 0.2)) == 0.3  # 0.30000000000000004 -> 12 digits
    assert clean_value(float("inf")) is None and clean_value(pd.NA) is None
    assert clean_value(np.int64(3)) == 3 and isinstance(clean_value(np.int64(3)), int)
    assert clean_value({"a": [np.float64(1.5), None]}) == {"a": [1.5, None]}


def test_records_sorted_and_clean() -> None:
    recs = records_from_rows(rows())
    # county first, then by zone; within a zone in the contract's indicator order
    assert [(r["scope"], r["zone"], r["id"]) for r in recs] == [
        ("county", "370321", "development_intensity"),
        ("county", "370321", "urban_industrial_land_per_capita"),
        ("township", "370321100", "development_intensity"),
        ("township", "370321101", "farmland_area"),
    ]
    assert recs[0]["value"] == 50.0
    assert recs[1]["value"] is None and recs[1]["components"] == {"population_urban": None}
    # the same rows in another order give the same bytes
    doc1 = indicators_document(rows(), region_code="370321", region_name="桓台县", year=2022,
                               provenance=PROV)
    doc2 = indicators_document(rows().iloc[::-1], region_code="370321", region_name="桓台县",
                               year=2022, provenance=PROV)
    assert dumps(doc1) == dumps(doc2)
    assert "NaN" not in dumps(doc1)
    validate_document(doc1)


def test_schema_rejects_contract_violations() -> None:
    doc = indicators_document(rows(), region_code="370321", region_name="桓台县", year=2022,
                              provenance=PROV)
    bad = json.loads(dumps(doc))
    bad["indicators"][0]["value"] = "50 %"  # strings with units are not allowed
    with pytest.raises(jsonschema.ValidationError):
        validate_document(bad)
    bad = json.loads(dumps(doc))
    bad["indicators"][1]["reason"] = None  # not_computable needs a reason
    with pytest.raises(jsonschema.ValidationError):
        validate_document(bad)
    bad = json.loads(dumps(doc))
    bad["indicators"][2]["zone"] = "370321"  # a township row needs a 9-digit zone
    with pytest.raises(jsonschema.ValidationError):
        validate_document(bad)
    bad = json.loads(dumps(doc))
    bad["indicators"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        validate_document(bad)


def test_target_object_in_the_document_and_back() -> None:
    doc = indicators_document(rows(), region_code="370321", region_name="桓台县", year=2022,
                              provenance=PROV)
    county = doc["indicators"][0]
    # the flat columns of the row become the contract's target object (no base_year, basis)
    assert county["target"] == {"op": "<=", "value": 30.0, "year": 2020, "source": "规划"}
    assert doc["indicators"][1]["target"] is None
    back = rows_from_document(doc)
    assert back.loc[0, ["target_op", "target_value", "target_year", "target_source"]].tolist() \
        == ["<=", 30.0, 2020, "规划"]
    assert back["target_value"].dtype == "float64" and str(back["target_year"].dtype) == "Int64"
    assert back.loc[1, "target_op"] is None and np.isnan(back.loc[1, "target_value"])


def test_csv_table_flattens_targets() -> None:
    table = indicators_table(records_from_rows(rows()))
    first = table.iloc[0]
    assert (first["target_op"], first["target_value"], first["target_year"]) == ("<=", 30, 2020)
    assert json.loads(first["components"]) == {"construction_land_ha": 100.0,
                                               "total_area_ha": 200}


def test_xlsx_layout(tmp_path) -> None:
    recs = records_from_rows(rows())
    extra = {"地类面积 class areas": pd.DataFrame({"zone": ["370321"], "code": ["0101"],
                                                 "area_ha": [49.0]})}
    path = write_xlsx(tmp_path / "i.xlsx", recs, tables=extra, provenance={"rules": "x@1"})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["县 county", "乡镇 township", "乡镇对比 townships",
                             "地类面积 class areas", "说明 provenance"]
    wide = list(wb["乡镇对比 townships"].iter_rows(values_only=True))
    assert wide[0] == ("区域代码", "区域名称", "国土开发强度 (%)", "耕地面积 (ha)")
    assert wide[2:] == [("370321100", "索镇", 20.0, None), ("370321101", "唐山镇", None, 25.0)]
    ws = wb["县 county"]
    assert ws.freeze_panes == "A3"
    assert ws["A1"].value == "区域代码" and ws["A2"].value == "zone code"
    headers = [c.value for c in ws[1]]
    status_col = headers.index("状态") + 1
    value_col = headers.index("数值") + 1
    fills = {ws.cell(row=r, column=status_col).value:
             ws.cell(row=r, column=status_col).fill.fgColor.rgb for r in (3, 4)}
    assert fills["未达标 not met"].endswith("FFC7CE")  # red
    assert fills["无法计算 not computable"].endswith("D9D9D9")  # grey
    assert ws.cell(row=3, column=value_col).value == 50.0
    assert ws.cell(row=4, column=value_col).value is None
    assert ws.column_dimensions["C"].width >= 20
    town = wb["乡镇 township"]
    fill = town.cell(row=3, column=status_col).fill.fgColor.rgb
    assert fill.endswith("C6EFCE")  # met is green
    assert wb["地类面积 class areas"]["A1"].value == "区域代码"


def test_html_is_self_contained(tmp_path) -> None:
    doc = indicators_document(rows(), region_code="370321", region_name="桓台县", year=2022,
                              provenance=PROV)
    zones = gpd.GeoDataFrame({"zone": ["370321100", "370321101"],
                              "zone_name": ["索镇", "唐山镇"]},
                             geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
                             crs="EPSG:4527")
    html = render_html(doc, zones=zones)
    assert "<script" not in html.lower()
    # nothing is fetched: every src is an inline data URI, no remote URLs at all
    srcs = re.findall(r'src="([^"]+)"', html)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "http://" not in html and "https://" not in html
    assert "桓台县" in html and "未达标" in html and "no population table" in html
    # one township map per mapped indicator that has township values: intensity, farmland
    assert len(srcs) == 2


def test_xlsx_long_tables_are_cut_with_a_note(tmp_path) -> None:
    frame = pd.DataFrame({"check": ["farmland_nonfarm"] * 5, "overlap_m2": [1.0, 2, 3, 4, 5]})
    path = write_xlsx(tmp_path / "i.xlsx", [], tables={"三线冲突 zone violations": frame},
                      max_rows=3)
    ws = openpyxl.load_workbook(path)["三线冲突 zone violations"]
    values = [r[1] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert values == [1.0, 2.0, 3.0, None]  # three rows, then the note row
    assert "2 more rows" in ws.cell(row=6, column=1).value
