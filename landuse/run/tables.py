"""``landuse tables``: the survey tables alone (issue #18), from a county config.

Reads only what the tables need (the land-use layer and, when configured, the township
layer), assigns the townships by the config's one policy (``[options] township``, as the
annual run does), computes :func:`landuse.tables.survey_tables` and writes the same files a
full run writes (``survey_tables/``, ``survey_tables.xlsx``, ``bulletin.md``,
``bulletin.docx``), atomically.
"""

from __future__ import annotations

from pathlib import Path

from landuse.config import Config, load_config
from landuse.county import assign_townships
from landuse.errors import ConfigError
from landuse.findings import Finding, get_findings
from landuse.report.outputs import output_lock, write_atomic
from landuse.report.survey import SURVEY_FILES, survey_writers
from landuse.run.inputs import _read_layer, capture
from landuse.run.steps import dedupe
from landuse.tables import SurveyTables, survey_tables

__all__ = ["run_tables"]


def run_tables(config: str | Path | Config, *, out: str | Path | None = None,
               villages: bool = False) -> SurveyTables:
    """Compute the survey tables of a county config; write them into ``out`` when given.

    Returns
    -------
    SurveyTables
        The tables and every finding (the readers', the township policy's, the tables').

    Raises
    ------
    ConfigError
        A region config (the tables are per county).
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    if cfg.is_region:
        raise ConfigError(f"{cfg.source}: a region config; `landuse tables` takes one county's "
                          "config (run it per county, or `landuse run` for the region)")
    findings: list[Finding] = []
    lu = capture(findings, lambda: _read_layer(cfg.layers["landuse"], cfg.options.working_crs))
    towns = None
    if "townships" in cfg.layers:
        towns = capture(findings, lambda: _read_layer(cfg.layers["townships"], lu.crs))
    before = len(get_findings(lu))  # the reader's findings are collected already
    lu = assign_townships(lu, towns, policy=cfg.options.township)  # type: ignore[arg-type]
    findings.extend(get_findings(lu)[before:])
    st = survey_tables(lu, towns, county=cfg.region.code, county_name=cfg.region.name,
                       villages=villages)
    st.findings = dedupe([*findings, *st.findings], cfg.base_dir)
    if out is not None:
        with output_lock(out) as folder:  # one run at a time into one --out
            write_atomic(survey_writers(st, year=cfg.region.year), folder, stale=SURVEY_FILES)
    return st
