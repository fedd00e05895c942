"""``landuse tables`` on the sample county: the files, the workbook layout, the bulletin.

The bulletin's numbers are checked against the tables it was generated from: every area
the text states is read back from the text and looked up in the CSVs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from landuse.cli import app
from landuse.rules import code_table
from landuse.tables.survey import level1_layout

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
AREA = re.compile(r"(\S+?) (\d+\.\d\d) 公顷（(\d+\.\d\d) 亩")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tables") / "out"
    res = CliRunner().invoke(app, ["tables", str(SAMPLE / "config.toml"), "--out", str(out),
                                   "--villages"])
    assert res.exit_code == 0, res.output
    return out


def _csv(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "survey_tables" / f"{name}.csv", dtype={
        "zone": str, "level1_code": str, "code": str, "czcsxm": str, "slope_grade": str,
        "owner_unit": str})


def test_files(out):
    names = {p.name for p in (out / "survey_tables").iterdir()}
    assert names == {f"{n}.csv" for n in ("level1", "level2", "settlement", "farmland_slope",
                                          "farmland_attributes", "adjustable", "flying",
                                          "control_area")}
    assert (out / "survey_tables.xlsx").exists() and (out / "bulletin.docx").exists()
    lv1 = _csv(out, "level1")
    assert list(lv1.columns) == ["zone", "zone_name", "level", "level1_code", "level1_name",
                                 "area_ha", "area_mu"]
    assert set(lv1["level"]) == {"county", "township", "village"}
    # the sample's control areas equal Σ TBMJ (after 平差): every zone within tolerance
    ca = _csv(out, "control_area")
    assert ca["within_tolerance"].all() and len(ca) == 10
    fly = _csv(out, "flying")
    assert fly.loc[(fly["level"] == "county") & (fly["owner_unit"] == "合计"),
                   "patches"].tolist() == [11]


def test_tables_add_up(out):
    lv1 = _csv(out, "level1")
    for level, parent in (("township", "county"), ("village", "township")):
        kids = lv1[lv1["level"] == level].copy()
        key = kids["zone"].str.slice(0, 6 if parent == "county" else 9)
        sums = kids.groupby([key, kids["level1_code"]])["area_ha"].sum().round(2)
        top = lv1[lv1["level"] == parent].set_index(["zone", "level1_code"])["area_ha"]
        assert (sums == top.reindex(sums.index)).all()
    rows = lv1[lv1["level1_code"] != "合计"].groupby("zone")["area_ha"].sum().round(2)
    tot = lv1[lv1["level1_code"] == "合计"].set_index("zone")["area_ha"]
    assert (rows == tot.reindex(rows.index)).all()
    assert (lv1["area_mu"] == (lv1["area_ha"] * 15).round(2)).all()
    # level 1 is the sum of level 2 (合计 ownership), class by class
    lv2 = _csv(out, "level2")
    lay = level1_layout()
    c2 = lv2[(lv2["level"] == "county") & (lv2["ownership"] == "合计")].set_index("code")
    c1 = lv1[lv1["level"] == "county"].set_index("level1_code")["area_ha"]
    for r in lay.itertuples():
        assert round(c2["area_ha"].reindex(r.level2_codes).fillna(0).sum(), 2) == c1[
            r.level1_code]


def test_level1_layout_covers_every_code_once():
    listed = [c for codes in level1_layout()["level2_codes"] for c in codes]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(code_table()["level2"])
    wet = level1_layout().set_index("level1_code").loc["00", "level2_codes"]
    assert sorted(wet) == ["0303", "0304", "0306", "0402", "1105", "1106", "1108"]


def test_bulletin_numbers_are_the_tables(out):
    text = (out / "bulletin.md").read_text(encoding="utf-8")
    lv1 = _csv(out, "level1")
    county = lv1[lv1["level"] == "county"].set_index("level1_name")
    lv2 = _csv(out, "level2")
    c2 = lv2[(lv2["level"] == "county") & (lv2["ownership"] == "合计")].set_index("name")
    settle = _csv(out, "settlement")
    s = settle[settle["level"] == "county"].set_index("czcsxm")
    slope = _csv(out, "farmland_slope")
    sl = slope[(slope["level"] == "county") & (slope["farmland_type"] == "合计")]
    found = AREA.findall(text)
    assert len(found) > 20
    groups = {"城市用地": ["201", "201A"], "建制镇用地": ["202", "202A"],
              "村庄用地": ["203", "203A"], "采矿用地": ["204"], "风景名胜及特殊用地": ["205"]}
    towns = lv1[(lv1["level"] == "township") & (lv1["level1_code"] == "01")]
    top3 = towns.sort_values("area_ha", ascending=False)["area_ha"].head(3).sum()
    for label, ha, mu in found:  # every area in the text is checked, none skipped
        ha, mu = float(ha), float(mu)
        assert round(ha * 15, 2) == mu
        label = re.split(r"[，；。]", label)[-1].removeprefix("其中，")
        if label in county.index:
            assert county.loc[label, "area_ha"] == ha, label
        elif label in groups:  # the 城镇村及工矿用地 section's parts (204 is 采矿用地 there)
            assert round(s.loc[groups[label], "area_ha"].sum(), 2) == ha, label
        elif label in c2.index:
            assert c2.loc[label, "area_ha"] == ha, label
        elif label == "城镇村及工矿用地":
            assert s.loc["小计", "area_ha"] == ha
        elif label.endswith("土地总面积"):
            assert county.loc["合计", "area_ha"] == ha
        elif label.endswith("坡度的耕地"):
            assert ha in sl["area_ha"].tolist()
        elif label.endswith("耕地面积合计"):
            assert round(top3, 2) == ha
        else:
            raise AssertionError(f"bulletin figure not traced to a table: {label} {ha}")
    assert f"耕地 {county.loc['耕地', 'area_ha']:.2f} 公顷" in text
    assert f"湿地 {county.loc['湿地', 'area_ha']:.2f} 公顷" in text
    # the three townships with most farmland, from the township rows
    towns = lv1[(lv1["level"] == "township") & (lv1["level1_code"] == "01")]
    top = towns.sort_values("area_ha", ascending=False)["zone_name"].head(3)
    assert "耕地主要分布在" + "、".join(top) in text


def test_docx_has_the_markdown_paragraphs(out):
    from docx import Document

    doc = Document(str(out / "bulletin.docx"))
    paras = [p.text for p in doc.paragraphs if p.text]
    md = (out / "bulletin.md").read_text(encoding="utf-8")
    assert paras[0] in md and "主要数据公报" in paras[0]
    body = [p for p in paras if "公顷" in p]
    assert body and all(p in md for p in body)
    assert abs(doc.sections[0].page_width.cm - 21.0) < 0.01


def test_workbook_layout(out):
    wb = load_workbook(out / "survey_tables.xlsx")
    assert wb.sheetnames[:2] == ["一级分类", "二级分类"]
    ws = wb["一级分类"]
    assert ws["A1"].value == "桓台县土地利用现状一级分类面积汇总表"
    assert any(str(c.value).startswith("单位") for c in ws[2] if c.value)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A3:A4" in merged  # 行政区划代码 spans both header rows
    # the county row equals level1.csv
    lv1 = _csv(out, "level1")
    heads = [ws.cell(row=4, column=c).value or ws.cell(row=3, column=c).value
             for c in range(1, ws.max_column + 1)]
    county = lv1[lv1["level"] == "county"].set_index("level1_code")["area_ha"]
    col = heads.index("01") + 1
    assert ws.cell(row=5, column=col).value == county["01"]
    ws2 = wb["二级分类"]
    assert ws2.cell(row=3, column=4).value == "合计"
    assert any("湿地" in str(ws2.cell(row=3, column=c).value)
               for c in range(1, ws2.max_column + 1))
