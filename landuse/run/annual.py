"""The annual run of one county (docs/contract.md §1, §4): read, prepare, compute, write.

``run(config)`` validates the config as a whole, reads every input once into one working
CRS and prepares the county once (:mod:`landuse.run.inputs`), computes the indicators,
the supply/idle figures and the redline checks from it (:mod:`landuse.run.steps`),
applies the targets and returns a :class:`~landuse.run.result.RunResult`; with ``out=``
it also writes the outputs atomically (:func:`landuse.report.outputs.write_outputs`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import geopandas as gpd
import pandas as pd

from landuse.config import Config, load_config
from landuse.errors import ConfigError
from landuse.findings import Finding
from landuse.indicators.classes import class_areas
from landuse.indicators.registry import sort_rows
from landuse.redlines.output import redline_layers, redline_table
from landuse.report.outputs import output_lock, write_outputs
from landuse.rules import load_rules
from landuse.run.inputs import Inputs, Progress, read_inputs, stepper
from landuse.run.result import RunResult, violations
from landuse.run.steps import (
    apply_targets,
    change_outputs,
    dedupe,
    duty_parts,
    indicator_rows,
    mining_rows,
    provenance,
    redline_frames,
    supply_rows,
    survey_step,
    township_zones,
)

__all__ = ["Inputs", "Progress", "RunResult", "check", "compute", "read_inputs", "run",
           "run_redlines", "violations"]

_COMPUTE_STEPS = 5


def compute(cfg: Config, inputs: Inputs, *, progress: Progress | None = None,
            only_redlines: bool = False) -> RunResult:
    """Compute every result of the run from inputs already read (see :func:`read_inputs`)."""
    rules = load_rules(cfg.rules)
    findings: list[Finding] = []
    step = stepper(progress, _COMPUTE_STEPS)
    step("红线检查 redline checks")
    frames = redline_frames(cfg, inputs, rules, findings)
    table = redline_table(frames)
    layers = redline_layers(frames) if frames else {}
    rows = pd.DataFrame()
    areas = pd.DataFrame()
    idle = transitions = landcover = None
    zones = survey = None
    duties: dict[str, pd.DataFrame] = {}
    duty_layers: dict[str, gpd.GeoDataFrame] = {}
    if not only_redlines:
        step("指标 indicators")
        parts = [indicator_rows(cfg, inputs, rules, findings), mining_rows(cfg, inputs, frames)]
        step("供地与闲置 land supply and idle land")
        supply, idle = supply_rows(cfg, inputs, findings)
        parts.append(supply)
        step("变化与地表覆盖 change and land cover")
        change_rows, transitions, landcover, flows = change_outputs(cfg, inputs, rules,
                                                                    findings)
        parts.append(change_rows)
        # issue 19: the plan's remaining duties, one hook (landuse.run.duties)
        duty_rows, duties, duty_layers = duty_parts(cfg, inputs, rules, findings, flows,
                                                    parts)
        parts.append(duty_rows)
        rows = sort_rows(apply_targets(
            cfg, pd.concat([p for p in parts if len(p)], ignore_index=True), inputs.targets))
        step("地类面积 class areas")
        assert inputs.prepared is not None
        areas = class_areas(inputs.prepared, by="township", rules=rules)
        zones = township_zones(inputs)
        survey = survey_step(cfg, inputs, findings)  # from the prepared county
    clean = dedupe([*inputs.findings, *findings], cfg.base_dir)
    return RunResult(
        config=cfg, indicators=rows, class_areas=areas, redlines=table, redline_layers=layers,
        findings=clean, provenance=provenance(cfg, inputs, clean, rules.label), zones=zones,
        idle_parcels=idle, transitions=transitions, landcover_areas=landcover,
        protected=inputs.layers.get("protected_areas"), rights=inputs.layers.get("mining_rights"),
        input_findings=min(len(clean), len(dedupe(inputs.findings, cfg.base_dir))),
        survey=survey, duties=duties, duty_layers=duty_layers)


def resolve(config: str | Path | Config, year: int | None, *,
            region: bool = False) -> Config:
    """Load the config; a region config only where ``region`` (and only there)."""
    cfg = config if isinstance(config, Config) else load_config(config)
    if cfg.is_region and not region:
        raise ConfigError(
            f"{cfg.source}: [region] counties lists {len(cfg.region.counties)} counties: this "
            "is a region config. Run it with `landuse run CONFIG --out DIR` or "
            "landuse.run.run_region(config, out=DIR) (one output set per county); for one "
            "county remove counties and give [layers.landuse] path")
    if region and not cfg.is_region:
        raise ConfigError(f"{cfg.source}: no [region] counties: not a region config; run "
                          "it with landuse.run.run(config)")
    return cfg.with_year(year) if year is not None else cfg


def run(config: str | Path | Config, *, out: str | Path | None = None, year: int | None = None,
        progress: Progress | None = None) -> RunResult:
    """Run every computation of the annual report for one county.

    Parameters
    ----------
    config : str, Path or Config
        The TOML config (docs/contract.md §2) or an already loaded :class:`~landuse.config.Config`.
    out : str or Path, optional
        When given, every output of docs/contract.md §3 is written there atomically: into a
        temporary folder next to it, moved into place only when everything succeeded.
    year : int, optional
        Report year, overriding ``region.year`` (``--year``).
    progress : callable, optional
        ``progress(step, done, total)`` before each step (the CLI draws a bar with it).

    Returns
    -------
    RunResult

    Raises
    ------
    ConfigError, InputFileError, SchemaError, CRSError, GeometryError
        Bad config or input; nothing is written.
    """
    cfg = resolve(config, year)
    with _holding(out):
        n_read = 1 + len(cfg.layers) - 1 + len(cfg.tables)
        total = n_read + _COMPUTE_STEPS + 1
        inputs = read_inputs(cfg, progress=_shifted(progress, 0, total))
        result = compute(cfg, inputs, progress=_shifted(progress, n_read, total))
        if out is not None:
            if progress is not None:
                progress("写出 writing outputs", total - 1, total)
            write_outputs(result.output_data(), out, lock=False)
    if progress is not None:
        progress("完成 done", total, total)
    return result


def _holding(out: str | Path | None) -> contextlib.AbstractContextManager[object]:
    """Return the output folder's lock for the whole run (none without ``out``)."""
    if out is None:
        return contextlib.nullcontext()
    return output_lock(out)


