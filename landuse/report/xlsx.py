"""``indicators.xlsx``: the workbook a county bureau uses as is (openpyxl).

One sheet per scope (县 county, 乡镇 township, 村 village when present) with Chinese headers
and English subtitles, units, targets and a coloured status (met green, not met red, not
computable grey), a frozen header, auto-filter and column widths; then the class-area
table, the redline tables, the idle parcels and the data-quality findings on their own
sheets, and a provenance sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from landuse.report.document import clean_value, indicator_name_en

__all__ = ["STATUS_LABELS", "write_xlsx"]

#: status -> (Chinese, English, fill colour)
STATUS_LABELS: Final[dict[str, tuple[str, str, str]]] = {
    "met": ("达标", "met", "C6EFCE"),
    "not_met": ("未达标", "not met", "FFC7CE"),
    "no_target": ("无目标", "no target", "FFFFFF"),
    "not_computable": ("无法计算", "not computable", "D9D9D9"),
}
SCOPE_SHEETS: Final = {"county": "县 county", "township": "乡镇 township", "village": "村 village"}
_OPS: Final = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "="}
_HEADER_FILL: Final = PatternFill("solid", fgColor="1F4E78")
_SUB_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
_THIN: Final = Side(style="thin", color="BFBFBF")
_BORDER: Final = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

#: (Chinese header, English subtitle, key, width)
_INDICATOR_COLUMNS: Final = (
    ("区域代码", "zone code", "zone", 12),
    ("区域名称", "zone name", "zone_name", 12),
    ("指标", "indicator", "name_zh", 26),
    ("指标(英文)", "indicator (English)", "name_en", 36),
    ("指标代码", "id", "id", 30),
    ("数值", "value", "value", 14),
    ("单位", "unit", "unit", 11),
    ("目标", "target", "target_text", 12),
    ("目标年份", "target year", "target_year", 10),
    ("状态", "status", "status_text", 20),
    ("说明", "reason / note", "reason", 40),
    ("目标出处", "target source", "target_source", 40),
)


def _header(ws: Worksheet, columns: Sequence[tuple[str, str, Any, int]]) -> None:
    for j, (zh, en, _key, width) in enumerate(columns, start=1):
        top = ws.cell(row=1, column=j, value=zh)
        top.font = Font(bold=True, color="FFFFFF")
        top.fill = _HEADER_FILL
        top.alignment = Alignment(horizontal="center", vertical="center")
        sub = ws.cell(row=2, column=j, value=en)
        sub.font = Font(italic=True, size=9, color="1F4E78")
        sub.fill = _SUB_FILL
        sub.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A3"
    ws.row_dimensions[2].height = 24


def _cell_value(value: Any) -> Any:
    v = clean_value(value) if not isinstance(value, str) else value
    if isinstance(v, dict | list):
        return str(v)
    return v


def _indicator_sheet(ws: Worksheet, records: Sequence[Mapping[str, Any]]) -> None:
    _header(ws, _INDICATOR_COLUMNS)
    for i, rec in enumerate(records, start=3):
        target = rec.get("target") or {}
        zh, en, colour = STATUS_LABELS.get(rec["status"], (rec["status"], rec["status"], "FFFFFF"))
        values = {
            "zone": rec["zone"], "zone_name": rec.get("zone_name"), "name_zh": rec["name_zh"],
            "name_en": indicator_name_en(rec["id"]), "id": rec["id"], "value": rec["value"],
            "unit": rec["unit"],
            "target_text": (f"{_OPS.get(target['op'], target['op'])} {target['value']:g}"
                            if target else None),
            "target_year": target.get("year"), "status_text": f"{zh} {en}",
            "reason": rec.get("reason"), "target_source": target.get("source"),
        }
        for j, (_zh, _en, key, _w) in enumerate(_INDICATOR_COLUMNS, start=1):
            cell = ws.cell(row=i, column=j, value=_cell_value(values[key]))
            cell.border = _BORDER
            if key == "value" and isinstance(values[key], float):
                cell.number_format = "#,##0.00"
            if key == "status_text":
                cell.fill = PatternFill("solid", fgColor=colour)
    last = max(len(records) + 2, 2)
    ws.auto_filter.ref = f"A2:{get_column_letter(len(_INDICATOR_COLUMNS))}{last}"


def _frame_sheet(ws: Worksheet, frame: pd.DataFrame,
                 headers: Mapping[str, tuple[str, str]]) -> None:
    """Write a plain table; ``headers`` maps column -> (Chinese, English)."""
    cols = [c for c in frame.columns if c != "geometry"]
    spec = []
    for c in cols:
        zh, en = headers.get(c, (c, c))
        sample = frame[c].astype(str).str.len().max() if len(frame) else 0
        width = int(min(max(len(zh) * 2 + 2, len(en) + 2, (sample or 0) + 2, 8), 50))
        spec.append((zh, en, c, width))
    _header(ws, spec)
    for i, row in enumerate(frame[cols].itertuples(index=False), start=3):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=_cell_value(value))
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00##"
    if cols:
        ws.auto_filter.ref = f"A2:{get_column_letter(len(cols))}{max(len(frame) + 2, 2)}"


#: Chinese / English headers of the other sheets' columns.
COLUMN_HEADERS: Final[dict[str, tuple[str, str]]] = {
    "zone": ("区域代码", "zone code"), "zone_name": ("区域名称", "zone name"),
    "scope": ("范围", "scope"), "code": ("地类编码", "class code"),
    "level2": ("二级地类", "second-level code"), "level1": ("一级地类", "first-level code"),
    "name_zh": ("地类名称", "class name"), "sandalei": ("三大类", "three big classes"),
    "area_m2": ("面积(平方米)", "area m²"), "area_ha": ("面积(公顷)", "area ha"),
    "area_mu": ("面积(亩)", "area mu"), "check": ("检查项", "check"),
    "feature_id": ("图斑/矿权编号", "feature id"), "against_id": ("对象编号", "against id"),
    "category": ("保护地类别", "protected category"), "zone_type": ("分区", "zone type"),
    "relation": ("关系", "relation"), "overlap_m2": ("重叠面积(平方米)", "overlap m²"),
    "share": ("重叠比例", "share"), "distance_m": ("距离(米)", "distance m"),
    "stage": ("阶段", "stage"), "disposition": ("处置", "disposition"),
    "township": ("乡镇代码", "township"), "severity": ("级别", "severity"),
    "message": ("说明", "message"), "count": ("数量", "count"), "source": ("来源", "source"),
    "parcel_id": ("地块编号", "parcel id"), "idle_class": ("闲置类别", "idle class"),
    "reason": ("原因", "reason"), "key": ("项目", "item"), "value": ("内容", "value"),
}


def write_xlsx(path: str | Path, records: Sequence[Mapping[str, Any]], *,
               tables: Mapping[str, pd.DataFrame] | None = None,
               provenance: Mapping[str, Any] | None = None) -> Path:
    """Write ``indicators.xlsx``.

    Parameters
    ----------
    path : str or Path
        Output file.
    records : sequence of dict
        Indicator rows as in ``indicators.json`` (see ``records_from_rows``).
    tables : mapping of str to DataFrame, optional
        Further sheets, titled by key (e.g. ``"地类面积 class areas"``); geometry dropped.
    provenance : mapping, optional
        Written as a key/value sheet ``说明 provenance`` (nested values as text).

    Returns
    -------
    Path
    """
    wb = Workbook()
    first = True
    for scope, title in SCOPE_SHEETS.items():
        subset = [r for r in records if r["scope"] == scope]
        if not subset and scope == "village":
            continue
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        first = False
        ws.title = title
        _indicator_sheet(ws, subset)
    for title, frame in (tables or {}).items():
        _frame_sheet(wb.create_sheet(title[:31]), frame, COLUMN_HEADERS)
    if provenance is not None:
        items = [(k, v if isinstance(v, str | int | float) or v is None else str(v))
                 for k, v in sorted(provenance.items())]
        _frame_sheet(wb.create_sheet("说明 provenance"),
                     pd.DataFrame(items, columns=["key", "value"]), COLUMN_HEADERS)
    path = Path(path)
    wb.save(path)
    return path
