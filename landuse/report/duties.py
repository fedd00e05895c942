"""Titles and small views of the duty tables (issue 19) for the workbook and the report.

The tables themselves come from :mod:`landuse.run.duties`; writers take them as plain
frames (``RunResult.duties``). This module only names them (Chinese first, English beside)
and cuts the views the HTML report shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

__all__ = ["DUTY_TITLES", "duty_views"]

#: output name -> (Chinese title, English title); "zh en" fits an Excel sheet name (31)
DUTY_TITLES: Final = {
    "evaluation": ("节约集约利用评价", "TD/T 1018 evaluation"),
    "farmland_balance": ("耕地进出", "farmland flows"),
    "farmland_supplement_balance": ("耕地占补平衡", "supplement balance"),
    "farmland_grades": ("耕地质量等别", "farmland by grade"),
    "linkage_projects": ("增减挂钩项目", "linkage projects"),
    "linkage_survey_check": ("增减挂钩与变更调查", "linkage vs survey"),
    "enterprise_performance": ("亩均效益", "land performance"),
    "unsupplied_by_age": ("批而未供", "unsupplied by batch age"),
    "idle_disposal": ("闲置土地处置", "idle land disposal"),
}
_MAX_ROWS: Final = 40


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return str(v)


def duty_views(duties: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Per duty table: ``title``, ``title_en``, ``columns`` and up to 40 rows of text.

    County rows (6-digit ``zone``) come first where the table has zones; the count of rows
    left out is given as ``more``.
    """
    views = []
    for name, (zh, en) in DUTY_TITLES.items():
        frame = duties.get(name)
        if frame is None or frame.empty:
            continue
        f = frame
        if "zone" in f.columns:
            f = f.assign(_s=f["zone"].astype(str).str.len()).sort_values(
                "_s", kind="stable").drop(columns="_s")
        shown = f.head(_MAX_ROWS)
        views.append({"title": zh, "title_en": en, "columns": [str(c) for c in shown.columns],
                      "rows": [[_text(v) for v in row] for row in shown.itertuples(index=False)],
                      "more": max(len(f) - _MAX_ROWS, 0)})
    return views
