"""Coordinate reference systems: the working CRS, Gauss-Kruger zones and ellipsoidal area.

Area work needs a projected CRS in metres (docs/domain.md §6). County layers arrive in
CGCS2000 3-degree Gauss-Kruger (GK) zones, with the zone number in the easting
(EPSG:4513-4533 for zones 25-45) or without it (EPSG:4534-4554), and sometimes in
geographic CGCS2000 (EPSG:4490). This module brings every layer to one working CRS and
computes the ellipsoidal area the survey's TBMJ holds.

All transformations use ``always_xy=True`` (longitude, latitude order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer

from landuse._validate import crs_label, require_crs
from landuse.errors import CRSError
from landuse.findings import Finding, attach_findings
from landuse.geom.geodesic import ellipsoidal_area

__all__ = [
    "choose_working_crs",
    "ellipsoidal_area",
    "gk3_zone_epsg",
    "has_zone_prefix",
    "normalise_crs",
    "to_working_crs",
]

GK3_ZONES = range(25, 46)


def gk3_zone_epsg(lon: float, *, prefix: bool) -> int:
    """Return the EPSG code of the CGCS2000 3-degree Gauss-Kruger zone containing ``lon``.

    Zone ``n = round(lon / 3)`` (central meridian ``3 n`` degrees east). With the zone
    prefix in the easting the code is ``4488 + n`` (EPSG:4513-4533 for zones 25-45),
    without it ``4509 + n`` (EPSG:4534-4554).

    Parameters
    ----------
    lon : float
        Longitude in degrees east (CGCS2000).
    prefix : bool
        Whether eastings carry the zone number (``39 500 000`` m at the central meridian).

    Raises
    ------
    CRSError
        When ``lon`` lies outside the CGCS2000 3-degree zones 25-45 (73.5°E-136.5°E).

    Examples
    --------
    >>> gk3_zone_epsg(118.0, prefix=True), gk3_zone_epsg(118.0, prefix=False)
    (4527, 4548)
    """
    zone = int(np.floor(lon / 3.0 + 0.5))
    if zone not in GK3_ZONES:
        raise CRSError(
            f"longitude {lon:.4f}° lies outside the CGCS2000 3-degree Gauss-Kruger zones "
            "25-45 (73.5°E-136.5°E); pass working_crs= explicitly"
        )
    return (4488 if prefix else 4509) + zone


def normalise_crs(crs: Any) -> CRS:
    """Return ``crs`` as a :class:`pyproj.CRS`, replaced by its EPSG code when identifiable.

    Shapefile ``.prj`` files hold ESRI WKT without an authority code; identifying it
    (confidence ≥ 70) makes the same layer read from any format compare equal.
    """
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg(min_confidence=70)
    if code is not None:
        candidate = CRS.from_epsg(code)
        if candidate.is_projected == crs.is_projected:
            return candidate
    return crs


def has_zone_prefix(crs: Any) -> bool | None:
    """Whether a Gauss-Kruger / transverse Mercator CRS puts the zone number in the easting.

    Returns ``True`` when its false easting exceeds 1 000 000 m (e.g. 39 500 000 m of
    EPSG:4527), ``False`` when it is 500 000 m or so, ``None`` for CRSs without a false
    easting (geographic CRSs).
    """
    crs = CRS.from_user_input(crs)
    op = crs.coordinate_operation
    if op is None:
        return None
    for param in op.params:
        if param.name.lower() == "false easting":
            return bool(param.value > 1_000_000)
    return None


def _centre_lon(gdf: gpd.GeoDataFrame) -> float:
    """Longitude (degrees) of the middle of a layer's bounds, via its geographic CRS."""
    minx, miny, maxx, maxy = gdf.total_bounds
    crs = CRS.from_user_input(gdf.crs)
    x, y = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    geog = crs if crs.is_geographic else crs.geodetic_crs
    if geog is None:
        raise CRSError(f"{crs_label(crs)} has no geodetic CRS; pass working_crs= explicitly")
    lon, _ = Transformer.from_crs(crs, geog, always_xy=True).transform(x, y)
    return float(lon)


