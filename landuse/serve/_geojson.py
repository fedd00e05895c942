"""Input checks and GeoJSON conversion for the processes (no HTTP here).

- :func:`parse_polygon`: a GeoJSON Polygon / MultiPolygon / Feature -> shapely geometry;
- :func:`resolve_crs`, :func:`parse_crs`, :func:`check_area_of_use`: the CRS of a request
  and the test that the coordinates can be in it (a right in EPSG:4527 metres sent as
  longitude/latitude is refused, not silently checked somewhere else);
- :func:`upload_bytes`, :func:`safe_filename`: uploads and their size limit;
- :func:`parcels_to_geojson`: a boundary-point TXT file -> a FeatureCollection.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import warnings
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError
from shapely.geometry.base import BaseGeometry

from landuse.errors import LanduseWarning
from landuse.findings import get_findings
from landuse.io.boundary_txt import read_boundary_txt
from landuse.serve._errors import RequestRejected

__all__ = ["check_area_of_use", "parcels_to_geojson", "parse_crs", "parse_polygon",
           "resolve_crs", "safe_filename", "upload_bytes"]

DEFAULT_CRS = "OGC:CRS84"
#: Degrees of slack around a CRS's area of use (rights near a zone edge stay accepted).
AREA_OF_USE_MARGIN_DEG = 1.0


def parse_polygon(value: Any, *, max_vertices: int | None = None
                  ) -> tuple[BaseGeometry, str | None]:
    """Return the polygon of a GeoJSON value and the name in its legacy ``crs`` member.

    Accepts a Polygon or MultiPolygon geometry, a Feature holding one, or a
    FeatureCollection of exactly one such Feature (also as a JSON string). Nothing is
    repaired: every ring must have at least 4 positions and end where it starts (RFC 7946
    §3.1.6), the polygon must be valid in the OGC simple-features sense (no
    self-intersection, holes inside their shell, parts of a MultiPolygon not overlapping)
    and have an area.

    Raises
    ------
    RequestRejected
        400 naming what is malformed or invalid and where (the ring, or the coordinates
        of the problem); 413 for more than ``max_vertices`` positions.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise RequestRejected("input 'geometry' is not valid JSON (GeoJSON)") from None
    if not isinstance(value, dict) or "type" not in value:
        raise RequestRejected("input 'geometry' must be a GeoJSON object with a 'type'; got "
                              f"{type(value).__name__}")
    crs_name = _legacy_crs(value)
    kind = value["type"]
    if kind == "FeatureCollection":
        feats = value.get("features")
        if not isinstance(feats, list) or len(feats) != 1:
            raise RequestRejected("input 'geometry': a FeatureCollection must hold exactly one "
                                  "Feature (one proposed right per request)")
        value = feats[0]
        kind = value.get("type") if isinstance(value, dict) else None
    if kind == "Feature":
        crs_name = crs_name or _legacy_crs(value)
        value = value.get("geometry")
        kind = value.get("type") if isinstance(value, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise RequestRejected(f"input 'geometry': a mining right must be a GeoJSON Polygon or "
                              f"MultiPolygon; got {kind!r}")
    _check_rings(value.get("coordinates"), kind, max_vertices)
    try:
        geom = shapely.geometry.shape(value)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError,
            shapely.errors.ShapelyError) as exc:
        raise RequestRejected(f"input 'geometry': malformed {kind} coordinates "
                              f"({type(exc).__name__}: {exc}); expected "
                              "[[[x, y], ...], ...] rings of at least 4 positions") from None
    coords = shapely.get_coordinates(geom)
    if geom.is_empty or not len(coords):
        raise RequestRejected(f"input 'geometry': the {kind} is empty")
    if not np.isfinite(coords).all():
        raise RequestRejected(f"input 'geometry': the {kind} has non-finite coordinates")
    if not geom.convex_hull.area > 0:
        raise RequestRejected(f"input 'geometry': the {kind} has zero area (its positions "
                              "lie on a line or on one point); send the right's boundary")
    if not geom.is_valid:
        raise RequestRejected(f"input 'geometry': invalid {kind}: "
                              f"{_validity(shapely.is_valid_reason(geom))}. Nothing is "
                              "repaired: fix the boundary (rings must not cross themselves "
                              "or each other, holes lie inside their shell, the parts of a "
                              "MultiPolygon must not overlap)")
    return geom, crs_name


