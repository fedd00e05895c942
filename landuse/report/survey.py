"""Writers of the survey tables: ``survey_tables/*.csv``, ``survey_tables.xlsx``, the bulletin.

:func:`survey_writers` returns file name → writer (a function of the output folder), the
form :func:`landuse.report.outputs.write_atomic` takes, so ``landuse run`` and
``landuse tables`` write the same files the same atomic way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from landuse.report.bulletin import bulletin, write_bulletin_docx, write_bulletin_md
from landuse.report.document import write_csv
from landuse.report.survey_xlsx import write_survey_xlsx
from landuse.tables import TABLE_NAMES, SurveyTables

__all__ = ["SURVEY_FILES", "survey_writers"]

#: every file the survey tables can produce (relative to the output folder)
SURVEY_FILES: Final = (*(f"survey_tables/{n}.csv" for n in TABLE_NAMES), "survey_tables.xlsx",
                       "bulletin.md", "bulletin.docx")


def survey_writers(st: SurveyTables, *, year: int | None = None
                   ) -> dict[str, Callable[[Path], object]]:
    """File name → writer for the tables present in ``st``."""
    writers: dict[str, Callable[[Path], object]] = {}
    for name, frame in st.tables.items():
        def csv(d: Path, frame=frame, name=name) -> Path:
            (d / "survey_tables").mkdir(exist_ok=True)
            return write_csv(frame, d / "survey_tables" / f"{name}.csv")
        writers[f"survey_tables/{name}.csv"] = csv
    writers["survey_tables.xlsx"] = lambda d: write_survey_xlsx(
        d / "survey_tables.xlsx", st.tables, county_name=st.county_name)
    doc = bulletin(st.tables, county_name=st.county_name or st.county, year=year)
    writers["bulletin.md"] = lambda d: write_bulletin_md(doc, d / "bulletin.md")
    writers["bulletin.docx"] = lambda d: write_bulletin_docx(doc, d / "bulletin.docx")
    return writers