def to_working_crs(
    gdf: gpd.GeoDataFrame, working_crs: Any | None, *, source: str
) -> gpd.GeoDataFrame:
    """Bring a layer to the working CRS, recording what was done as a finding.

    - ``working_crs`` given and different from the layer's CRS: the layer is reprojected
      (finding ``crs_reprojected``: severity ``warning`` when the layer was geographic,
      ``info`` when it was projected).
    - ``working_crs`` is ``None`` and the layer is projected: returned unchanged (a copy).
    - ``working_crs`` is ``None`` and the layer is geographic (e.g. EPSG:4490): it is
      reprojected to the CGCS2000 3-degree GK zone containing the middle of its bounds,
      with the zone prefix in the easting (the 三调 delivery convention, e.g. EPSG:4527),
      and a ``warning`` finding.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer; it must have a CRS. Not modified.
    working_crs : CRS-like or None
        Target CRS (anything :meth:`pyproj.CRS.from_user_input` accepts); must be projected.
    source : str
        File and layer, used in messages.

    Returns
    -------
    GeoDataFrame
        The layer in the working CRS, with any finding appended to ``attrs["findings"]``.

    Raises
    ------
    CRSError
        The layer has no CRS, or ``working_crs`` is not a projected CRS.
    """
    require_crs(gdf, source=source)
    src = normalise_crs(gdf.crs)
    out = gdf.copy()
    out.attrs = dict(gdf.attrs)
    if working_crs is None:
        if src.is_projected:
            return out.set_crs(src, allow_override=True)
        target = CRS.from_epsg(gk3_zone_epsg(_centre_lon(gdf), prefix=True))
    else:
        target = normalise_crs(working_crs)
        if not target.is_projected:
            raise CRSError(
                f"the working CRS {crs_label(target)} for {source} is not projected; give a "
                "projected CRS in metres, e.g. EPSG:4527 (CGCS2000 3-degree GK zone 39)"
            )
        if src.equals(target, ignore_axis_order=True):
            return out.set_crs(target, allow_override=True)
    out = out.to_crs(target)
    out.attrs = dict(gdf.attrs)
    geographic = src.is_geographic
    finding = Finding(
        code="crs_reprojected",
        message=(
            f"{source} was in {crs_label(src)}"
            + (" (geographic, 地理坐标)" if geographic else "")
            + f"; reprojected to the working CRS {crs_label(target)}"
            + (" (CGCS2000 3-degree Gauss-Kruger zone containing the layer)"
               if working_crs is None else "")
        ),
        count=len(gdf),
        severity="warning" if geographic else "info",
        source=source,
    )
    attach_findings(out, [finding])
    return out


def choose_working_crs(crs_list: Sequence[Any], *, names: Sequence[str] | None = None) -> CRS:
    """Choose the working CRS of a set of layers: the projected CRS they share.

    Geographic layers are ignored (they are reprojected to the choice). When the projected
    layers disagree, the run cannot choose silently: declare ``working_crs``.

    Parameters
    ----------
    crs_list : sequence of CRS-like
        The layers' CRSs (``None`` for a layer without CRS).
    names : sequence of str, optional
        Layer names for messages.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        A layer has no CRS; no layer is projected; or the projected layers differ (the
        message lists each layer's CRS and the count of layers per CRS).

    Examples
    --------
    >>> choose_working_crs(["EPSG:4527", "EPSG:4490", "EPSG:4527"]).to_epsg()
    4527
    """
    labels = list(names) if names is not None else [f"layer {i + 1}" for i in range(len(crs_list))]
    missing = [n for n, c in zip(labels, crs_list, strict=True) if c is None]
    if missing:
        raise CRSError(
            f"{missing} have no CRS; define it (the .prj of a Shapefile) before choosing a "
            "working CRS"
        )
    crss = [normalise_crs(c) for c in crs_list]
    projected = [c for c in crss if c.is_projected]
    if not projected:
        raise CRSError(
            f"no layer is projected ({[crs_label(c) for c in crss]}); pass working_crs=, "
            "e.g. 'EPSG:4527' (CGCS2000 3-degree GK zone 39)"
        )
    counts = Counter(c.to_wkt() for c in projected)
    if len(counts) > 1:
        listing = ", ".join(f"{n}: {crs_label(c)}" for n, c in zip(labels, crss, strict=True))
        raise CRSError(
            f"the layers are in different projected CRSs ({listing}); declare the working "
            "CRS (working_crs= / options.working_crs), e.g. the CRS of the land-use layer"
        )
    return projected[0]