def _check_rings(coords: Any, kind: str, max_vertices: int | None) -> None:
    """Check the nesting, count and closure of the rings before shapely sees them."""
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons or not all(
            isinstance(rings, list) and rings and all(isinstance(r, list) for r in rings)
            for rings in polygons):
        raise RequestRejected(f"input 'geometry': malformed {kind} coordinates; expected "
                              "[[[x, y], ...], ...] rings of at least 4 positions")
    count = sum(len(ring) for rings in polygons for ring in rings)
    if max_vertices is not None and count > max_vertices:
        raise RequestRejected(f"input 'geometry' has {count} positions; this server accepts "
                              f"at most {max_vertices} per request (--max-vertices)",
                              status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    for p, rings in enumerate(polygons):
        for r, ring in enumerate(rings):
            where = (f"ring {r} of polygon {p}" if kind == "MultiPolygon" else f"ring {r}")
            what = "exterior ring" if r == 0 else "hole"
            if len(ring) < 4:
                raise RequestRejected(
                    f"input 'geometry': {where} ({what}) has {len(ring)} position(s); a "
                    "GeoJSON ring needs at least 4, the last equal to the first "
                    "(RFC 7946 §3.1.6)")
            if ring[0] != ring[-1]:
                raise RequestRejected(
                    f"input 'geometry': {where} ({what}) is not closed: it starts at "
                    f"{_short(ring[0])} and ends at {_short(ring[-1])}; repeat the first "
                    "position at the end (RFC 7946 §3.1.6)")


def _short(position: Any) -> str:
    return json.dumps(position)[:80]


def _validity(reason: str) -> str:
    """``'Self-intersection[x y]'`` (GEOS) -> ``'self-intersection at x = .., y = ..'``."""
    match = re.fullmatch(r"\s*([^\[]+?)\s*\[\s*(\S+)\s+(\S+)[^\]]*\]\s*", reason)
    if match is None:
        return reason
    what, x, y = match.groups()
    return f"{what.lower()} at x = {x}, y = {y}"


def _legacy_crs(obj: dict[str, Any]) -> str | None:
    """``{"crs": {"type": "name", "properties": {"name": ...}}}`` (GeoJSON 2008)."""
    member = obj.get("crs")
    if isinstance(member, dict) and isinstance(member.get("properties"), dict):
        name = member["properties"].get("name")
        return str(name) if name else None
    return None


def parse_crs(value: Any, key: str) -> CRS:
    """Return the CRS a client named, or refuse it (400) with the value found."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise RequestRejected(f"input '{key}' must be a CRS name like 'EPSG:4527'; got "
                              f"{value!r}")
    crs = _crs_from_name(value)
    if crs is None:
        raise RequestRejected(f"input '{key}': {value!r} is not a CRS pyproj knows; use e.g. "
                              "'EPSG:4527' (CGCS2000 3° zone 39, prefixed easting), "
                              "'EPSG:4548' (no prefix) or 'EPSG:4490'")
    return crs


@lru_cache(maxsize=64)
def _crs_from_name(value: str | int) -> CRS | None:
    """Parse a CRS name once per distinct value (a check request names one of a few CRSs).

    pyproj ``CRS`` objects are immutable and safe to share between threads.
    """
    try:
        return CRS.from_user_input(value)
    except ProjCRSError:
        return None


def resolve_crs(given: Any, embedded: str | None) -> CRS:
    """Return the request's CRS: the ``crs`` input, else the GeoJSON's own, else CRS84.

    Raises
    ------
    RequestRejected
        Both are given and differ.
    """
    if given is None:
        return parse_crs(embedded or DEFAULT_CRS, "crs")
    crs = parse_crs(given, "crs")
    if embedded is not None and parse_crs(embedded, "geometry.crs") != crs:
        raise RequestRejected(f"input 'crs' = {given!r} contradicts the GeoJSON's own crs "
                              f"member {embedded!r}: send one of them")
    return crs


def check_area_of_use(geom: BaseGeometry, crs: CRS) -> None:
    """Refuse coordinates that lie outside the CRS's area of use (wrong CRS declared).

    The geometry's bounds are transformed to longitude/latitude and compared with
    ``crs.area_of_use`` widened by ``AREA_OF_USE_MARGIN_DEG``. Projected metres sent as
    degrees, an unprefixed easting declared with a zone-prefixed CRS (or the reverse) and
    another zone's coordinates all fail here.
    """
    aou, to_ll = _area_of_use(crs)
    if aou is None:
        return
    xmin, ymin, xmax, ymax = geom.bounds
    if to_ll is None:  # geographic
        lon, lat = (np.array([xmin, xmax]), np.array([ymin, ymax]))
    else:
        xs, ys = np.array([xmin, xmax, xmin, xmax]), np.array([ymin, ymin, ymax, ymax])
        with np.errstate(all="ignore"):
            lon, lat = to_ll.transform(xs, ys)
    m = AREA_OF_USE_MARGIN_DEG
    ok = (np.isfinite(lon).all() and np.isfinite(lat).all()
          and lon.min() >= aou.west - m and lon.max() <= aou.east + m
          and lat.min() >= aou.south - m and lat.max() <= aou.north + m)
    if not ok:
        raise RequestRejected(
            f"input 'geometry': its coordinates (x {xmin:.6g}..{xmax:.6g}, y "
            f"{ymin:.6g}..{ymax:.6g}) are outside the area of use of {crs.to_string()} "
            f"({crs.name}: longitude {aou.west:g}..{aou.east:g}, latitude "
            f"{aou.south:g}..{aou.north:g}). Is the CRS right? GeoJSON without 'crs' is "
            "longitude/latitude (OGC:CRS84); Gauss-Krüger metres need e.g. 'crs': "
            "'EPSG:4527' (easting with zone prefix 39) or 'EPSG:4548' (without).")


def crs_label(crs: CRS) -> str:
    """``crs.to_string()`` (e.g. ``EPSG:4527``), computed once per CRS source string."""
    return _label(crs.srs)


@lru_cache(maxsize=64)
def _label(srs: str) -> str:
    return CRS.from_user_input(srs).to_string()


def _area_of_use(crs: CRS) -> tuple[Any, Transformer | None]:
    """Return the CRS's area of use and a transformer to longitude/latitude, once per CRS.

    The transformer is None for a geographic CRS; building one takes ~100 ms. Cached by
    ``crs.srs`` (the string it was made from): hashing a ``CRS`` exports its WKT, which would
    cost more than the check itself. pyproj transformers are thread-safe since pyproj 3.1
    (one PROJ context per thread).
    """
    return _area_of_use_of(crs.srs)


@lru_cache(maxsize=64)
def _area_of_use_of(srs: str) -> tuple[Any, Transformer | None]:
    crs = CRS.from_user_input(srs)
    to_ll = (None if crs.is_geographic
             else Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True))
    return crs.area_of_use, to_ll


def upload_bytes(data: dict[str, Any], *, limit: int) -> bytes:
    """Return the uploaded file's bytes from ``content`` (text) or ``content_base64``.

    Raises
    ------
    RequestRejected
        400 when neither or both are given or the base64 is invalid; 413 above ``limit``.
    """
    text, b64 = data.get("content"), data.get("content_base64")
    if (text is None) == (b64 is None):
        raise RequestRejected("give exactly one of the inputs 'content' (the file as text) and "
                              "'content_base64' (its bytes, e.g. a GBK file)",
                              code="MissingParameterValue")
    value = text if text is not None else b64
    if not isinstance(value, str):
        raise RequestRejected(f"the upload must be a JSON string; got {type(value).__name__}")
    if len(value) > limit * 4 // 3 + 4:  # refuse before decoding anything large
        raise _too_large(len(value), limit)
    if text is not None:
        raw = text.encode("utf-8")
    else:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise RequestRejected("input 'content_base64' is not valid base64") from None
    if len(raw) > limit:
        raise _too_large(len(raw), limit)
    if not raw.strip():
        raise RequestRejected("the uploaded file is empty")
    return raw


def _too_large(size: int, limit: int) -> RequestRejected:
    return RequestRejected(f"the upload is too large: {size} bytes, the limit of this server is "
                           f"{limit} bytes (--max-upload-bytes)",
                           status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)


def safe_filename(value: Any) -> str:
    """Return a plain file name for messages and the temporary copy (no folders)."""
    if value is None:
        return "upload.txt"
    if not isinstance(value, str):
        raise RequestRejected(f"input 'filename' must be a string; got {value!r}")
    name = re.sub(r"[^\w.\-]+", "_", Path(value.replace("\\", "/")).name).lstrip(".")
    return name[:100] or "upload.txt"


def parcels_to_geojson(path: Path, *, encoding: str | None, crs: CRS | None,
                       output_crs: CRS | None, lock: threading.Lock) -> dict[str, Any]:
    """Read a boundary-point TXT file and return a FeatureCollection with its findings.

    ``lock`` serialises the capture of warnings (``warnings.catch_warnings`` is
    process-global): every warning is also a finding of the reader and is returned.
    """
    with lock, warnings.catch_warnings():
        warnings.simplefilter("ignore", LanduseWarning)
        parcels = read_boundary_txt(path, encoding=encoding, crs=crs)
    source = parcels.attrs.get("source", {})
    findings = get_findings(parcels)
    detected = parcels.crs
    if output_crs is not None:
        parcels = parcels.to_crs(output_crs)
    doc = json.loads(parcels.to_json(na="null", drop_id=True, to_wgs84=False))
    out = parcels.crs
    doc["crs"] = {"type": "name", "properties": {"name": _urn(out)}}
    prefix = f"{path.parent.as_posix()}/"
    doc.update({
        "detected_crs": detected.to_string() if detected is not None else None,
        "output_crs": out.to_string() if out is not None else None,
        "encoding": source.get("encoding"),
        "warnings": [f.message.replace(prefix, "") for f in findings
                     if f.severity == "warning"],
        "findings": [{**f.to_dict(), "message": f.message.replace(prefix, ""),
                      "source": f.source.replace(prefix, "")} for f in findings],
    })
    return doc


def _urn(crs: CRS | None) -> str | None:
    if crs is None:
        return None
    auth = crs.to_authority()
    if auth is None:
        return crs.to_string()
    if auth == ("OGC", "CRS84"):
        return "urn:ogc:def:crs:OGC:1.3:CRS84"
    return f"urn:ogc:def:crs:{auth[0]}::{auth[1]}"
