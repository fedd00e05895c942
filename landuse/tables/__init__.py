"""The 三调 summary tables (统计汇总表) and the 主要数据公报 (docs/tables.md).

:func:`survey_tables` computes the tables from the normalised land-use frame;
:func:`write_survey_tables` writes ``survey_tables/*.csv``, ``survey_tables.xlsx``,
``bulletin.md`` and ``bulletin.docx``.
"""

from landuse.tables.survey import TABLE_NAMES, SurveyTables, survey_tables

__all__ = ["TABLE_NAMES", "SurveyTables", "survey_tables"]
