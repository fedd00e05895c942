"""Writers of the annual run's outputs (docs/contract.md §3): JSON, CSV, XLSX, GPKG and HTML.

Nothing here computes indicators: the writers take the rows and tables the run assembled.
"""

from __future__ import annotations

from landuse.report.document import (
    indicators_document,
    indicators_schema,
    indicators_table,
    records_from_rows,
    validate_document,
    write_csv,
    write_json,
)
from landuse.report.html import render_html
from landuse.report.vector import write_gpkg
from landuse.report.xlsx import write_xlsx

__all__ = [
    "indicators_document",
    "indicators_schema",
    "indicators_table",
    "records_from_rows",
    "render_html",
    "validate_document",
    "write_csv",
    "write_gpkg",
    "write_json",
    "write_xlsx",
]
