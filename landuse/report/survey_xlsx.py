"""``survey_tables.xlsx``: the 三调 summary tables in the official sheet layouts (openpyxl).

Each sheet has the title row, the 单位 (unit) line, merged multi-row headers and, for the
wide tables, 行政区划 (zone) rows × 地类 (class) columns; it prints on A4 landscape, fitted
to the page width, with the header rows repeated on every page. The figures are the
tables' (:func:`landuse.tables.survey_tables`), never recomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from landuse.tables.survey import SLOPE_GRADES, level1_layout

__all__ = ["write_survey_xlsx"]

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_ZONE_HEAD = (("行政区划代码", 13), ("行政区划名称", 16))


@dataclass(frozen=True)
class _Column:
    """One value column: its header cells (top to bottom) and the item key it shows."""

    headers: tuple[str, ...]
    key: Any


def _styles(wb: Workbook, number_format: str) -> tuple[str, str]:
    """Named cell styles (registered once: far faster than a border per cell)."""
    names = ("survey_text", f"survey_number_{number_format}")
    for name, fmt in zip(names, ("General", number_format), strict=True):
        if name not in wb.named_styles:
            wb.add_named_style(NamedStyle(name=name, border=_BOX, number_format=fmt))
    return names


def _page(ws: Any, header_rows: int, freeze_col: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = f"3:{2 + header_rows}"
    ws.freeze_panes = f"{get_column_letter(freeze_col + 1)}{3 + header_rows}"


def _header_grid(columns: Sequence[_Column], depth: int
                 ) -> tuple[list[list[str | None]], list[tuple[int, int, int, int]]]:
    """Header labels (depth × columns) and merges (row, col, last row, last col; 0-based).

    Equal neighbours under the same parent merge left-right; empty cells below a label
    merge downwards into it.
    """
    grid: list[list[str | None]] = [[None] * len(columns) for _ in range(depth)]
    merges = []
    for level in range(depth):
        c = 0
        while c < len(columns):
            label = columns[c].headers[level]
            prefix = columns[c].headers[:level]
            end = c
            while (end + 1 < len(columns) and columns[end + 1].headers[level] == label
                   and columns[end + 1].headers[:level] == prefix and level < depth - 1
                   and label):
                end += 1
            if label == "" and level > 0:
                c = end + 1
                continue
            rows_down = 1
            while level + rows_down < depth and all(
                    columns[k].headers[level + rows_down] == "" for k in range(c, end + 1)):
                rows_down += 1
            grid[level][c] = label
            if end > c or rows_down > 1:
                merges.append((level, c, level + rows_down - 1, end))
            c = end + 1
    return grid, merges


def _range(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"


def _sheet(wb: Workbook, name: str, title: str, unit: str, row_heads: Sequence[tuple[str, int]],
           columns: Sequence[_Column], rows: Sequence[tuple[Sequence[Any], Mapping[Any, Any]]],
           *, number_format: str = "0.00") -> None:
    """Write one sheet: title, 单位 line, merged headers, the rows; A4 landscape.

    The workbook is write-only (rows streamed, styles named once): a village-level table
    of a large county has hundreds of thousands of cells.
    """
    ws = wb.create_sheet(name)
    depth = max([len(c.headers) for c in columns] + [1])
    n_head = len(row_heads)
    width = n_head + len(columns)
    text_style, number_style = _styles(wb, number_format)
    for i, (_label, w) in enumerate(row_heads, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for j in range(len(columns)):
        ws.column_dimensions[get_column_letter(n_head + 1 + j)].width = 11
    _page(ws, depth, n_head)

    def cell(value: Any, style: str | None = None, **kw: Any) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        if style is not None:
            c.style = style
        for k, v in kw.items():
            setattr(c, k, v)
        return c

    ws.append([cell(title, font=Font(bold=True, size=14), alignment=_CENTRE)])
    ws.merged_cells.add(_range(1, 1, 1, width))
    ws.append([None] * (width - 1) + [cell(unit, alignment=Alignment(horizontal="right"))])
    grid, merges = _header_grid(columns, depth)
    head_font = Font(bold=True, size=9)
    for level in range(depth):
        labels = [row_heads[i][0] if level == 0 else None for i in range(n_head)]
        labels += grid[level]
        ws.append([cell(v, font=head_font, alignment=_CENTRE, border=_BOX) for v in labels])
    if depth > 1:
        for i in range(1, n_head + 1):
            ws.merged_cells.add(_range(3, i, 2 + depth, i))
    for r0, c0, r1, c1 in merges:
        ws.merged_cells.add(_range(3 + r0, n_head + 1 + c0, 3 + r1, n_head + 1 + c1))
    for head, values in rows:
        line = [cell(v, text_style) for v in head]
        for col in columns:
            v = values.get(col.key)
            line.append(cell(None if v is None or pd.isna(v) else v, number_style))
        ws.append(line)


def _zone_rows(frame: pd.DataFrame, keys: Sequence[str], value: str = "area_ha",
               extra: Sequence[str] = ()) -> list[tuple[list[Any], dict[Any, Any]]]:
    out = []
    for (zone, name, *rest), part in frame.groupby(["zone", "zone_name", *extra], sort=False):
        key = part[list(keys)].apply(tuple, axis=1) if len(keys) > 1 else part[keys[0]]
        out.append(([zone, name, *rest], dict(zip(key, part[value], strict=True))))
    return out


def _level1(wb: Workbook, t: pd.DataFrame, county: str) -> None:
    classes = t[["level1_code", "level1_name"]].drop_duplicates()
    cols = [_Column((n, "" if c == "合计" else c), c) for c, n in classes.itertuples(index=False)]
    cols = [c for c in cols if c.key == "合计"] + [c for c in cols if c.key != "合计"]
    _sheet(wb, "一级分类", f"{county}土地利用现状一级分类面积汇总表", "单位：公顷", _ZONE_HEAD,
           cols, _zone_rows(t, ["level1_code"]))


def _level2(wb: Workbook, t: pd.DataFrame, county: str) -> None:
    lay = level1_layout()
    names = dict(zip(t["code"], t["name"], strict=False))
    present = set(t["code"])
    cols = [_Column(("合计", "", ""), "合计")]
    for r in lay.itertuples():
        codes = [c for c in r.level2_codes if c in present]
        cols += [_Column((f"{r.level1_name} ({r.level1_code})", names[c], c), c) for c in codes]
    _sheet(wb, "二级分类", f"{county}土地利用现状二级分类面积汇总表", "单位：公顷",
           (*_ZONE_HEAD, ("权属性质", 8)), cols, _zone_rows(t, ["code"], extra=["ownership"]))


def _wide(wb: Workbook, sheet: str, title: str, t: pd.DataFrame, key: str, name: str,
          *, total: str) -> None:
    items = t[[key, name]].drop_duplicates()
    cols = [_Column((n, "" if c == total else c), c) for c, n in items.itertuples(index=False)]
    cols = [c for c in cols if c.key == total] + [c for c in cols if c.key != total]
    _sheet(wb, sheet, title, "单位：公顷", _ZONE_HEAD, cols, _zone_rows(t, [key]))


def _slope(wb: Workbook, t: pd.DataFrame, county: str) -> None:
    pairs = t[["slope_grade", "farmland_type"]].drop_duplicates()
    cols = [_Column(("合计" if g == "合计" else f"{g}级 {SLOPE_GRADES.get(g, '')}".strip(), ft),
                    (g, ft)) for g, ft in pairs.itertuples(index=False)]
    cols = [c for c in cols if c.key[0] == "合计"] + [c for c in cols if c.key[0] != "合计"]
    _sheet(wb, "耕地坡度", f"{county}耕地坡度分级面积汇总表", "单位：公顷", _ZONE_HEAD, cols,
           _zone_rows(t, ["slope_grade", "farmland_type"]))


def _long(wb: Workbook, sheet: str, title: str, t: pd.DataFrame,
          columns: Sequence[tuple[str, str, int]], unit: str = "") -> None:
    heads = [(label, w) for label, _, w in columns]
    yes_no = {True: "是 yes", False: "否 no"}
    rows: list[tuple[Sequence[Any], Mapping[Any, Any]]] = [
        ([yes_no[v] if isinstance(v, bool) else v for v in (r[k] for _, k, _ in columns)], {})
        for r in t.to_dict("records")]
    ws_cols: list[_Column] = []
    _sheet(wb, sheet, title, unit, heads, ws_cols, rows)


def write_survey_xlsx(path: str | Path, tables: Mapping[str, pd.DataFrame], *,
                      county_name: str) -> Path:
    """Write ``survey_tables.xlsx`` from the survey tables (those present)."""
    wb = Workbook(write_only=True)
    county = county_name or ""
    if "level1" in tables:
        _level1(wb, tables["level1"], county)
    if "level2" in tables:
        _level2(wb, tables["level2"], county)
    if "settlement" in tables:
        _wide(wb, "城镇村及工矿", f"{county}城镇村及工矿用地面积汇总表", tables["settlement"],
              "czcsxm", "name", total="小计")
    if "farmland_slope" in tables:
        _slope(wb, tables["farmland_slope"], county)
    if "farmland_attributes" in tables:
        _long(wb, "耕地种植属性", f"{county}耕地种植属性及图斑细化面积汇总表",
              tables["farmland_attributes"],
              [("行政区划代码", "zone", 13), ("行政区划名称", "zone_name", 16),
               ("属性", "attribute", 9), ("代码", "code", 8), ("名称", "name", 20),
               ("面积(公顷)", "area_ha", 12), ("面积(亩)", "area_mu", 12)])
    if "adjustable" in tables:
        _wide(wb, "可调整地类", f"{county}可调整地类面积汇总表", tables["adjustable"], "code",
              "name", total="合计")
    if "flying" in tables:
        _long(wb, "飞入地", f"{county}飞入地面积汇总表", tables["flying"],
              [("行政区划代码", "zone", 13), ("行政区划名称", "zone_name", 16),
               ("权属单位代码", "owner_unit", 14), ("图斑数", "patches", 8),
               ("面积(公顷)", "area_ha", 12), ("面积(亩)", "area_mu", 12)])
    if "control_area" in tables:
        _long(wb, "控制面积", f"{county}控制面积核对表", tables["control_area"],
              [("行政区划代码", "zone", 13), ("行政区划名称", "zone_name", 16),
               ("图斑数", "patches", 8), ("图斑面积之和(平方米)", "tbmj_m2", 18),
               ("控制面积(平方米)", "kzmj_m2", 18), ("差值(平方米)", "difference_m2", 12),
               ("限差(平方米)", "tolerance_m2", 11), ("是否在限差内", "within_tolerance", 10)])
    if not wb.sheetnames:
        wb.create_sheet("说明").cell(row=1, column=1, value="无统计表 no tables")
    path = Path(path)
    wb.save(path)
    return path
