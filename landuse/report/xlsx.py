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
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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
_TOP_FONT: Final = Font(bold=True, color="FFFFFF")
_SUB_FONT: Final = Font(italic=True, size=9, color="1F4E78")

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


def _styled(ws: Any, value: Any, *, font: Font | None = None, fill: PatternFill | None = None,
            number_format: str | None = None, wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format is not None:
        cell.number_format = number_format
    if wrap:
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def _header(ws: Any, columns: Sequence[tuple[str, str, Any, int]], n_rows: int) -> None:
    """Two header rows (Chinese, English), widths, frozen panes and the auto-filter."""
    for j, (_zh, _en, _key, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A3"
    if columns:
        ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(n_rows + 2, 2)}"
    ws.append([_styled(ws, zh, font=_TOP_FONT, fill=_HEADER_FILL, wrap=True)
               for zh, _en, _k, _w in columns])
    ws.append([_styled(ws, en, font=_SUB_FONT, fill=_SUB_FILL, wrap=True)
               for _zh, en, _k, _w in columns])


def _cell_value(value: Any) -> Any:
    v = clean_value(value) if not isinstance(value, str) else value
    if isinstance(v, dict | list):
        return str(v)
    return v


def _indicator_sheet(ws: Any, records: Sequence[Mapping[str, Any]]) -> None:
    _header(ws, _INDICATOR_COLUMNS, len(records))
    for rec in records:
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
        row = []
        for _zh, _en, key, _w in _INDICATOR_COLUMNS:
            value = _cell_value(values[key])
            if key == "status_text":
                row.append(_styled(ws, value, fill=PatternFill("solid", fgColor=colour)))
            elif key == "value" and isinstance(value, float):
                row.append(_styled(ws, value, number_format="#,##0.00"))
            else:
                row.append(value)
        ws.append(row)


def _frame_sheet(ws: Any, frame: pd.DataFrame, headers: Mapping[str, tuple[str, str]], *,
                 max_rows: int) -> None:
    """Write a plain table; ``headers`` maps column -> (Chinese, English).

    Tables longer than ``max_rows`` are cut there with a closing note row: the complete
    table is in the CSV / GeoPackage next to the workbook.
    """
    cols = [c for c in frame.columns if c != "geometry"]
    shown = frame.iloc[:max_rows]
    spec = []
    for c in cols:
        zh, en = headers.get(c, (c, c))
        sample = shown[c].head(200).astype(str).str.len().max() if len(shown) else 0
        width = int(min(max(len(zh) * 2 + 2, len(en) + 2, (sample or 0) + 2, 8), 50))
        spec.append((zh, en, c, width))
    _header(ws, spec, len(shown))
    for row in shown[cols].itertuples(index=False):
        ws.append([_cell_value(v) for v in row])
    if len(frame) > max_rows:
        ws.append([f"… 另有 {len(frame) - max_rows} 行 {len(frame) - max_rows} more rows: see the "
                   "CSV / GeoPackage output for the complete table"])


#: Chinese / English headers of the other sheets' columns.
COLUMN_HEADERS: Final[dict[str, tuple[str, str]]] = {
    "zone": ("区域代码", "zone code"), "zone_name": ("区域名称", "zone name"),
    "scope": ("范围", "scope"), "code": ("地类编码", "class code"),
    "level2": ("二级地类", "second-level code"), "level1": ("一级地类", "first-level code"),
    "name_zh": ("地类名称", "class name"), "sandalei": ("三大类", "three big classes"),
    "area_m2": ("面积(平方米)", "area m²"), "area_ha": ("面积(公顷)", "area ha"),
    "area_mu": ("面积(亩)", "area mu"), "check": ("检查项", "check"),
    "feature_id": ("图斑/矿权编号", "feature id"), "against_id": ("对象编号", "against id"),
    "category": ("类别", "category"),
    "status": ("性质", "legal status"), "rule": ("规则", "rule"), "basis": ("依据", "basis"),
    "rows": ("条数", "rows"), "overlap_ha": ("重叠面积(公顷)", "overlap ha"),
    "class_code": ("地类编码", "class code"), "construction_type": ("建设类型", "type"),
    "level1_code": ("一级类(公报)", "first level (bulletin)"),
    "level1_name": ("一级类名称", "first-level name"), "zone_type": ("分区", "zone type"),
    "relation": ("关系", "relation"), "overlap_m2": ("重叠面积(平方米)", "overlap m²"),
    "share": ("重叠比例", "share"), "distance_m": ("距离(米)", "distance m"),
    "stage": ("阶段", "stage"), "disposition": ("处置", "disposition"),
    "township": ("乡镇代码", "township"), "severity": ("级别", "severity"),
    "message": ("说明", "message"), "count": ("数量", "count"), "source": ("来源", "source"),
    "parcel_id": ("地块编号", "parcel id"), "idle_class": ("闲置类别", "idle class"),
    "reason": ("原因", "reason"), "key": ("项目", "item"), "value": ("内容", "value"),
}


def _township_overview(records: Sequence[Mapping[str, Any]]
                       ) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """Townships as rows, indicators as columns (values only), for side-by-side reading."""
    towns = [r for r in records if r["scope"] == "township"]
    if not towns:
        return pd.DataFrame(), {}
    frame = pd.DataFrame(towns)
    order = list(dict.fromkeys(frame["id"]))
    values = pd.to_numeric(frame["value"], errors="coerce")
    wide = frame.assign(value=values).pivot(index="zone", columns="id", values="value")
    wide = wide.reindex(columns=order).sort_index()
    names = frame[frame["zone_name"].fillna("") != ""].groupby("zone")["zone_name"].first()
    wide.insert(0, "zone_name", names.reindex(wide.index).fillna("").to_numpy())
    wide = wide.reset_index()
    wide.columns.name = None
    first = {r["id"]: r for r in towns}
    headers = {i: (f"{first[i]['name_zh']} ({first[i]['unit']})", i) for i in order}
    return wide, headers


def write_xlsx(path: str | Path, records: Sequence[Mapping[str, Any]], *,
               tables: Mapping[str, pd.DataFrame] | None = None,
               provenance: Mapping[str, Any] | None = None,
               max_rows: int = 20_000) -> Path:
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
    max_rows : int
        Longest table written to a sheet of ``tables``; longer ones end with a note row
        pointing to the complete CSV / GeoPackage (an XLSX with hundreds of thousands of
        cells takes minutes to write and is no use to a reader).

    Returns
    -------
    Path
    """
    wb = Workbook(write_only=True)  # streams rows: large detail tables stay fast
    for scope, title in SCOPE_SHEETS.items():
        subset = [r for r in records if r["scope"] == scope]
        if not subset and scope == "village":
            continue
        _indicator_sheet(wb.create_sheet(title), subset)
    wide, wide_headers = _township_overview(records)
    if len(wide):
        _frame_sheet(wb.create_sheet("乡镇对比 townships"), wide,
                     {**COLUMN_HEADERS, **wide_headers}, max_rows=max_rows)
    for title, frame in (tables or {}).items():
        _frame_sheet(wb.create_sheet(title[:31]), frame, COLUMN_HEADERS, max_rows=max_rows)
    if provenance is not None:
        items = [(k, v if isinstance(v, str | int | float) or v is None else str(v))
                 for k, v in sorted(provenance.items())]
        _frame_sheet(wb.create_sheet("说明 provenance"),
                     pd.DataFrame(items, columns=["key", "value"]), COLUMN_HEADERS,
                     max_rows=max_rows)
    path = Path(path)
    wb.save(path)
    return path
