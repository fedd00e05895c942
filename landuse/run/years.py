"""Cross-check of the years of a run: survey, report, previous vintage, statistics.

Part of :mod:`landuse.run` (called at the end of :func:`landuse.run.inputs.read_inputs`,
so that ``landuse check`` and ``landuse run`` judge the same way). Rules (docs/domain.md,
"Years of a run"):

- The survey year of the land-use layer is its ``SJNF`` (数据年份) field where present,
  else ``[layers.landuse] year``. Both given and different, or several SJNF years in one
  layer: exit 2. Neither given: a ``warning`` finding (the year cannot be checked).
- The report year (``region.year`` or ``--year``) must be the survey year: the annual
  report describes the survey of its own year.
- The previous vintage's year (``[layers.landuse_previous] year``, and its SJNF where
  present) must agree with each other and lie before the report year.
- The socio-economic table must hold the report year (and the previous vintage's year
  when one is given): a missing year is a ``warning`` finding naming the indicators that
  become not computable.
"""

from __future__ import annotations

from typing import Any

from landuse.config import Config
from landuse.errors import ConfigError
from landuse.findings import Finding

__all__ = ["check_years"]


def _layer_year(role: str, frame: Any, declared: int | None) -> tuple[int | None, list[str]]:
    """Return the survey year of a land-use layer and the contradictions found about it."""
    attrs = getattr(frame, "attrs", {})
    src = dict(attrs.get("source", {}) or {})
    years: dict[int, int] = dict(attrs.get("survey_years") or {})
    where = f"{src.get('path', role)}" + (f" layer {src['layer']}" if src.get("layer") else "")
    problems = []
    if len(years) > 1:
        listing = ", ".join(f"{y}: {n} patches" for y, n in sorted(years.items()))
        problems.append(f"{where}: the SJNF (数据年份) field holds several years ({listing}); one "
                        "layer must be one survey year. Give the layer of a single survey")
        return None, problems
    sjnf = next(iter(years), None)
    if sjnf is not None and declared is not None and sjnf != declared:
        problems.append(f"{where}: SJNF (数据年份) says {sjnf} but [layers.{role}] year = "
                        f"{declared}; correct the config's year (or the layer)")
    return (sjnf if sjnf is not None else declared), problems


def check_years(cfg: Config, landuse: Any, previous: Any | None,
                socio: Any | None) -> list[Finding]:
    """Cross-check the years of a run; return the findings, raise on contradictions.

    Parameters
    ----------
    cfg : Config
        The run's config (``region.year`` is the report year, ``--year`` applied).
    landuse, previous : GeoDataFrame or None
        The land-use layer and the previous vintage as read (``attrs["source"]``).
    socio : DataFrame or None
        The socio-economic table as read.

    Raises
    ------
    ConfigError
        Listing every contradiction with its fix.
    """
    report = cfg.region.year
    findings: list[Finding] = []
    problems: list[str] = []
    lu_src = cfg.layers["landuse"]
    survey, found = _layer_year("landuse", landuse, lu_src.year)
    problems += found
    if survey is not None and survey != report:
        problems.append(
            f"the report year is {report} (region.year or --year) but the land-use layer is "
            f"the {survey} survey (SJNF / [layers.landuse] year); run with --year {survey}, "
            f"or give the {report} survey in [layers.landuse] path")
    elif survey is None and not found:
        findings.append(Finding(
            "survey_year_unknown",
            f"the land-use layer {cfg.relative(lu_src.path)} has no SJNF (数据年份) field and "
            f"the config gives no [layers.landuse] year, so the report year {report} cannot "
            "be checked against the survey; add year = <survey year> to [layers.landuse]",
            1, "warning", cfg.relative(lu_src.path)))
    prev_src = cfg.layers.get("landuse_previous")
    before = None
    if prev_src is not None:
        before, found = _layer_year("landuse_previous", previous, prev_src.year)
        problems += found
        if before is not None and before >= report:
            problems.append(
                f"[layers.landuse_previous] is the {before} survey, not earlier than the "
                f"report year {report}; the previous vintage must be an earlier survey (fix "
                "its year, or give an earlier vintage)")
    if problems:
        raise ConfigError("年份矛盾 the years of the run contradict each other:\n  - "
                          + "\n  - ".join(problems))
    if socio is not None and len(socio):
        have = sorted({int(y) for y in socio["year"]})
        for year, what in ((report, "report"), (before, "previous vintage's")):
            if year is not None and year not in have:
                findings.append(Finding(
                    "socio_year_missing",
                    f"the socio-economic table has no row for the {what} year {year} (its "
                    f"years: {have}); the indicators that need that year's population or GDP "
                    f"are not computable. Add the {year} rows to the table",
                    1, "warning", str(socio.attrs.get("source", {}).get("path", ""))))
    return findings
