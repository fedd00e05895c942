"""``bulletin.md`` and ``bulletin.docx``: the 主要数据公报 generated from the survey tables.

The layout counties publish: a heading, the total, then one section per category (耕地 with
the 水田 / 水浇地 / 旱地 shares, the slope grades and the townships holding most of it;
种植园用地; 林地; 草地; 湿地; 城镇村及工矿用地; 交通运输用地; 水域及水利设施用地). Every area
in the text is a figure of the tables (公顷 and 亩 as in the CSVs; 万亩 = 亩 / 10 000 shown
to two decimals); shares are computed from those figures. One structure (:func:`bulletin`)
is rendered twice: Markdown and Word (python-docx).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from landuse.tables.survey import level1_layout
from landuse.units import convert_area

__all__ = ["Bulletin", "bulletin", "write_bulletin_docx", "write_bulletin_md"]

_SECTIONS = (("01", "耕地"), ("02", "种植园用地"), ("03", "林地"), ("04", "草地"), ("00", "湿地"),
             ("settlement", "城镇村及工矿用地"), ("10", "交通运输用地"),
             ("11", "水域及水利设施用地"))
_CN_NUM = "一二三四五六七八九十"
_SETTLEMENT_GROUPS = (("城市用地", ("201", "201A")), ("建制镇用地", ("202", "202A")),
                      ("村庄用地", ("203", "203A")), ("采矿用地", ("204",)),
                      ("风景名胜及特殊用地", ("205",)))


@dataclass
class Bulletin:
    """Title, the opening paragraph and the numbered sections (heading, paragraphs)."""

    title: str
    intro: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    note: str = ""


def _area(ha: float, mu: float, *, wan: bool = False) -> str:
    text = f"{ha:.2f} 公顷（{mu:.2f} 亩"
    return text + (f"，合 {convert_area(mu, 'mu', 'wan_mu'):.2f} 万亩）" if wan else "）")


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "—"


def _county(t: pd.DataFrame) -> pd.DataFrame:
    return t[t["level"] == "county"]


def _level2_parts(level2: pd.DataFrame | None, level1_code: str, whole: float) -> str:
    if level2 is None:
        return ""
    lay = level1_layout().set_index("level1_code")
    codes = lay.loc[level1_code, "level2_codes"]
    c = _county(level2)
    c = c[(c["ownership"] == "合计") & c["code"].isin(codes) & (c["area_ha"] > 0)]
    if c.empty:
        return ""
    items = [f"{r.name} {_area(r.area_ha, r.area_mu)}，占 {_share(r.area_ha, whole)}"
             for r in c.itertuples()]
    return "其中，" + "；".join(items) + "。"


def _farmland(tables: Mapping[str, pd.DataFrame], ha: float) -> list[str]:
    out = []
    slope = tables.get("farmland_slope")
    if slope is not None:
        c = _county(slope)
        c = c[(c["farmland_type"] == "合计") & (c["slope_grade"] != "合计")]
        labels = {"1": "2度以下（含2度）坡度", "2": "2—6度（含6度）坡度",
                  "3": "6—15度（含15度）坡度",
                  "4": "15—25度（含25度）坡度", "5": "25度以上坡度", "未填": "未填坡度级别"}
        parts = [f"位于{labels.get(r.slope_grade, r.slope_grade)}的耕地 "
                 f"{_area(r.area_ha, r.area_mu)}，占 {_share(r.area_ha, ha)}"
                 for r in c.itertuples() if r.area_ha > 0]
        if parts:
            out.append("；".join(parts) + "。")
    lv1 = tables["level1"]
    towns = lv1[(lv1["level"] == "township") & (lv1["level1_code"] == "01")]
    top = towns.sort_values("area_ha", ascending=False, kind="stable").head(3)
    if len(top) and ha:
        names = "、".join(top["zone_name"])
        out.append(f"耕地主要分布在{names}，{len(top)}个乡镇（街道）耕地面积合计 "
                   f"{_area(top['area_ha'].sum(), top['area_mu'].sum())}，占全县耕地的 "
                   f"{_share(top['area_ha'].sum(), ha)}。")
    return out


def _settlement(t: pd.DataFrame) -> tuple[float, float, str]:
    c = _county(t).set_index("czcsxm")
    total_ha, total_mu = float(c.loc["小计", "area_ha"]), float(c.loc["小计", "area_mu"])
    parts = []
    for label, codes in _SETTLEMENT_GROUPS:
        rows = c.loc[[k for k in codes if k in c.index]]
        ha, mu = float(rows["area_ha"].sum()), float(rows["area_mu"].sum())
        if ha > 0:
            parts.append(f"{label} {_area(ha, mu)}，占 {_share(ha, total_ha)}")
    return total_ha, total_mu, ("其中，" + "；".join(parts) + "。") if parts else ""


def bulletin(tables: Mapping[str, pd.DataFrame], *, county_name: str, year: int | None = None
             ) -> Bulletin:
    """Build the 主要数据公报 of one county from its survey tables."""
    lv1 = _county(tables["level1"]).set_index("level1_code")
    total = lv1.loc["合计"]
    when = f"（标准时点 {year} 年 12 月 31 日）" if year else ""
    b = Bulletin(
        title=f"{county_name}第三次全国国土调查主要数据公报",
        intro=f"{county_name}土地总面积 {_area(total.area_ha, total.area_mu, wan=True)}"
              f"{when}。主要地类数据如下：",
        note="注：面积数据来自本县土地利用现状汇总表（survey_tables），公顷保留两位小数，"
             "亩 = 公顷 × 15；"
             "分项之和等于合计（受控舍入）；占比由表中数据计算。")
    level2 = tables.get("level2")
    for key, label in _SECTIONS:
        if key == "settlement":
            if "settlement" not in tables:
                continue
            ha, mu, text = _settlement(tables["settlement"])
            paras = [f"{label} {_area(ha, mu, wan=True)}。" + text]
        else:
            row = lv1.loc[key]
            ha, mu = float(row.area_ha), float(row.area_mu)
            paras = [f"{label} {_area(ha, mu, wan=True)}。" + _level2_parts(level2, key, ha)]
            if key == "01":
                paras += _farmland(tables, ha)
        b.sections.append((f"{_CN_NUM[len(b.sections)]}、{label}", paras))
    return b


def write_bulletin_md(b: Bulletin, path: str | Path) -> Path:
    """Write the bulletin as Markdown (UTF-8)."""
    lines = [f"# {b.title}", "", b.intro, ""]
    for heading, paras in b.sections:
        lines += [f"## {heading}", ""]
        for p in paras:
            lines += [p, ""]
    lines += [b.note, ""]
    path = Path(path)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_bulletin_docx(b: Bulletin, path: str | Path) -> Path:
    """Write the bulletin as a Word document (A4 portrait, 宋体 body, 黑体 headings)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "SimSun", Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    title = doc.add_heading(b.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(b.intro).paragraph_format.first_line_indent = Pt(24)
    for heading, paras in b.sections:
        doc.add_heading(heading, level=1).paragraph_format.keep_with_next = True
        for p in paras:
            doc.add_paragraph(p).paragraph_format.first_line_indent = Pt(24)
    doc.add_paragraph(b.note).runs[0].font.size = Pt(9)
    path = Path(path)
    doc.save(str(path))
    return path
