"""A region (city or province): one annual run per county, then a roll-up by city.

:func:`run_region` runs :func:`landuse.run.annual.run` for every county on a
dask.distributed cluster (the executor :func:`landuse.dask.region.run_tasks`: the
scheduler places and retries the tasks), writes one output set per county into
``out_dir/<county code>/``, keeps going when a county's input is bad (the error is
reported in ``region_errors.json``, the other counties finish), and rolls the county
indicators up by city (``city_indicators.csv``):

- additive indicators (``additive = 1`` in ``landuse/rules/indicators.csv``): Σ of the
  county values;
- ratios: recomputed from the summed components named in the registry
  (``rollup_numerator``, ``rollup_denominator``, ``rollup_factor``), never averaged;
- changes against a base or previous year (单位GDP建设用地下降率, the two elasticities):
  recomputed from the summed two-year components (:data:`ROLLUP_CHANGES`) when every
  county has them on the same price basis and base year;
- other indicators: ``not_computable`` at city level, with the reason.

The city code is the county code's first four digits + ``"00"`` (GB/T 2260). The region
orchestration sits on top of the county run; dask only executes it.
"""

from __future__ import annotations

import json
import math
import time
import tomllib
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from landuse._config_region import county_sources
from landuse.config import Config, load_config, parse_config
from landuse.errors import ConfigError, LanduseError
from landuse.findings import Finding
from landuse.indicators.registry import registry
from landuse.run.annual import check, run

if TYPE_CHECKING:
    import distributed

__all__ = ["ROLLUP_CHANGES", "RegionResult", "check_region", "city_rollup", "run_region"]

#: change ids rolled up from summed two-year components: id -> (land now, land before,
#: driver now, driver before) (the GDP elasticity inverted: (ΣG/ΣG₀ − 1) / (ΣL/ΣL₀ − 1),
#: TD/T 1018); decline = 100 × (1 − (ΣL/ΣD) / (ΣL₀/ΣD₀)), elasticity =
#: (ΣL/ΣL₀ − 1) / (ΣD/ΣD₀ − 1). Counties must share the price basis (and base year).
ROLLUP_CHANGES: dict[str, tuple[str, str, str, str]] = {
    "construction_land_per_gdp_decline": (
        "construction_land_ha", "construction_land_base_ha", "gdp_10k_yuan",
        "gdp_base_10k_yuan"),
    "construction_land_population_elasticity": (
        "land_current_ha", "land_previous_ha", "population_current", "population_previous"),
    "construction_land_gdp_elasticity": (
        "land_current_ha", "land_previous_ha", "gdp_current", "gdp_previous"),
}


@dataclass
class RegionResult:
    """What :func:`run_region` did.

    Attributes
    ----------
    counties : DataFrame
        One row per county: ``code``, ``city``, ``source``, ``status`` (``ok`` / ``error``),
        ``error_kind`` (``input`` for a :class:`~landuse.errors.LanduseError`, else
        ``internal``), ``message``, ``out`` (its output folder), ``seconds`` (wall) and
        ``cpu_seconds`` (CPU time of the worker process during the run).
    city_indicators : DataFrame
        The roll-up rows: ``id, name_zh, scope ("city"), zone, value, unit, counties,
        components, status, reason``.
    errors : list of dict
        The failed counties (also in ``region_errors.json``).
    out_dir : Path
    """

    counties: pd.DataFrame
    city_indicators: pd.DataFrame
    errors: list[dict[str, Any]]
    out_dir: Path


def _template(config: str | Path | Mapping[str, Any] | None) -> tuple[dict[str, Any], Path]:
    if config is None:
        return {}, Path.cwd() / "region.toml"
    if isinstance(config, Mapping):
        return dict(config), Path.cwd() / "region.toml"
    path = Path(config).resolve()
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh), path
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"region config template {path} cannot be read as TOML: {exc}; "
                          "give a config like docs/contract.md §2 (its [layers.landuse] is "
                          "replaced "
                          "per county)") from None


