"""The annual run (docs/contract.md §1, §4): one config in, every output of §3 out.

``landuse.run("config.toml")`` (or :func:`run`) reads every input once, prepares the
county once, computes and returns a :class:`RunResult`; with ``out=`` it writes the
outputs atomically. A region config (``[region] counties``) runs with :func:`run_region`:
one county run per dask task, then a roll-up by city. The package reads top-down:

- :mod:`landuse.run.inputs`: the read/prepare phase (the one :class:`~landuse.county.County`);
- :mod:`landuse.run.steps`: the computing steps on that county;
- :mod:`landuse.run.duties`: the plan's duties (farmland balance, 增减挂钩, 亩均效益,
  批而未供, TD/T 1018) on plain data, one hook from the steps;
- :mod:`landuse.run.result`: :class:`RunResult` and its violation mask;
- :mod:`landuse.run.annual`: one county's run (``run``, ``check``, ``run_redlines``);
- :mod:`landuse.run.region`: many counties on top of it (``run_region``, the city roll-up).

Examples
--------
>>> import landuse.run
>>> result = landuse.run.run("sample_data/config.toml")
>>> total = result.indicators.query("scope == 'county'").set_index("id").loc["total_area"]
>>> print(f"{total['value']:.1f} {total['unit']}")
50900.0 ha
>>> result.to_json("indicators.json").name
'indicators.json'
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

from landuse.config import Config, load_config
from landuse.findings import Finding
from landuse.run import annual
from landuse.run.annual import compute, run, run_redlines
from landuse.run.inputs import Inputs, Progress, read_inputs
from landuse.run.region import RegionResult, check_region
from landuse.run.region import run_region as _run_region
from landuse.run.result import RunResult, violations

__all__ = ["Inputs", "Progress", "RegionResult", "RunResult", "check", "compute",
           "read_inputs", "run", "run_redlines", "run_region", "violations"]


def check(config: str | Path | Config, *, progress: Progress | None = None) -> list[Finding]:
    """Validate the config and read every input (schema, CRS, codes, geometry); write nothing.

    A region config checks every county in turn.

    Returns
    -------
    list of Finding
        The data-quality findings of the readers (errors raise instead).
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    if cfg.is_region:
        return check_region(cfg, progress=progress)
    return annual.check(cfg, progress=progress)


def run_region(config: str | Path | Config, *, out: str | Path,
               year: int | None = None) -> Any:
    """Run a region config (``[region] counties``): one annual run per county, on dask.

    Each county is the config's template (every layer, table and option of the config)
    with its own land-use file and code; :func:`landuse.run.region.run_region` runs them
    on the cluster at ``[options] scheduler`` (default: an in-process cluster), writes
    ``out/<county code>/`` (every output of docs/contract.md §3, atomically per county), the city
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
    RegionResult
        ``counties`` (status per county), ``city_indicators``, ``errors``, ``out_dir``.

    Raises
    ------
    ConfigError
        The config is not a region config or is invalid (nothing is run).
    """
    cfg = annual.resolve(config, year, region=True)
    assert cfg.template is not None  # set by the config for every region config
    return _run_region(list(cfg.region.counties), out_dir=out, config=cfg.template,
                       year=cfg.region.year, client=cfg.options.scheduler)


class _CallableModule(types.ModuleType):
    """The module ``landuse.run``, callable as :func:`run` (docs/contract.md §4).

    ``landuse.run("config.toml")`` runs, while ``landuse.run.run``, ``RunResult`` and the
    rest stay importable from the module (no name shadows the module).
    """

    def __call__(self, config: str | Path | Config, *, out: str | Path | None = None,
                 year: int | None = None, progress: Progress | None = None) -> RunResult:
        return run(config, out=out, year=year, progress=progress)


sys.modules[__name__].__class__ = _CallableModule
