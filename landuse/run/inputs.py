"""The read/prepare phase of an annual run (part of :mod:`landuse.run`).

:func:`read_inputs` reads every configured input once into one working CRS, parses the
targets and the land-cover class table, and prepares the county once
(:func:`landuse.county.prepare_county`: the township policy, the class rows of both
vintages). The result is the run's one :class:`~landuse.county.County`; nothing after this
phase re-reads, re-normalises or re-validates an input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import pandas as pd

from landuse.config import Config, LayerSource, TableSource
from landuse.county import County, prepare_county
from landuse.errors import ConfigError, LanduseError
from landuse.findings import Finding, get_findings, quiet
from landuse.io import file_sha256, vector
from landuse.io.bureau import read_bureau_table
from landuse.io.ledger import read_land_supply, read_parcels
from landuse.io.raster import RasterSource, open_raster
from landuse.io.tables import read_socioeconomic
from landuse.rasters import open_landcover
from landuse.rules import load_rules
from landuse.run.years import check_years

__all__ = ["Inputs", "Progress", "capture", "read_inputs", "stepper"]

log = logging.getLogger("landuse.run")

#: ``progress(step, done, total)``: called before each step and once at the end.
Progress = Callable[[str, int, int], None]


#: The run's model of the county (kept under its earlier name for callers of ``read_inputs``).
Inputs = County


def _source_record(cfg: Config, role: str, path: Path, layer: str | None, obj: Any) -> dict:
    attrs = dict(getattr(obj, "attrs", {}).get("source", {}) or {})
    crs = getattr(obj, "crs", None)
    src_crs = attrs.get("crs")
    return {
        "role": role, "path": cfg.relative(path), "layer": attrs.get("layer", layer),
        "sha256": attrs.get("sha256") or file_sha256(path),
        "features": int(attrs.get("features", len(obj))),
        "crs": str(src_crs) if src_crs else (crs.to_string() if crs is not None else None),
        "encoding": attrs.get("encoding"),
    }


def _read_layer(src: LayerSource, working_crs: Any, region_code: str | None = None
                ) -> gpd.GeoDataFrame:
    """Read one configured layer; an error names the config table it comes from."""
    try:
        return _read_role(src, working_crs, region_code)
    except LanduseError as exc:
        raise type(exc)(f"[layers.{src.role}] {exc}") from None


def _read_role(src: LayerSource, working_crs: Any, region_code: str | None
               ) -> gpd.GeoDataFrame:

    common = {"fields": src.fields or None, "encoding": src.encoding, "working_crs": working_crs}
    if src.role in ("landuse", "landuse_previous"):
        return vector.read_landuse(src.path, layer=src.layer, scheme=src.scheme,
                                   repair_areas=src.repair_areas, **common)
    if src.role == "townships":
        return vector.read_townships(src.path, layer=src.layer, **common)
    if src.role in ("ecological_redline", "permanent_farmland", "urban_boundary",
                    "high_standard_farmland"):
        kind = cast(vector.ControlLineKind, src.role)
        return vector.read_control_line(src.path, kind=kind, layer=src.layer, **common)
    if src.role == "protected_areas":
        return vector.read_protected_areas(src.path, layer=src.layer, **common)
    if src.role == "mining_rights":
        return vector.read_mining_rights(src.path, layer=src.layer, region_code=region_code,
                                         **common)
    raise ConfigError(f"layers.{src.role}: no reader for this role")  # pragma: no cover


def capture(findings: list[Finding], func: Callable[[], Any]) -> Any:
    """Call ``func`` and collect the findings it returns with its result into ``findings``.

    One channel: the findings are read from the result (``attrs["findings"]``); inside the
    run no :class:`~landuse.errors.LanduseWarning` is emitted (:func:`landuse.findings.quiet`).
    """
    with quiet():
        value = func()
    findings.extend(get_findings(value))
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
    step = stepper(progress, total)
    step("读取土地利用 reading land use")
    lu_src = cfg.layers["landuse"]
    lu = capture(findings, lambda: _read_layer(lu_src, cfg.options.working_crs))
    working_crs = lu.crs.to_string()
    inputs = County(landuse=lu, working_crs=working_crs, findings=findings,
                    policy=cfg.options.township,  # type: ignore[arg-type]
                    rules=load_rules(cfg.rules), code=cfg.region.code, name=cfg.region.name)
    inputs.sources.append(_source_record(cfg, "landuse", lu_src.path, lu_src.layer, lu))
    for role in roles:
        src = cfg.layers[role]
        step(f"读取 reading {role}")
        frame = capture(findings, partial(_read_layer, src, lu.crs, cfg.region.code))
        inputs.layers[role] = frame
        inputs.sources.append(_source_record(cfg, role, src.path, src.layer, frame))
    for role, tsrc in cfg.tables.items():
        step(f"读取 reading {role}")
        if tsrc.parcels is not None:
            parcels = capture(findings, partial(_read_parcels, tsrc, lu.crs, cfg.region.code))
            inputs.layers["land_supply_parcels"] = parcels
            inputs.sources.append(_source_record(cfg, "land_supply_parcels", tsrc.parcels,
                                                 tsrc.parcels_layer, parcels))
        table = capture(findings, partial(_read_table, tsrc, inputs))
        inputs.tables[role] = table
        inputs.sources.append(_source_record(cfg, role, tsrc.path, None, table))
    for role, rsrc in cfg.rasters.items():
        raster = _open_raster(role, rsrc.path)
        inputs.sources.extend(_raster_records(cfg, role, raster, rsrc.classes))
        if role == "landcover":
            inputs.landcover = capture(findings, partial(open_landcover, raster, rsrc.classes))
    inputs.targets = read_targets(cfg)
    prev = cfg.layers.get("landuse_previous")
    findings.extend(check_years(cfg, lu, inputs.layers.get("landuse_previous"),
                                inputs.tables.get("socioeconomic")))
    return prepare_county(inputs, previous_year=prev.year if prev is not None else None)


def read_targets(cfg: Config) -> Any:
    """Return the targets as parsed once by the config (file or inline), else ``None``."""
    return list(cfg.target_list) if cfg.target_list else None


def _open_raster(role: str, path: Path) -> RasterSource:
    """Open and check a raster once (CRS, band type, last row).

    Its pixels are read window by window when the compute phase tabulates zones with it.
    """
    try:
        return open_raster(path)
    except LanduseError as exc:
        raise type(exc)(f"[rasters.{role}] {exc}") from None


def _raster_records(cfg: Config, role: str, raster: RasterSource,
                    classes: Path | None) -> list[dict]:
    """Provenance of a raster (its CRS and pixel count) and of its class table."""
    path = raster.path
    out = [{"role": role, "path": cfg.relative(path), "layer": None, "sha256": file_sha256(path),
            "features": raster.width * raster.height, "crs": raster.crs_label,
            "encoding": None}]
    if classes is not None:
        out.append({"role": f"{role}_classes", "path": cfg.relative(classes), "layer": None,
                    "sha256": file_sha256(classes), "features": None, "crs": None,
                    "encoding": None})
    return out


def _read_parcels(src: TableSource, working_crs: Any, region_code: str | None = None
                  ) -> gpd.GeoDataFrame:
    """Parcel geometries of the ledger: TXT files (a file or a folder of them) or a layer."""
    assert src.parcels is not None
    sources: Any = (sorted(src.parcels.glob("*.txt")) + sorted(src.parcels.glob("*.TXT"))
                    if src.parcels.is_dir() else src.parcels)
    return read_parcels(sources, encoding=src.encoding, layer=src.parcels_layer,
                        working_crs=working_crs, region_code=region_code)


def _read_table(src: TableSource, inputs: Inputs) -> pd.DataFrame:
    if src.role == "socioeconomic":
        return read_socioeconomic(src.path, encoding=src.encoding)
    if src.role in ("farmland_supplement", "linkage", "enterprises"):
        return read_bureau_table(src.path, src.role, encoding=src.encoding)
    return read_land_supply(src.path, encoding=src.encoding,
                            parcels=inputs.layers.get("land_supply_parcels"),
                            townships=inputs.layers.get("townships"))


def stepper(progress: Progress | None, total: int) -> Callable[[str], None]:
    """Return ``step(label)``: logs the label and reports progress, one step per call."""
    done = [0]

    def step(label: str) -> None:
        log.info(label)
        if progress is not None:
            progress(label, done[0], total)
        done[0] += 1

    return step