def _county_config(template: dict[str, Any], code: str, source: Path,
                   year: int | None) -> dict[str, Any]:
    data = json.loads(json.dumps(template, default=str))  # deep copy of plain TOML data
    region = dict(data.get("region", {}))
    region["code"] = code
    same = code == template.get("region", {}).get("code")
    region["name"] = region.get("name", code) if same else code
    if year is not None:
        region["year"] = year
    data["region"] = region
    layers = dict(data.get("layers", {}))
    lu = dict(layers.get("landuse", {}))
    lu["path"] = str(source.resolve())
    if source.suffix.lower() in (".parquet", ".geoparquet", ".shp", ".zip", ".fgb",
                                 ".geojson"):
        lu.pop("layer", None)
    layers["landuse"] = lu
    data["layers"] = layers
    return data


def _run_county(code: str, source: str, data: dict[str, Any] | None, template_path: str,
                out: str, year: int | None) -> dict[str, Any]:
    """Run one county (on a worker); never raises: the outcome is the returned record."""
    t0, c0 = time.perf_counter(), time.process_time()
    record: dict[str, Any] = {"code": code, "city": code[:4] + "00" if code else "",
                              "source": source, "out": out, "status": "ok",
                              "error_kind": "", "message": "", "rows": []}
    try:
        if data is None:
            cfg = load_config(source)
            if year is not None:
                cfg = cfg.with_year(year)
            record["code"] = cfg.region.code
            record["city"] = cfg.region.code[:4] + "00"
        else:
            if not code:
                raise ConfigError(f"{source}: no county code; name the file after its 6-digit "
                                  "code (e.g. 370321.parquet) or pass counties as a mapping "
                                  "{code: file}")
            cfg = parse_config(data, template_path)
        result = run(cfg, out=out)
        rows = result.indicators
        rows = rows[rows["scope"] == "county"] if len(rows) else rows
        record["rows"] = json.loads(rows.to_json(orient="records", force_ascii=False))
    except LanduseError as exc:  # bad input or config: reported, the other counties go on
        record.update(status="error", error_kind="input", message=str(exc))
    except Exception as exc:  # an internal error in one county must not stop the region
        record.update(status="error", error_kind="internal",
                      message=f"{type(exc).__name__}: {exc}",
                      traceback=traceback.format_exc())
    record["seconds"] = time.perf_counter() - t0
    record["cpu_seconds"] = time.process_time() - c0  # the worker process's CPU time
    return record


def run_region(
    counties: str | Path | Sequence[str | Path] | Mapping[str, str | Path],
    *,
    out_dir: str | Path,
    config: str | Path | Mapping[str, Any] | None = None,
    year: int | None = None,
    client: distributed.Client | str | None = None,
) -> RegionResult:
    """Run the annual computation for every county of a region and roll it up by city.

    Parameters
    ----------
    counties : folder, sequence of files or mapping {code: file}
        One land-use file per county (GeoParquet, GPKG, Shapefile ...; see
        :func:`county_sources`), or a county's own config (``.toml``, used as it is).
    out_dir : path
        ``<out_dir>/<code>/`` receives each county's outputs (docs/contract.md §3);
        ``region_summary.json``, ``region_errors.json`` and ``city_indicators.csv`` the
        region's.
    config : TOML path or mapping, optional
        Template config (docs/contract.md §2) for every county file: ``[layers.landuse]`` path is
        replaced by the county file and ``[region] code`` by the county code; other layers
        and tables (province-wide redline layer, a socio-economic table listing every
        county) apply to all. Relative paths are relative to the template file (for a
        mapping: to the current folder). ``None``: only the land-use layer; the report
        year from ``year``.
    year : int, optional
        Report year (overrides the template's ``[region] year``).
    client : distributed.Client or str, optional
        A client, a scheduler address (``"tcp://host:8786"``), or ``None`` for the current
        client or else an in-process cluster.

    Returns
    -------
    RegionResult
    """
    from landuse.dask.region import run_tasks  # the optional extra: the executor

    template, template_path = _template(config)
    if year is None and "year" not in template.get("region", {}):
        raise ConfigError("run_region: no report year; pass year= or set [region] year in "
                          "the template config")
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    calls: list[tuple[str, tuple[Any, ...]]] = []
    where: list[tuple[str, Path, Path]] = []
    for code, src in county_sources(counties):
        data = None if src.suffix.lower() == ".toml" else _county_config(
            template, code, src, year)
        target = out / (code or src.stem)
        calls.append((f"county-{len(calls)}-{src.name}",
                      (code, str(src), data, str(template_path), str(target), year)))
        where.append((code, src, target))
    outcomes = run_tasks(_run_county, calls, client=client)
    records = [_outcome(outcome, *place) for outcome, place in zip(outcomes, where,
                                                                   strict=True)]
    records.sort(key=lambda r: (r["code"], r["source"]))
    return _write_region(out, records)