def _shifted(progress: Progress | None, start: int, total: int) -> Progress | None:
    """Map a phase's own step count onto the whole run's (one bar from 0 to ``total``)."""
    if progress is None:
        return None

    def shifted(label: str, done: int, _phase_total: int) -> None:
        progress(label, start + done, total)

    return shifted


def run_redlines(config: str | Path | Config, *, out: str | Path | None = None,
                 progress: Progress | None = None) -> RunResult:
    """Run the redline checks only (``landuse redlines``); writes redlines.gpkg/.csv."""
    cfg = resolve(config, None)
    with _holding(out):
        inputs = read_inputs(cfg, progress=progress)
        result = compute(cfg, inputs, progress=progress, only_redlines=True)
        if out is not None:
            write_outputs(result.output_data(), out, only=("redlines.gpkg", "redlines.csv"),
                          lock=False)
    return result


def check(config: str | Path | Config, *, progress: Progress | None = None) -> list[Finding]:
    """Validate the config and read every input (schema, CRS, codes, geometry); write nothing.

    Returns
    -------
    list of Finding
        The data-quality findings of the readers (errors raise instead).
    """
    cfg = resolve(config, None)
    inputs = read_inputs(cfg, progress=progress)  # parses the targets too
    return dedupe(inputs.findings, cfg.base_dir)
