"""The annual run (contract §1, §4): one config in, every output of §3 out.

``run(config)`` validates the config as a whole, reads every input into one working CRS
(the land-use layer's projected CRS, or ``options.working_crs``), computes the indicators,
the supply/idle figures and the redline checks, applies the targets and returns a
:class:`RunResult`; with ``out=`` it also writes the outputs atomically
(:func:`landuse.report.outputs.write_outputs`). A region config (``[region] counties``)
runs with :func:`run_region`, one county per dask task.

The work is split into readable parts: :mod:`landuse._run_inputs` (reading),
:mod:`landuse._run_steps` (computing), :mod:`landuse._run_result` (the result); this
module holds the entry points.

Examples
--------
>>> import landuse.run
>>> result = landuse.run.run("sample_data/config.toml")  # doctest: +SKIP
>>> result.indicators.query("scope == 'county'")[["id", "value", "status"]]  # doctest: +SKIP
>>> result.to_json("indicators.json")  # doctest: +SKIP
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd

from landuse._run_inputs import Inputs, Progress, read_inputs, stepper
from landuse._run_result import RunResult, violations
from landuse._run_steps import (
    apply_targets,
    change_outputs,
    dedupe,
    duty_parts,
    indicator_rows,
    mining_rows,
    provenance,
    redline_frames,
    supply_rows,
    township_zones,
    validate_targets,
)
from landuse.config import Config, load_config
from landuse.errors import ConfigError, LanduseError
from landuse.findings import Finding

__all__ = ["Inputs", "Progress", "RunResult", "check", "compute", "read_inputs", "run",
           "run_redlines", "run_region", "violations"]

_COMPUTE_STEPS = 5


def compute(cfg: Config, inputs: Inputs, *, progress: Progress | None = None,
            only_redlines: bool = False) -> RunResult:
    """Compute every result of the run from inputs already read (see :func:`read_inputs`)."""
    from landuse.indicators.classes import class_areas
    from landuse.redlines.output import redline_layers, redline_table
    from landuse.rules import load_rules

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
    zones = None
    duties: dict[str, pd.DataFrame] = {}
    duty_layers: dict[str, Any] = {}
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
        # issue 19: the plan's remaining duties, one hook (landuse._run_duties)
        duty_rows, duties, duty_layers = duty_parts(cfg, inputs, rules, findings, flows,
                                                    parts)
        parts.append(duty_rows)
        rows = apply_targets(cfg, pd.concat([p for p in parts if len(p)], ignore_index=True))
        step("地类面积 class areas")
        areas = class_areas(inputs.landuse, by="township", rules=rules)
        zones = township_zones(inputs)
    clean = dedupe([*inputs.findings, *findings], cfg.base_dir)
    return RunResult(
        config=cfg, indicators=rows, class_areas=areas, redlines=table, redline_layers=layers,
        findings=clean, provenance=provenance(cfg, inputs, clean, rules.label), zones=zones,
        idle_parcels=idle, transitions=transitions, landcover_areas=landcover,
        protected=inputs.layers.get("protected_areas"), rights=inputs.layers.get("mining_rights"),
        duties=duties, duty_layers=duty_layers)


def _resolve(config: str | Path | Config, year: int | None, *,
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
        The TOML config (contract §2) or an already loaded :class:`~landuse.config.Config`.
    out : str or Path, optional
        When given, every output of contract §3 is written there atomically: into a
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
    cfg = _resolve(config, year)
    n_read = 1 + len(cfg.layers) - 1 + len(cfg.tables)
    total = n_read + _COMPUTE_STEPS + 1
    inputs = read_inputs(cfg, progress=_shifted(progress, 0, total))
    result = compute(cfg, inputs, progress=_shifted(progress, n_read, total))
    if out is not None:
        if progress is not None:
            progress("写出 writing outputs", total - 1, total)
        result.write(out)
    if progress is not None:
        progress("完成 done", total, total)
    return result


def run_region(config: str | Path | Config, *, out: str | Path,
               year: int | None = None) -> Any:
    """Run a region config (``[region] counties``): one annual run per county, on dask.

    Each county is the config's template (every layer, table and option of the config)
    with its own land-use file and code; :func:`landuse.dask.region.run_region` runs them
    on the cluster at ``[options] scheduler`` (default: an in-process cluster), writes
    ``out/<county code>/`` (every output of contract §3, atomically per county), the city
    roll-up ``city_indicators.csv``, ``region_summary.json`` and ``region_errors.json``. A
    county with bad input is reported there; the others are still written.

    Parameters
    ----------
    config : str, Path or Config
        A config with ``[region] counties``.
    out : str or Path
        The region's output folder.
    year : int, optional
        Report year, overriding ``region.year``.

    Returns
    -------
    landuse.dask.region.RegionResult
        ``counties`` (status per county), ``city_indicators``, ``errors``, ``out_dir``.

    Raises
    ------
    ConfigError
        The config is not a region config or is invalid (nothing is run).
    """
    from landuse.dask.region import run_region as run_region_

    cfg = _resolve(config, year, region=True)
    assert cfg.template is not None  # set by the config for every region config
    return run_region_(list(cfg.region.counties), out_dir=out, config=cfg.template,
                       year=cfg.region.year, client=cfg.options.scheduler)


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
    cfg = _resolve(config, None)
    inputs = read_inputs(cfg, progress=progress)
    result = compute(cfg, inputs, progress=progress, only_redlines=True)
    if out is not None:
        from landuse.report.outputs import write_outputs

        write_outputs(result, out, only=("redlines.gpkg", "redlines.csv"))
    return result


def check(config: str | Path | Config, *, progress: Progress | None = None) -> list[Finding]:
    """Validate the config and read every input (schema, CRS, codes, geometry); write nothing.

    Returns
    -------
    list of Finding
        The data-quality findings of the readers (errors raise instead).
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    if cfg.is_region:
        return _check_region(cfg, progress=progress)
    inputs = read_inputs(cfg, progress=progress)
    validate_targets(cfg)
    return dedupe(inputs.findings, cfg.base_dir)


def _check_region(cfg: Config, *, progress: Progress | None) -> list[Finding]:
    """Check every county of a region config in turn (in-process, no cluster)."""
    from landuse.config import parse_config
    from landuse.dask.region import _county_config, county_sources

    assert cfg.template is not None
    findings: list[Finding] = []
    for code, src in county_sources(list(cfg.region.counties)):
        try:
            county = load_config(src) if src.suffix.lower() == ".toml" else parse_config(
                _county_config(cfg.template, code, src, None), cfg.source)
            findings.extend(check(county, progress=progress))
        except LanduseError as exc:  # name the county; same class, same exit code
            raise type(exc)(f"county {code or src.name} ({src}): {exc}") from None
    return findings


class _CallableModule(types.ModuleType):
    """The module ``landuse.run``, callable as :func:`run` (contract §4).

    ``landuse.run("config.toml")`` runs, while ``landuse.run.run``, ``RunResult`` and the
    rest stay importable from the module (no name shadows the module).
    """

    def __call__(self, config: str | Path | Config, *, out: str | Path | None = None,
                 year: int | None = None, progress: Progress | None = None) -> RunResult:
        return run(config, out=out, year=year, progress=progress)


sys.modules[__name__].__class__ = _CallableModule
