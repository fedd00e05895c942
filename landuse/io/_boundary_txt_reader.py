"""Reading the ministry's boundary-point TXT format (界址点坐标文件, docs/domain.md §5.1).

A file holds an ``[属性描述]`` section (``key=value`` metadata: datum, zone width, zone,
precision ...), optional extra sections such as ``[项目信息]``, and a ``[地块坐标]`` section::

    5,0.6547,1,地块名称,面,,工业用地,0601,@        <- parcel header (ends in "@")
    J1,1,4091429.391,39589071.190                  <- 点号,圈号,X (northing),Y (easting)

Reading accepts the real-world variants: GBK or UTF-8 (with or without BOM), CRLF, spaces
around fields, full-width commas, full-width section brackets (``【地块坐标】``), a literal
``null`` for an empty field, parcel headers of 5-8, 9, 10 and 13 fields (the 13-field form
of 土地整治 / 补充耕地 reporting carries 等别前 / 等别后), ``分带=3度带`` for ``几度分带=3``,
an empty or wrong
``带号`` (the zone prefix of the eastings is trusted, a mismatch is a finding), areas with a
unit (``0.7655公顷``, ``亩``, ``平方米``), X/Y swapped by the producing tool (detected per
point by magnitude), several parcels per file, holes and multi-part parcels by 圈号, and point
(点) and line (线) parcels. A GeoDataFrame returned here may therefore mix geometry types
(Polygon/MultiPolygon, Point/MultiPoint, LineString/MultiLineString); ``geometry_kind`` says
which each row is. With ``region_code``, every parcel is checked against the extent of the
province of that code (a finding when outside: a wrong 带号 moves unprefixed eastings by
hundreds of km).

Private module: :func:`read_boundary_txt` is public through :mod:`landuse.io.boundary_txt`.
The format's tables and header forms live in :mod:`landuse.io._txt_format`, shared with the
writer (:mod:`landuse.io._boundary_txt_writer`); reader and writer do not import each other.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import itertools
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from landuse.errors import CRSError
from landuse.findings import Finding, attach_findings
from landuse.io._province import outside_province
from landuse.io._txt_format import (
    COLUMNS,
    EXTRA_COLUMNS,
    KINDS,
    ZONES,
    datum_of,
    fail,
    first_int,
    gk_epsg,
    is_null,
    normalise_sections,
    parse_header,
)
from landuse.units import m2_to_ha

__all__ = ["read_boundary_txt"]


def _decode(raw: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """Decode the file: BOM -> utf-8-sig, else strict UTF-8, else GBK (then GB18030)."""
    gbk = ["gbk", "gb18030"]
    if encoding:
        tried = gbk if encoding.upper().replace("-", "") in ("GBK", "GB2312", "GB18030") else [
            encoding]
    else:
        tried = ["utf-8-sig"] if raw.startswith(b"\xef\xbb\xbf") else ["utf-8", *gbk]
    for enc in tried:
        try:
            return raw.decode(enc), enc.upper() if enc.startswith("gb") else enc
        except (UnicodeDecodeError, LookupError) as exc:
            last = exc
    if not isinstance(last, UnicodeDecodeError):
        raise fail(path, None, f"unknown encoding {encoding!r}; use 'GBK' or 'utf-8'")
    line = raw[: last.start].count(b"\n") + 1
    raise fail(
        path, line,
        f"cannot be decoded as {' or '.join(tried)}; pass encoding='GBK' or 'utf-8' as the file is",
    )


def _lines_with(text: str, char: str) -> list[int]:
    """0-based numbers of the lines of ``text`` that contain ``char`` (C-level find/count)."""
    out: list[int] = []
    line, last = 0, 0
    pos = text.find(char)
    while pos != -1:
        line += text.count("\n", last, pos)
        out.append(line)
        nl = text.find("\n", pos)
        if nl == -1:
            break
        line, last = line + 1, nl + 1
        pos = text.find(char, last)
    return out


def _scan(text: str, path: Path):
    """Split the text into metadata sections, parcel header lines and point lines.

    Per-line Python work is limited to the few section and header lines (found with
    ``str.find``); the point lines are selected with C-level ``map``/``compress`` so that a
    30 MB file scans in a fraction of a second.
    """
    lines = text.split("\n")
    sections: dict[str, dict[str, str]] = {}
    # line numbers of sections and keys; "end" = the last line (not the empty one after it)
    where: dict[str, int] = {"end": max(1, len(lines) - (lines[-1] == ""))}
    bounds = [i for i in _lines_with(text, "[") if lines[i].lstrip().startswith("[")]
    ats = _lines_with(text, "@")
    bounds.append(len(lines))
    hdr_no: list[int] = []
    headers: list[str] = []
    pt_no: list[np.ndarray] = []
    pts: list[str] = []
    for i in range(bounds[0]):
        if lines[i].strip():
            raise fail(path, i + 1, f"{lines[i].strip()[:40]!r} before any section; "
                                     "expected [属性描述]")
    for a, b in itertools.pairwise(bounds):
        s = lines[a].strip()
        if s[-1] != "]":
            raise fail(path, a + 1, f"{s[:40]!r} opens a section but has no closing ']'")
        name = s[1:-1].strip()
        where.setdefault(f"[{name}]", a + 1)
        if name != "地块坐标":
            sec = sections.setdefault(name, {})
            for i in range(a + 1, b):
                t = lines[i].strip()
                key, sep, value = t.partition("=")
                if t and not sep:
                    raise fail(path, i + 1, f"{t[:40]!r} in [{name}]; expected key=value")
                if t:
                    v = value.strip()
                    sec[key.strip()] = "" if is_null(v) else v
                    where[f"{name}/{key.strip()}"] = i + 1
            continue
        sub = lines[a + 1 : b]
        lens = np.fromiter(map(len, sub), np.int64, len(sub))
        keep = np.ones(len(sub), dtype=bool)
        for i in ats[bisect.bisect_right(ats, a) : bisect.bisect_left(ats, b)]:
            t = lines[i].strip()
            if t.endswith("@"):
                keep[i - a - 1] = False
                hdr_no.append(i + 1)
                headers.append(t)
        for k in np.flatnonzero(lens < 8):  # a point line has at least 7 characters
            if not sub[k].strip():
                keep[k] = False
        pt_no.append(np.flatnonzero(keep) + a + 2)
        pts.extend(itertools.compress(sub, keep))
    nos = np.concatenate(pt_no) if pt_no else np.empty(0, np.int64)
    return sections, hdr_no, headers, nos, pts, where


def _parse_points(pts: list[str], pt_no: np.ndarray, path: Path) -> tuple[np.ndarray, list[str]]:
    """Return (圈号, X, Y) as an (n, 3) float array and the 点号 of the point lines.

    A fast pass with pandas' C parser; on any doubt the slow pass below finds the bad line.
    """
    block = "\n".join(pts)
    # 3 commas per line in total, and no NaN below (a line with fewer fields gives NaN):
    # then every line has exactly 4 fields
    ok = block.count(",") == 3 * len(pts)
    if ok:
        try:
            df = pd.read_csv(
                io.StringIO(block), header=None, names=["n", "r", "x", "y"],
                dtype={"n": object, "r": float, "x": float, "y": float}, na_filter=False,
                quoting=csv.QUOTE_NONE, skip_blank_lines=False, engine="c",
            )
            out = df[["r", "x", "y"]].to_numpy()
            col = df["n"]  # object: the names as written (na_filter off)
            padded = " ," in block or "\t" in block or "\n " in block or block[:1] == " "
            names = (col.str.strip() if padded else col).tolist()
            ok = out.shape[0] == len(pts)
        except (ValueError, pd.errors.ParserError):
            ok = False
    if not ok or not np.isfinite(out).all():
        out = _parse_points_slow(pts, pt_no, path)
        names = [p.partition(",")[0].strip() for p in pts]
    ring = out[:, 0]
    bad = np.flatnonzero(~np.isfinite(out).all(axis=1) | (ring < 1) | (ring != np.round(ring)))
    if bad.size:
        k = int(bad[0])
        raise fail(path, int(pt_no[k]), f"{pts[k].strip()[:60]!r}: expected a whole 圈号 ≥ 1 "
                                         "and finite coordinates")
    return out, names


def _parse_points_slow(pts: list[str], pt_no: np.ndarray, path: Path) -> np.ndarray:
    out = np.empty((len(pts), 3))
    for k, p in enumerate(pts):
        q = p.split(",")
        if len(q) != 4:
            raise fail(path, int(pt_no[k]), f"point line {p.strip()[:60]!r} has {len(q)} fields;"
                        " expected 点号,圈号,X,Y (or a parcel header ending in '@')")
        for col in range(3):
            try:
                out[k, col] = float(q[col + 1])
            except ValueError:
                name = ("圈号 (ring number)", "X (northing)", "Y (easting)")[col]
                raise fail(path, int(pt_no[k]), f"{name} {q[col + 1].strip()!r} is not a "
                                                 "number") from None
    return out


def _detect_crs(meta, where, east, pt_no, path, crs, findings):
    """Datum, zone width, zone and EPSG from the header and the coordinate prefix."""
    src = str(path)
    at_zone = where.get("属性描述/带号", where.get("[属性描述]", int(pt_no[0])))
    datum = datum_of(meta.get("坐标系", ""))
    if datum is None and meta.get("坐标系") and crs is None:
        raise fail(path, where["属性描述/坐标系"], f"坐标系 (datum) {meta['坐标系']!r} is not "
                    "CGCS2000, Xian 1980 or Beijing 1954; pass crs= (e.g. crs='EPSG:4527')")
    if datum is None:
        datum = "CGCS2000"
        if crs is None:
            findings.append(Finding("datum_assumed", f"{src}: no 坐标系 (datum) in [属性描述]; "
                                    "assumed CGCS2000 (2000国家大地坐标系); pass crs= if it is not",
                                    1, "warning", src))
    width_text = meta.get("几度分带", meta.get("分带", ""))
    width = first_int(width_text)
    zone_text = meta.get("带号", "")
    zone_hdr = first_int(zone_text)
    prefixed = east >= 1e7
    zone = zone_hdr
    if prefixed.any():
        zones = np.floor(east / 1e6).astype(np.int64)
        odd = np.flatnonzero(~prefixed | (zones != zones[0]))
        if odd.size:
            raise fail(path, int(pt_no[odd[0]]), f"easting {east[odd[0]]:.3f} has another zone "
                        f"prefix than the first point's zone {zones[0]} (or none); one file must "
                        "hold one zone and one convention")
        zone = int(zones[0])
        if zone_hdr is not None and zone_hdr != zone:
            findings.append(Finding(
                "zone_mismatch", f"{src}: 带号 (zone) in the header is {zone_text!r} but the "
                f"eastings carry zone {zone}; the coordinate prefix is trusted: correct 带号",
                1, "warning", src))
    if zone is None:
        if crs is not None:
            return datum, width, None, None
        raise fail(path, at_zone, "带号 (zone) is empty and the eastings carry no zone prefix; "
                                "write 带号 in [属性描述] or pass crs=")
    by_range = 3 if zone in ZONES[3] else 6 if zone in ZONES[6] else None
    if width is None or (by_range is not None and width != by_range):
        if width is not None:
            findings.append(Finding(
                "zone_width_mismatch", f"{src}: 几度分带 {width_text!r} does not fit zone {zone}; "
                f"used {by_range}-degree zones", 1, "warning", src))
        width = by_range
    if width is None and crs is None:
        raise fail(path, at_zone, f"zone {zone} is neither a 3-degree (25-45) nor a 6-degree "
                                "(13-23) zone; pass crs=")
    try:
        epsg = gk_epsg(datum, width, zone, prefixed=bool(prefixed.any()))  # type: ignore[arg-type]
    except CRSError as exc:
        if crs is None:
            raise fail(path, at_zone, f"{exc}; pass crs=") from None
        epsg = None
    return datum, width, zone, epsg


def _assemble(kind: str, rings: list[np.ndarray]) -> BaseGeometry:
    """Build one parcel's geometry from its rings (in 圈号 order)."""
    if kind == "point":
        pts = np.concatenate(rings)
        return shapely.points(pts[0]) if len(pts) == 1 else shapely.multipoints(pts)
    if kind == "line":
        lines = [shapely.linestrings(r) for r in rings]
        return lines[0] if len(lines) == 1 else shapely.multilinestrings(lines)
    parts: list[list[np.ndarray]] = []
    polys: list[BaseGeometry] = []
    for r in rings:
        for k, poly in enumerate(polys):
            inside = shapely.intersects_xy(poly, r[:, 0], r[:, 1])
            if inside.all() and shapely.contains_xy(poly, r[:, 0], r[:, 1]).any():
                parts[k].append(r)
                polys[k] = shapely.polygons(parts[k][0], holes=parts[k][1:])
                break
        else:
            parts.append([r])
            polys.append(shapely.polygons(r))
    return polys[0] if len(polys) == 1 else shapely.multipolygons(polys)