def _outcome(outcome: Any, code: str, src: Path, target: Path) -> dict[str, Any]:
    """Return the county's record, or an internal-error record if its task was lost.

    ``_run_county`` never raises; a task fails only when the cluster loses it (a worker
    killed, e.g. out of memory, more often than ``distributed.scheduler.allowed-failures``):
    the executor then hands back the exception.
    """
    if not isinstance(outcome, BaseException):
        return dict(outcome)
    exc = outcome
    if True:  # the cluster lost the task: report the county, keep the rest
        return {"code": code, "city": code[:4] + "00" if code else "", "source": str(src),
                "out": str(target), "status": "error", "error_kind": "internal",
                "message": f"the cluster could not run this county: {type(exc).__name__}: "
                           f"{exc}", "rows": [], "seconds": float("nan"),
                "cpu_seconds": float("nan")}


def _write_region(out: Path, records: list[dict[str, Any]]) -> RegionResult:
    fields = ("code", "source", "error_kind", "message", "traceback")
    errors: list[dict[str, Any]] = [{k: r[k] for k in fields if k in r}
                                    for r in records if r["status"] != "ok"]
    rows = [row for r in records if r["status"] == "ok" for row in r["rows"]]
    cities = city_rollup(pd.DataFrame(rows))
    cols = ["code", "city", "source", "status", "error_kind", "message", "out", "seconds",
            "cpu_seconds"]
    table = pd.DataFrame([{c: r.get(c, "") for c in cols} for r in records], columns=cols)
    summary = {
        "schema": "landuse/region@1",
        "counties": table.to_dict(orient="records"),
        "ok": int((table["status"] == "ok").sum()), "failed": len(errors),
        "cities": sorted({r["city"] for r in records if r["city"]}),
    }
    (out / "region_summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    (out / "region_errors.json").write_text(
        json.dumps(errors, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    csv = cities.assign(components=cities["components"].map(
        lambda c: json.dumps(c, ensure_ascii=False, sort_keys=True)))
    csv.to_csv(out / "city_indicators.csv", index=False, encoding="utf-8")
    return RegionResult(counties=table, city_indicators=cities, errors=errors, out_dir=out)


def _number(v: Any) -> float | None:
    if v is None or isinstance(v, bool | str):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def city_rollup(county_rows: pd.DataFrame) -> pd.DataFrame:
    """Roll county indicator rows up by city (county code[:4] + "00").

    Additive ids: value = Σ county values (ha, count); ratio ids (with the registry's
    ``rollup_*`` columns): value = factor × Σ numerator / Σ denominator over the counties'
    components (e.g. development intensity = 100 × Σ construction land / Σ total area);
    a city value is ``not_computable`` when a county's value or component is missing,
    or the summed denominator is not positive. Other ids are ``not_computable``.

    Parameters
    ----------
    county_rows : DataFrame
        Contract §3.1 rows with ``scope == "county"`` (``id``, ``zone``, ``value``,
        ``components``), from several counties.

    Returns
    -------
    DataFrame
        ``id, name_zh, scope, zone, value, unit, counties, components, status, reason``,
        by city code, then registry order.
    """
    cols = ["id", "name_zh", "scope", "zone", "value", "unit", "counties", "components",
            "status", "reason"]
    if county_rows.empty:
        return pd.DataFrame(columns=cols)
    reg = registry()
    rows = county_rows[county_rows["scope"] == "county"]
    records = []
    for (city, iid), grp in rows.groupby([rows["zone"].astype(str).str[:4] + "00", "id"],
                                         sort=True):
        entry = reg.loc[iid] if iid in reg.index else None
        zones = sorted(grp["zone"].astype(str))
        value, comps, reason = _rollup_one(iid, grp, entry)
        records.append({
            "id": iid, "name_zh": entry["name_zh"] if entry is not None else "",
            "scope": "city", "zone": city, "value": value,
            "unit": entry["unit"] if entry is not None else "", "counties": ",".join(zones),
            "components": comps, "status": "no_target" if value is not None
            else "not_computable", "reason": reason,
            "_o": int(entry["order"]) if entry is not None else 10**6})
    out = pd.DataFrame(records).sort_values(["zone", "_o"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)[cols]


def _rollup_change(iid: str, grp: pd.DataFrame) -> tuple[float | None, dict, str | None]:
    """Roll a change id up from the counties' two-year components (:data:`ROLLUP_CHANGES`)."""
    keys = ROLLUP_CHANGES[iid]
    comps_list = [c or {} for c in grp["components"]]
    lacking = [str(z) for z, c in zip(grp["zone"], comps_list, strict=True)
               if any(_number(c.get(k)) is None for k in keys)]
    sums = {k: sum(_number(c.get(k)) or 0.0 for c in comps_list) for k in keys}
    if lacking:
        return None, sums, (f"county {', '.join(lacking)} lacks one of the components "
                            f"{', '.join(keys)}, so the city value cannot be formed")
    out: dict[str, Any] = dict(sums)
    for label in ("price_basis", "base_year"):
        seen = {str(c.get(label)) for c in comps_list if c.get(label) not in (None, "")}
        if len(seen) > 1:
            return None, sums, (f"the counties differ in {label} ({', '.join(sorted(seen))}): "
                                "their figures cannot be added into one city value")
        if seen:
            out[label] = seen.pop()
    land, land0, drv, drv0 = (sums[k] for k in keys)
    if min(land0, drv0, drv) <= 0:
        return None, out, (f"a summed base value of the city is not positive "
                           f"({keys[1]} {land0}, {keys[3]} {drv0}, {keys[2]} {drv})")
    if iid == "construction_land_per_gdp_decline":
        return 100.0 * (1.0 - (land / drv) / (land0 / drv0)), out, None
    if iid == "construction_land_gdp_elasticity":  # EEI = GDP growth / land growth (TD/T 1018)
        if land == land0:
            return None, out, "the city's construction land did not change"
        return (drv / drv0 - 1.0) / (land / land0 - 1.0), out, None
    if drv == drv0:
        return None, out, f"the city's {keys[2].rsplit('_', 1)[0]} did not change"
    return (land / land0 - 1.0) / (drv / drv0 - 1.0), out, None


def _rollup_one(iid: str, grp: pd.DataFrame, entry: Any) -> tuple[float | None, dict, str | None]:
    values = [_number(v) for v in grp["value"]]
    comps: dict[str, float] = {}
    for c in grp["components"]:
        for k, v in (c or {}).items():
            n = _number(v)
            if n is not None:
                comps[k] = comps.get(k, 0.0) + n
    missing = [z for z, v in zip(grp["zone"], values, strict=True) if v is None]
    if entry is not None and str(entry["additive"]) == "1":
        if missing:
            return None, comps, f"not computable for county {', '.join(map(str, missing))}"
        return float(sum(v for v in values if v is not None)), comps, None
    if iid in ROLLUP_CHANGES:
        return _rollup_change(iid, grp)
    if entry is None or not str(entry.get("rollup_numerator", "")):
        return None, comps, f"{iid} has no city roll-up rule (not additive, not a ratio of " \
                            "summed components)"
    # the registry names the ratio's components and its unit factor (one place)
    num, den = str(entry["rollup_numerator"]), str(entry["rollup_denominator"])
    factor = float(entry["rollup_factor"])
    lacking = [str(z) for z, c in zip(grp["zone"], grp["components"], strict=True)
               if _number((c or {}).get(num)) is None or _number((c or {}).get(den)) is None]
    if lacking:
        return None, comps, (f"county {', '.join(lacking)} lacks the component {num} or "
                             f"{den}, so the city ratio cannot be formed")
    if comps[den] <= 0:
        return None, comps, f"the summed {den} of the city is {comps[den]}, not positive"
    return factor * comps[num] / comps[den], {num: comps[num], den: comps[den]}, None


def check_region(cfg: Config, *, progress: Any = None) -> list[Finding]:
    """Check every county of a region config in turn (in-process, no cluster)."""
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
