"""The annual run (contract §1, §4): one config in, every output of §3 out.

``run(config)`` validates the config as a whole, reads every input into one working CRS
(the land-use layer's projected CRS, or ``options.working_crs``), computes the indicators,
the supply/idle figures and the redline checks, applies the targets and returns a
:class:`RunResult`; with ``out=`` it also writes the outputs atomically
(:func:`landuse.report.outputs.write_outputs`).

Examples
--------
>>> import landuse.run
>>> result = landuse.run.run("sample_data/config.toml")  # doctest: +SKIP
>>> result.indicators.query("scope == 'county'")[["id", "value", "status"]]  # doctest: +SKIP
>>> result.to_json("indicators.json")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import sys
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import pandas as pd
import shapely

from landuse.config import Config, LayerSource, TableSource, load_config
from landuse.errors import ConfigError, LanduseError, LanduseWarning
from landuse.findings import Finding, get_findings

__all__ = ["Progress", "RunResult", "check", "run", "run_redlines", "run_region"]

log = logging.getLogger("landuse.run")

#: ``progress(step, done, total)``: called before each step and once at the end.
Progress = Callable[[str, int, int], None]
_COMPUTE_STEPS = 5


@dataclass
class RunResult:
    """Everything one annual run computed (contract §4).

    Attributes
    ----------
    config : Config
        The validated configuration.
    indicators : DataFrame
        The rows of contract §3.1 (``id``, ``name_zh``, ``scope``, ``zone``, ``zone_name``,
        ``value``, ``unit``, ``components``, ``target``, ``status``, ``reason``).
    class_areas : DataFrame
        Area by land class and zone (official rule), with the 三大类 column.
    redlines : DataFrame
        One row per redline finding (contract §3.2), without geometry.
    redline_layers : dict of str to GeoDataFrame
        ``mining_conflicts`` and ``zone_violations`` with the overlap geometry.
    findings : list of Finding
        Data-quality findings of every reader and step.
    provenance : dict
        ``provenance`` of ``indicators.json`` (``created`` is set when the run ends).
    zones : GeoDataFrame or None
        Township polygons (``zone``, ``zone_name``) in the working CRS, for the maps.
    idle_parcels, transitions, landcover_areas : optional
        Present when a ledger, a previous vintage or a land-cover raster was configured.
    protected, rights : GeoDataFrame or None
        The protected areas and mining rights as read (for the redline map).
    """

    config: Config
    indicators: pd.DataFrame
    class_areas: pd.DataFrame
    redlines: pd.DataFrame
    redline_layers: dict[str, gpd.GeoDataFrame]
    findings: list[Finding]
    provenance: dict[str, Any]
    zones: gpd.GeoDataFrame | None = None
    idle_parcels: gpd.GeoDataFrame | None = None
    transitions: pd.DataFrame | None = None
    landcover_areas: pd.DataFrame | None = None
    protected: gpd.GeoDataFrame | None = None
    rights: gpd.GeoDataFrame | None = None

    @property
    def violation_count(self) -> int:
        """Redline violations: ``inside`` rows (overlap ≥ sliver) that break a rule.

        Control-line rows count when ``relation`` is ``inside`` (or ``outside`` the urban
        boundary, for construction not allowed there); mining rows only when their
        disposition is ``withdraw`` or ``refuse`` (the category or zone prohibits mining).
        """
        return int(violations(self.redlines).sum())

    def document(self) -> dict[str, Any]:
        """Return the ``indicators.json`` document (contract §3.1)."""
        from landuse.report.document import indicators_document

        cfg = self.config
        return indicators_document(self.indicators, region_code=cfg.region.code,
                                   region_name=cfg.region.name, year=cfg.region.year,
                                   provenance=self.provenance)

    def to_json(self, path: str | Path) -> Path:
        """Write ``indicators.json`` to ``path`` (validated against the shipped schema)."""
        from landuse.report.document import validate_document, write_json

        doc = self.document()
        validate_document(doc)
        return write_json(doc, path)

    def write(self, out_dir: str | Path) -> Path:
        """Write every output of contract §3 into ``out_dir`` atomically; returns it."""
        from landuse.report.outputs import write_outputs

        return write_outputs(self, out_dir)


def violations(redlines: pd.DataFrame) -> pd.Series:
    """Boolean mask of the redline rows that are violations (see ``violation_count``)."""
    if redlines.empty:
        return pd.Series(False, index=redlines.index)
    inside = redlines["relation"].isin(["inside", "outside"])
    mining = redlines["check"] == "mining_protected"
    prohibited = redlines.get("disposition", pd.Series("", index=redlines.index)).isin(
        ["withdraw", "refuse"])
    return inside & (~mining | prohibited)


# --------------------------------------------------------------------------- inputs


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass
class Inputs:
    """Every input of a run, read and normalised into the working CRS."""

    landuse: gpd.GeoDataFrame
    working_crs: str
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _source_record(cfg: Config, role: str, path: Path, layer: str | None, obj: Any) -> dict:
    attrs = dict(getattr(obj, "attrs", {}).get("source", {}) or {})
    crs = getattr(obj, "crs", None)
    src_crs = attrs.get("crs")
    return {
        "role": role, "path": cfg.relative(path), "layer": attrs.get("layer", layer),
        "sha256": attrs.get("sha256") or _sha256(path),
        "features": int(attrs.get("features", len(obj))),
        "crs": str(src_crs) if src_crs else (crs.to_string() if crs is not None else None),
        "encoding": attrs.get("encoding"),
    }


def _read_layer(src: LayerSource, working_crs: Any) -> gpd.GeoDataFrame:
    from landuse.io import vector

    common = {"fields": src.fields or None, "encoding": src.encoding, "working_crs": working_crs}
    if src.role in ("landuse", "landuse_previous"):
        return vector.read_landuse(src.path, layer=src.layer, **common)
    if src.role == "townships":
        return vector.read_townships(src.path, layer=src.layer, **common)
    if src.role in ("ecological_redline", "permanent_farmland", "urban_boundary",
                    "high_standard_farmland"):
        kind = cast(vector.ControlLineKind, src.role)
        return vector.read_control_line(src.path, kind=kind, layer=src.layer, **common)
    if src.role == "protected_areas":
        return vector.read_protected_areas(src.path, layer=src.layer, **common)
    if src.role == "mining_rights":
        return vector.read_mining_rights(src.path, layer=src.layer, **common)
    raise ConfigError(f"layers.{src.role}: no reader for this role")  # pragma: no cover


def _capture(findings: list[Finding], func: Callable[[], Any]) -> Any:
    """Call ``func`` and collect the findings of its result into ``findings``.

    LanduseWarnings are not re-emitted: each is a finding (from the result's attrs, or
    made from the warning's message), shown in the outputs and the CLI summary.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LanduseWarning)
        value = func()
    found = get_findings(value)
    messages = {f.message for f in found}
    for w in caught:
        if not issubclass(w.category, LanduseWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif str(w.message) not in messages:
            found.append(Finding(code="warning", message=str(w.message), count=1))
            messages.add(str(w.message))
    findings.extend(found)
    return value


def read_inputs(cfg: Config, *, progress: Progress | None = None) -> Inputs:
    """Read every configured input into one working CRS.

    The working CRS is ``options.working_crs`` or the land-use layer's projected CRS;
    every other layer is brought to it by its reader (with a finding when reprojected).
    Findings of every reader are collected in ``Inputs.findings``.
    """
    findings: list[Finding] = []
    roles = sorted((r for r in cfg.layers if r != "landuse"), key=lambda r: r != "townships")
    total = 1 + len(roles) + len(cfg.tables)
    step = _stepper(progress, total)
    step("读取土地利用 reading land use")
    lu_src = cfg.layers["landuse"]
    lu = _capture(findings, lambda: _read_layer(lu_src, cfg.options.working_crs))
    working_crs = lu.crs.to_string()
    inputs = Inputs(landuse=lu, working_crs=working_crs, findings=findings)
    inputs.sources.append(_source_record(cfg, "landuse", lu_src.path, lu_src.layer, lu))
    for role in roles:
        src = cfg.layers[role]
        step(f"读取 reading {role}")
        frame = _capture(findings, partial(_read_layer, src, lu.crs))
        inputs.layers[role] = frame
        inputs.sources.append(_source_record(cfg, role, src.path, src.layer, frame))
    for role, tsrc in cfg.tables.items():
        step(f"读取 reading {role}")
        if tsrc.parcels is not None:
            parcels = _capture(findings, partial(_read_parcels, tsrc, lu.crs))
            inputs.layers["land_supply_parcels"] = parcels
            inputs.sources.append(_source_record(cfg, "land_supply_parcels", tsrc.parcels,
                                                 tsrc.parcels_layer, parcels))
        table = _capture(findings, partial(_read_table, tsrc, inputs))
        inputs.tables[role] = table
        inputs.sources.append(_source_record(cfg, role, tsrc.path, None, table))
    for role, rsrc in cfg.rasters.items():
        inputs.sources.extend(_raster_records(cfg, role, rsrc.path, rsrc.classes))
    return inputs


def _raster_records(cfg: Config, role: str, path: Path, classes: Path | None) -> list[dict]:
    """Provenance of a raster (its CRS and pixel count) and of its class table."""
    import rasterio

    with rasterio.open(path) as ds:
        crs = ds.crs.to_string() if ds.crs else None
        pixels = int(ds.width * ds.height)
    out = [{"role": role, "path": cfg.relative(path), "layer": None, "sha256": _sha256(path),
            "features": pixels, "crs": crs, "encoding": None}]
    if classes is not None:
        out.append({"role": f"{role}_classes", "path": cfg.relative(classes), "layer": None,
                    "sha256": _sha256(classes), "features": None, "crs": None,
                    "encoding": None})
    return out


def _read_parcels(src: TableSource, working_crs: Any) -> gpd.GeoDataFrame:
    """Parcel geometries of the ledger: TXT files (a file or a folder of them) or a layer."""
    from landuse.io.ledger import read_parcels

    assert src.parcels is not None
    sources: Any = (sorted(src.parcels.glob("*.txt")) + sorted(src.parcels.glob("*.TXT"))
                    if src.parcels.is_dir() else src.parcels)
    return read_parcels(sources, encoding=src.encoding, layer=src.parcels_layer,
                        working_crs=working_crs)


def _read_table(src: TableSource, inputs: Inputs) -> pd.DataFrame:
    if src.role == "socioeconomic":
        from landuse.io.tables import read_socioeconomic

        return read_socioeconomic(src.path, encoding=src.encoding)
    from landuse.io.ledger import read_land_supply

    return read_land_supply(src.path, encoding=src.encoding,
                            parcels=inputs.layers.get("land_supply_parcels"),
                            townships=inputs.layers.get("townships"))


def _stepper(progress: Progress | None, total: int) -> Callable[[str], None]:
    done = [0]

    def step(label: str) -> None:
        log.info(label)
        if progress is not None:
            progress(label, done[0], total)
        done[0] += 1

    return step


# --------------------------------------------------------------------------- the steps


def _zone_names(cfg: Config, inputs: Inputs) -> dict[str, str]:
    names = {cfg.region.code: cfg.region.name}
    towns = inputs.layers.get("townships")
    if towns is not None:
        names.update({str(z): str(n) for z, n in zip(towns["zone"], towns["zone_name"],
                                                     strict=True)})
    return names


def _indicator_rows(cfg: Config, inputs: Inputs, rules: Any,
                    findings: list[Finding]) -> pd.DataFrame:
    from landuse.indicators.rows import compute_indicators

    previous = inputs.layers.get("landuse_previous")
    prev_src = cfg.layers.get("landuse_previous")
    return _capture(findings, lambda: compute_indicators(
        inputs.landuse, townships=inputs.layers.get("townships"),
        permanent_farmland=inputs.layers.get("permanent_farmland"),
        high_standard_farmland=inputs.layers.get("high_standard_farmland"),
        socio=inputs.tables.get("socioeconomic"), year=cfg.region.year,
        base_year=prev_src.year if prev_src is not None else None, base=previous,
        rules=rules, zone_names=_zone_names(cfg, inputs)))


def _redline_frames(cfg: Config, inputs: Inputs, rules: Any,
                    findings: list[Finding]) -> list[gpd.GeoDataFrame]:
    """Run every redline check the configured layers allow."""
    from landuse.redlines import control_lines, mining

    lay = inputs.layers
    lu = inputs.landuse
    # every check measures in the run's working CRS (the land-use layer's), whatever CRS
    # each layer arrived in: rights in EPSG:4548 and protected areas in EPSG:4490 meet there
    opts = {"sliver_m2": cfg.options.sliver_m2, "working_crs": inputs.working_crs}
    towns = lay.get("townships")
    red, pf, ub = (lay.get(k) for k in ("ecological_redline", "permanent_farmland",
                                         "urban_boundary"))
    frames = []
    if "mining_rights" in lay and "protected_areas" in lay:
        frames.append(_capture(findings, lambda: mining.mining_conflicts(
            lay["mining_rights"], lay["protected_areas"], townships=towns, **opts)))
    if red is not None:
        frames.append(_capture(findings, lambda: control_lines.eco_redline_construction(
            lu, red, rules=rules, **opts)))
    if pf is not None:
        frames.append(_capture(findings, lambda: control_lines.farmland_nonfarm(
            lu, pf, **opts)))
    if ub is not None:
        frames.append(_capture(findings, lambda: control_lines.outside_urban_boundary(
            lu, ub, rules=rules, **opts)))
    if pf is not None and (red is not None or ub is not None):
        frames.append(_capture(findings, lambda: control_lines.line_conflicts(
            pf, red, ub, townships=towns, **opts)))
    return frames


def _mining_rows(cfg: Config, inputs: Inputs, frames: list[gpd.GeoDataFrame]) -> pd.DataFrame:
    from landuse.indicators.rows import indicator_rows
    from landuse.redlines.summary import mining_rights_in_protected_areas

    conflicts = next((f for f in frames if "licence_no" in f.columns), None)
    if conflicts is None:
        return pd.DataFrame()
    series = mining_rights_in_protected_areas(conflicts, townships=inputs.layers.get(
        "townships"), county=cfg.region.code)
    return indicator_rows(series, indicator_id="mining_rights_in_protected_areas",
                          zone_names=_zone_names(cfg, inputs))


def _not_available(key: str, module: str, exc: ModuleNotFoundError) -> ConfigError:
    return ConfigError(
        f"{key}: 此版本不支持 not available in this version of landuse (the module {module} "
        f"is missing: {exc.name}). Remove [{key}] from the config or upgrade landuse."
    )


def _supply_rows(cfg: Config, inputs: Inputs, findings: list[Finding]
                 ) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None]:
    ledger = inputs.tables.get("land_supply")
    if ledger is None:
        return pd.DataFrame(), None
    try:
        from landuse.indicators import supply_idle
        from landuse.indicators.rows import indicator_rows
    except ModuleNotFoundError as exc:
        raise _not_available("tables.land_supply", "landuse.indicators.supply_idle", exc) \
            from None
    when = cfg.evaluation_date
    names = _zone_names(cfg, inputs)
    parts = []
    for ident in ("idle_land_area", "idle_land_ratio", "land_supply_rate",
                  "stock_land_supply_share"):
        series = _capture(findings, partial(getattr(supply_idle, ident), ledger,
                                            evaluation_date=when, county=cfg.region.code))
        parts.append(indicator_rows(
            series, indicator_id=ident, zone_names=names,
            components=series.attrs.get("components"),
            reason=series.attrs.get("not_computable") or None))
    parcels = inputs.layers.get("land_supply_parcels")
    if parcels is not None:
        idle = supply_idle.idle_parcels(ledger, parcels, evaluation_date=when)
    else:  # no parcel geometries configured: the layer still lists every parcel
        table = supply_idle.classify_idle(ledger, evaluation_date=when)
        idle = gpd.GeoDataFrame(table, geometry=[None] * len(table), crs=inputs.landuse.crs)
    return pd.concat(parts, ignore_index=True), idle


def _change_outputs(cfg: Config, inputs: Inputs, rules: Any, findings: list[Finding]
                    ) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """Transitions and the two-vintage indicators; land-cover areas (when configured)."""
    rows, transitions, landcover = pd.DataFrame(), None, None
    previous = inputs.layers.get("landuse_previous")
    if previous is not None:
        try:
            from landuse.indicators import change
            from landuse.indicators.rows import indicator_rows
        except ModuleNotFoundError as exc:
            raise _not_available("layers.landuse_previous", "landuse.indicators.change",
                                 exc) from None
        flows = _capture(findings, lambda: change.transition_flows(previous, inputs.landuse))
        transitions = change.transition_matrix(flows)
        names = _zone_names(cfg, inputs)
        socio = inputs.tables.get("socioeconomic")
        year, before = cfg.region.year, cfg.layers["landuse_previous"].year
        assert before is not None  # the config requires it for a previous vintage
        series = [
            change.new_construction_land_area(flows, rules=rules),
            change.stock_land_revitalised_area(flows, rules=rules),
            change.rural_settlement_reduction_area(previous, inputs.landuse, rules=rules),
            change.new_construction_land_per_gdp_growth(flows, socio, rules=rules, year=year,
                                                        previous_year=before),
            change.construction_land_population_elasticity(
                previous, inputs.landuse, socio, rules=rules, year=year, previous_year=before),
            change.construction_land_gdp_elasticity(
                previous, inputs.landuse, socio, rules=rules, year=year, previous_year=before),
        ]
        rows = pd.concat([indicator_rows(s, indicator_id=str(s.name), zone_names=names)
                          for s in series], ignore_index=True)
    if "landcover" in cfg.rasters:
        src = cfg.rasters["landcover"]
        try:
            from landuse.indicators import landcover as lc
        except ModuleNotFoundError as exc:
            raise _not_available("rasters.landcover", "landuse.indicators.landcover",
                                 exc) from None
        zones = _zones(inputs)
        landcover = _capture(findings, lambda: lc.landcover_areas(
            src.path, zones, classes=src.classes, county=cfg.region.code))
    return rows, transitions, landcover


def _apply_targets(cfg: Config, rows: pd.DataFrame) -> pd.DataFrame:
    targets = _validate_targets(cfg)
    if not targets:
        return rows
    from landuse.indicators.targets import apply_targets

    return apply_targets(rows, targets, year=cfg.region.year)


def compute(cfg: Config, inputs: Inputs, *, progress: Progress | None = None,
            only_redlines: bool = False) -> RunResult:
    """Compute every result of the run from inputs already read (see :func:`read_inputs`)."""
    from landuse.indicators.classes import class_areas
    from landuse.redlines.output import redline_layers, redline_table
    from landuse.rules import load_rules

    rules = load_rules(cfg.rules)
    findings: list[Finding] = []
    step = _stepper(progress, _COMPUTE_STEPS)
    step("红线检查 redline checks")
    frames = _redline_frames(cfg, inputs, rules, findings)
    table = redline_table(frames)
    layers = redline_layers(frames) if frames else {}
    rows = pd.DataFrame()
    areas = pd.DataFrame()
    idle = transitions = landcover = None
    zones = None
    if not only_redlines:
        step("指标 indicators")
        parts = [_indicator_rows(cfg, inputs, rules, findings), _mining_rows(cfg, inputs, frames)]
        step("供地与闲置 land supply and idle land")
        supply, idle = _supply_rows(cfg, inputs, findings)
        parts.append(supply)
        step("变化与地表覆盖 change and land cover")
        change_rows, transitions, landcover = _change_outputs(cfg, inputs, rules, findings)
        parts.append(change_rows)
        rows = _apply_targets(cfg, pd.concat([p for p in parts if len(p)], ignore_index=True))
        step("地类面积 class areas")
        areas = class_areas(inputs.landuse, by="township", rules=rules)
        zones = _zones(inputs)
    clean = _dedupe([*inputs.findings, *findings], cfg.base_dir)
    return RunResult(
        config=cfg, indicators=rows, class_areas=areas, redlines=table, redline_layers=layers,
        findings=clean, provenance=_provenance(cfg, inputs, clean, rules.label), zones=zones,
        idle_parcels=idle, transitions=transitions, landcover_areas=landcover,
        protected=inputs.layers.get("protected_areas"), rights=inputs.layers.get("mining_rights"))


# --------------------------------------------------------------------------- the run


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


def _provenance(cfg: Config, inputs: Inputs, findings: list[Finding], rules_label: str) -> dict:
    from landuse import __version__

    return {
        "landuse_version": __version__,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "rules": rules_label,
        "area": cfg.options.area,
        "working_crs": inputs.working_crs,
        "evaluation_date": cfg.evaluation_date.isoformat(),
        "options": cfg.options.to_dict(),
        "inputs": sorted(inputs.sources, key=lambda s: (s["role"], s["path"])),
        "warnings": [_finding_text(f) for f in findings if f.severity != "info"],
        "findings": [f.to_dict() for f in findings],
    }


def _finding_text(f: Finding) -> str:
    where = f" [{f.source}]" if f.source else ""
    return f"{f.code}: {f.message} ({f.count}){where}"


def _dedupe(findings: list[Finding], base: Path | None = None) -> list[Finding]:
    """Drop repeated findings and sort them; paths under ``base`` become relative.

    Relative paths make the same inputs give the same ``indicators.json`` on every machine.
    """
    seen: set[tuple[Any, ...]] = set()
    out = []
    prefix = f"{base.as_posix().rstrip('/')}/" if base is not None else None
    for f in findings:
        if prefix is not None:
            f = replace(f, message=f.message.replace(prefix, ""),
                        source=f.source.replace(prefix, ""))
        key = (f.code, f.message, f.count, f.source)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return sorted(out, key=lambda f: (f.source, f.code, f.message))


def _zones(inputs: Inputs) -> gpd.GeoDataFrame:
    """Township polygons for the maps: the townships layer, else the land use dissolved."""
    towns = inputs.layers.get("townships")
    if towns is not None:
        return towns[["zone", "zone_name", "geometry"]].sort_values("zone").reset_index(
            drop=True)
    lu = inputs.landuse[["township", "geometry"]]
    lu = lu[lu["township"] != ""]
    try:  # fast when the patches form a clean coverage, as a 三调 layer should
        dissolved = lu.dissolve(by="township", method="coverage").reset_index()
    except shapely.errors.GEOSException:  # not noded (e.g. repaired patches): general union
        dissolved = lu.dissolve(by="township").reset_index()
    return gpd.GeoDataFrame({"zone": dissolved["township"], "zone_name": dissolved["township"],
                             "geometry": dissolved.geometry}, crs=inputs.landuse.crs)


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
    _validate_targets(cfg)
    return _dedupe(inputs.findings, cfg.base_dir)


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


def _validate_targets(cfg: Config) -> Any:
    if cfg.targets is None and cfg.targets_inline is None:
        return None
    from landuse.indicators.targets import load_targets

    source = cfg.targets if cfg.targets is not None else cfg.targets_inline
    assert source is not None
    return load_targets(source)



class _CallableModule(types.ModuleType):
    """The module ``landuse.run``, callable as :func:`run` (contract §4).

    ``landuse.run("config.toml")`` runs, while ``landuse.run.run``, ``RunResult`` and the
    rest stay importable from the module (no name shadows the module).
    """

    def __call__(self, config: str | Path | Config, *, out: str | Path | None = None,
                 year: int | None = None, progress: Progress | None = None) -> RunResult:
        return run(config, out=out, year=year, progress=progress)


sys.modules[__name__].__class__ = _CallableModule