def read_boundary_txt(
    path: str | os.PathLike[str], *, encoding: str | None = None, crs: Any = None,
    region_code: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a boundary-point TXT file (界址点坐标, docs/domain.md §5.1) into parcels.

    Parameters
    ----------
    path : path-like
        The TXT file.
    encoding : str, optional
        ``"GBK"`` or ``"utf-8"``. Default: a UTF-8 BOM means UTF-8; else strict UTF-8 is
        tried, then GBK, then GB18030; the one used is in ``attrs["source"]["encoding"]``.
    crs : CRS-like, optional
        Overrides the CRS detected from the header and the coordinates (a difference is an
        ``info`` finding). Needed only when the file gives neither a zone prefix nor 带号.
    region_code : str, optional
        Administrative code of the county (``region.code``, e.g. ``"370321"``) or province
        the parcels belong to; every parcel outside the extent of its province is reported
        (``parcel_outside_province``, warning), with the zones that would put it inside.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per parcel, in file order: ``parcel_no`` (地块编号), ``name`` (地块名称),
        ``geometry_kind`` (点/线/面), ``sheet`` (图幅号), ``use`` (地块用途), ``dlbm``
        (地类编码), ``area_ha_header`` (the header's area converted to ha; NaN if empty),
        ``points`` (number of point lines), the extra header fields of the 9, 10 and 13-field
        forms ``patch_type`` (图斑类型), ``land_class`` (地类), ``grade_before`` (等别前),
        ``grade_after`` (等别后), ``description`` (描述), ``note`` (备注) as text ('' when
        absent), ``point_names`` (the 点号 of the point lines, comma-joined, kept for the
        writer), ``geometry`` (x = easting, y = northing, as in
        the file, in the CRS detected: prefixed eastings -> the zone-prefixed EPSG). Polygons
        are built from 圈号 in order: 圈号 1 is the outer ring; a later ring inside an earlier
        part is a hole of it, otherwise it starts a new part (MultiPolygon). Point parcels
        are Point/MultiPoint, line parcels LineString/MultiLineString.
        ``attrs["source"]``: path, sha256, encoding, format_version, producer, date, datum,
        zone_width, zone, precision, epsg, crs, features, header (the [属性描述] pairs) and
        sections (other sections, e.g. 项目信息). ``attrs["findings"]``: list of Finding
        (zone_mismatch, swapped_xy, area_mismatch, point_count_mismatch, ring_closed,
        invalid_geometry, datum_assumed, zone_width_mismatch, crs_override, encoding,
        parcel_outside_province).

    Raises
    ------
    InputFileError
        A missing, undecodable or malformed file; the message names the file, the line and
        what was expected there.

    Warns
    -----
    LanduseWarning
        For every finding of severity ``warning`` (e.g. header area vs geometry area beyond
        the written rounding plus the coordinate precision, or 带号 contradicting the prefix).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(path, None, f"cannot be read ({exc.strerror}); check the path") from None
    text, enc = _decode(raw, path, encoding)
    text = text.lstrip("\ufeff")
    if "，" in text:
        text = text.replace("，", ",")
    text = normalise_sections(text)
    if text.count("\r") != text.count("\r\n"):  # old Mac line ends; CRLF is split below
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    sections, hdr_no, headers, pt_no, pts, where = _scan(text, path)
    if not headers:
        raise fail(path, where.get("[地块坐标]", where["end"]), "no parcels found; expected a "
                    "[地块坐标] section with parcel header lines ending in '@'")
    src = str(path)
    findings: list[Finding] = []
    if encoding is None:
        findings.append(Finding("encoding", f"{src}: read as {enc}", 1, "info", src))
    meta = sections.pop("属性描述", {})
    rec = [parse_header(h, path, n) for h, n in zip(headers, hdr_no, strict=True)]
    hdr = np.asarray(hdr_no)
    pno = pt_no
    owner = np.searchsorted(hdr, pno) - 1
    if owner.size and owner[0] < 0:
        raise fail(path, int(pt_no[0]), "point line before the first parcel header (a line ending "
                                    "in '@')")
    counts = np.bincount(owner, minlength=len(rec))
    if (counts == 0).any():
        k = int(np.flatnonzero(counts == 0)[0])
        raise fail(path, hdr_no[k], "parcel header without point lines; expected 点号,圈号,X,Y")
    arr, point_names = _parse_points(pts, pt_no, path)
    ring, x_col, y_col = arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2]
    swapped = ((x_col >= 1e7) & (y_col < 1e7)) | ((x_col < 1e6) & (y_col >= 1e6) & (y_col < 1e7))
    north = np.where(swapped, y_col, x_col)
    east = np.where(swapped, x_col, y_col)
    nos = [r["地块编号"] for r in rec]
    if swapped.any():
        bad = [nos[k] for k in np.unique(owner[swapped])]
        findings.append(Finding(
            "swapped_xy", f"{src}: X and Y are swapped in {len(bad)} parcel(s) (X must be the "
            "northing, Y the easting); detected by magnitude and swapped back", len(bad),
            "warning", src, bad[:5]))
    datum, width, zone, epsg = _detect_crs(meta, where, east, pt_no, path, crs, findings)
    out_crs = pyproj.CRS.from_user_input(crs) if crs is not None else pyproj.CRS.from_epsg(epsg)
    if crs is not None and epsg is not None and out_crs.to_epsg() != epsg:
        findings.append(Finding("crs_override", f"{src}: header and coordinates give EPSG:{epsg}; "
                                f"crs={out_crs.to_string()} was used as passed", 1, "info", src))
    # rings: consecutive runs of the same (parcel, 圈号)
    brk = np.flatnonzero((np.diff(owner) != 0) | (np.diff(ring) != 0)) + 1
    starts = np.concatenate([[0], brk])
    ends = np.concatenate([brk, [len(owner)]])
    run_owner, run_ring = owner[starts], ring[starts]
    key = run_owner * (int(ring.max()) + 1) + run_ring
    uniq, first = np.unique(key, return_index=True)
    if uniq.size != key.size:
        dup = np.setdiff1d(np.arange(key.size), first)[0]
        raise fail(path, int(pt_no[starts[dup]]), f"圈号 {run_ring[dup]} of parcel "
                    f"{nos[run_owner[dup]]!r} appears again; the points of a ring must be "
                    "consecutive")
    xy = np.column_stack([east, north])
    closed = (xy[starts] == xy[ends - 1]).all(axis=1)
    kinds = np.array([KINDS[r["图形属性"]] for r in rec])
    run_kind = kinds[run_owner]
    need = np.where(run_kind == "polygon", np.where(closed, 4, 3), np.where(run_kind == "line",
                                                                             2, 1))
    short = np.flatnonzero(ends - starts < need)
    if short.size:
        k = int(short[0])
        raise fail(path, int(pt_no[starts[k]]), f"圈号 {run_ring[k]} of parcel "
                    f"{nos[run_owner[k]]!r} has {ends[k] - starts[k]} point(s); a 面 ring needs "
                    "3 distinct points (closed by repeating the first), a 线 needs 2")
    open_rings = np.flatnonzero((run_kind == "polygon") & ~closed)
    if open_rings.size:
        bad = sorted({nos[run_owner[k]] for k in open_rings})
        findings.append(Finding("ring_closed", f"{src}: {open_rings.size} ring(s) did not repeat "
                                "their first point; closed", len(bad), "info", src, bad[:5]))
    geoms = np.empty(len(rec), dtype=object)
    runs_per = np.bincount(run_owner, minlength=len(rec))
    simple = np.flatnonzero((runs_per[run_owner] == 1) & (run_kind == "polygon"))
    if simple.size:
        idx = np.concatenate([np.arange(starts[k], ends[k]) for k in simple]) if simple.size < 64 \
            else _ranges(starts[simple], ends[simple])
        ring_id = np.repeat(np.arange(simple.size), (ends - starts)[simple])
        geoms[run_owner[simple]] = shapely.polygons(shapely.linearrings(xy[idx], indices=ring_id))
    for p in np.flatnonzero(pd.isna(geoms)):
        sel = range(np.searchsorted(run_owner, p), np.searchsorted(run_owner, p, side="right"))
        geoms[p] = _assemble(kinds[p], [_close(xy[starts[k]:ends[k]], kinds[p]) for k in sel])
    bounds = np.concatenate([[0], np.cumsum(counts)])
    columns: dict[str, Any] = {
        "parcel_no": nos,
        "name": [r["地块名称"] for r in rec],
        "geometry_kind": [r["图形属性"] for r in rec],
        "sheet": [r["图幅号"] for r in rec],
        "use": [r["地块用途"] for r in rec],
        "dlbm": [r["地类编码"] for r in rec],
        "area_ha_header": np.array([r["area_ha"] for r in rec], dtype=float),
        "points": counts.astype(np.int64),
        **{col: [r[field] for r in rec] for field, col in EXTRA_COLUMNS.items()},
        "point_names": [",".join(point_names[a:b]) for a, b in itertools.pairwise(bounds)],
    }
    gdf = gpd.GeoDataFrame(columns, columns=COLUMNS, geometry=gpd.GeoSeries(geoms, crs=out_crs))
    _check(gdf, rec, meta, src, findings)
    if region_code:
        outside = outside_province(gdf, region_code, source=src, ids=gdf["parcel_no"],
                                   zone_width=width, datum=datum,
                                   prefixed=bool((east >= 1e7).any()))
        if outside is not None:
            findings.append(outside)
    gdf.attrs["source"] = {
        "role": "boundary_txt", "path": src, "sha256": hashlib.sha256(raw).hexdigest(),
        "features": len(gdf), "crs": out_crs.to_string(), "encoding": enc,
        "format_version": meta.get("格式版本号", ""), "producer": meta.get("数据产生单位", ""),
        "date": meta.get("数据产生日期", ""), "datum": datum, "zone_width": width, "zone": zone,
        "precision": _precision(meta), "epsg": epsg, "header": meta, "sections": sections,
    }
    for f in findings:
        if f.severity == "warning":
            f.warn(stacklevel=3)
    attach_findings(gdf, findings)
    return gdf


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, e)`` for every (s, e) without a Python loop."""
    lens = ends - starts
    offs = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return np.arange(lens.sum()) + offs


def _close(r: np.ndarray, kind: str) -> np.ndarray:
    if kind == "polygon" and not (r[0] == r[-1]).all():
        return np.vstack([r, r[:1]])
    return r


def _precision(meta: dict[str, str]) -> float:
    try:
        p = float(meta.get("精度", "") or "0.001")
    except ValueError:
        return 0.001
    return p if np.isfinite(p) and 0 < p <= 1 else 0.001


def _check(gdf, rec, meta, src, findings) -> None:
    """Check the header point count and area against the geometry, and its validity."""
    declared = np.array([r["npts"] for r in rec])
    bad = np.flatnonzero(declared != gdf["points"].to_numpy())
    if bad.size:
        findings.append(Finding(
            "point_count_mismatch", f"{src}: 点数 in the header differs from the point lines in "
            f"{bad.size} parcel(s) (e.g. {gdf['parcel_no'].iat[bad[0]]!r}: header "
            f"{declared[bad[0]]}, lines {gdf['points'].iat[bad[0]]}); correct 点数",
            int(bad.size), "warning", src, gdf["parcel_no"].iloc[bad[:5]].tolist()))
    poly = (gdf["geometry_kind"] == "面").to_numpy()
    geom = gdf.geometry.to_numpy()
    area = np.where(poly, m2_to_ha(shapely.area(geom)), np.nan)
    tol = np.array([r["area_tol_ha"] for r in rec]) + m2_to_ha(
        shapely.length(geom) * _precision(meta))
    head = gdf["area_ha_header"].to_numpy()
    bad = np.flatnonzero(poly & np.isfinite(head) & (np.abs(head - area) > tol))
    if bad.size:
        k = bad[0]
        findings.append(Finding(
            "area_mismatch", f"{src}: the header area (面积) differs from the planar area of the "
            f"boundary beyond rounding in {bad.size} parcel(s), e.g. {gdf['parcel_no'].iat[k]!r}:"
            f" header {head[k]:.4f} ha, boundary {area[k]:.4f} ha; check the points or the "
            "header", int(bad.size), "warning", src, gdf["parcel_no"].iloc[bad[:5]].tolist()))
    bad = np.flatnonzero(poly & ~shapely.is_valid(geom))
    if bad.size:
        findings.append(Finding(
            "invalid_geometry", f"{src}: {bad.size} parcel boundary(ies) are not valid polygons "
            "(self-intersection or overlapping rings); they are kept as read, fix the points",
            int(bad.size), "warning", src, gdf["parcel_no"].iloc[bad[:5]].tolist()))

