"""The boundary-point TXT format (界址点坐标文件): what reader and writer share.

Section names and brackets, the parcel header forms and their fields, the literal
``null``, area units, the Gauss-Krüger EPSG tables of the three Chinese datums, and the
parsing of one header line. :mod:`landuse.io.boundary_txt` (reader) and
:mod:`landuse.io._boundary_txt_writer` (writer) both import this module and neither imports
the other's internals. See docs/boundary_txt.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyproj

from landuse.errors import CRSError, InputFileError
from landuse.units import m2_to_ha, mu_to_ha

__all__ = [
    "AREA_UNITS",
    "COLUMNS",
    "DATUMS",
    "EPSG_BASE",
    "EXTRA_COLUMNS",
    "HEADER_FORMS",
    "KINDS",
    "STANDARD_FIELDS",
    "ZONES",
    "datum_of",
    "fail",
    "first_int",
    "gk_epsg",
    "header_form",
    "is_null",
    "normalise_sections",
    "parse_area",
    "parse_header",
    "zone_of",
]

#: Datum names as written in the 坐标系 header line, by the short name used here.
DATUMS = {
    "CGCS2000": "2000国家大地坐标系",
    "Xian 1980": "1980西安坐标系",
    "Beijing 1954": "1954北京坐标系",
}

# EPSG = base + zone for (datum, zone width, zone prefix in the easting?). Verified against
# pyproj.CRS.from_epsg(...).name in tests/io/test_boundary_txt_crs.py.
EPSG_BASE = {
    ("CGCS2000", 3, True): 4488,  # 4513-4533, zones 25-45
    ("CGCS2000", 3, False): 4509,  # 4534-4554, CM 75E-135E
    ("CGCS2000", 6, True): 4478,  # 4491-4501, zones 13-23
    ("CGCS2000", 6, False): 4489,  # 4502-4512
    ("Xian 1980", 3, True): 2324,  # 2349-2369
    ("Xian 1980", 3, False): 2345,  # 2370-2390
    ("Xian 1980", 6, True): 2314,  # 2327-2337
    ("Xian 1980", 6, False): 2325,  # 2338-2348
    ("Beijing 1954", 3, True): 2376,  # 2401-2421
    ("Beijing 1954", 3, False): 2397,  # 2422-2442
    ("Beijing 1954", 6, True): 21400,  # 21413-21423
    ("Beijing 1954", 6, False): 21440,  # 21453-21463
}
ZONES = {3: range(25, 46), 6: range(13, 24)}
KINDS = {"点": "point", "线": "line", "面": "polygon"}
#: hectares per unit of a TXT area
AREA_UNITS = {"公顷": 1.0, "ha": 1.0, "亩": mu_to_ha(1.0), "平方米": m2_to_ha(1.0),
              "m2": m2_to_ha(1.0), "㎡": m2_to_ha(1.0)}
_AREA_RE = re.compile(r"^\s*([-+]?\d+(?:\.(\d*))?)\s*(公顷|ha|亩|平方米|m2|㎡)?\s*$", re.IGNORECASE)

#: The ministry's parcel header: 界址点数,地块面积,地块编号,地块名称,图形属性,图幅号,地块用途,
#: 地类编码,@ (5 to 8 fields are accepted, missing trailing fields being empty).
STANDARD_FIELDS = ("点数", "面积", "地块编号", "地块名称", "图形属性", "图幅号", "地块用途",
                   "地类编码")
#: Longer header forms by field count: 9 (… 描述, the default of published TXT tools), 10 (a
#: provincial form: … 描述, 备注) and 13 (土地整治 / 补充耕地 reporting: … 图斑类型, 地类,
#: 等别前, 等别后, 备注). The extra fields are kept as text.
HEADER_FORMS = {
    8: STANDARD_FIELDS,
    9: (*STANDARD_FIELDS, "描述"),
    10: (*STANDARD_FIELDS, "描述", "备注"),
    13: (*STANDARD_FIELDS, "图斑类型", "地类", "等别前", "等别后", "备注"),
}
#: Output column of each extra header field.
EXTRA_COLUMNS = {"图斑类型": "patch_type", "地类": "land_class", "等别前": "grade_before",
                 "等别后": "grade_after", "描述": "description", "备注": "note"}
#: The attribute columns of :func:`~landuse.io.boundary_txt.read_boundary_txt`, in order
#: (geometry follows).
COLUMNS = ["parcel_no", "name", "geometry_kind", "sheet", "use", "dlbm", "area_ha_header",
           "points", *EXTRA_COLUMNS.values(), "point_names"]

# a section line written with full-width brackets: 【地块坐标】, ［属性描述］
_WIDE_SECTION = re.compile(r"^([ \t]*)[【［]\s*([^】］\]\n]*?)\s*[】］][ \t]*\r?$", re.MULTILINE)


def normalise_sections(text: str) -> str:
    """Rewrite section lines in full-width brackets (【地块坐标】, ［属性描述］) as ``[...]``.

    Only whole section lines change, so a parcel name holding 【】 is kept.
    """
    if "【" not in text and "［" not in text:
        return text
    return _WIDE_SECTION.sub(r"\1[\2]", text)


def is_null(value: str) -> bool:
    """Return True for an empty field: '' or the literal ``null`` some tools write."""
    return value == "" or value.lower() == "null"


def fail(path: Path, line: int | None, what: str) -> InputFileError:
    """Return the reader's error: the file, the line and what was expected there."""
    where = f"{path}, line {line}" if line is not None else f"{path}"
    return InputFileError(f"boundary-point TXT {where}: {what}")


def parse_area(text: str, path: Path, line: int) -> tuple[float, float]:
    """Return (area in ha, half a unit of the last written decimal in ha); NaN if empty."""
    if is_null(text.strip()):
        return float("nan"), float("nan")
    m = _AREA_RE.match(text)
    if m is None:
        raise fail(path, line, f"面积 (area) {text!r} is not a number; expected hectares "
                               "such as 0.6547 or 0.6547公顷")
    factor = AREA_UNITS[m.group(3).lower()] if m.group(3) else 1.0
    decimals = len(m.group(2) or "")
    return float(m.group(1)) * factor, 0.5 * 10.0**-decimals * factor


def header_form(n: int) -> tuple[str, ...] | None:
    """Field names of a header with ``n`` fields before '@' (None when no form has n)."""
    if 5 <= n <= 8:
        return STANDARD_FIELDS
    return HEADER_FORMS.get(n)


def parse_header(s: str, path: Path, line: int) -> dict[str, Any]:
    """Parse one parcel header line (ending in '@') into its named fields.

    Returns a dict with the header's field names (``STANDARD_FIELDS`` plus the extra fields
    of the longer forms, '' when absent or ``null``) and ``area_ha``, ``area_tol_ha``,
    ``npts`` (int).
    """
    fields = [f.strip() for f in s[:-1].split(",")]
    if fields and fields[-1] == "":
        fields.pop()
    names = header_form(len(fields))
    if names is None:
        raise fail(path, line, f"parcel header has {len(fields)} fields before '@'; expected "
                               f"5 to 8 ({','.join(STANDARD_FIELDS)},@), 9 or 10 (… 描述, 备注) "
                               "or 13 (… 图斑类型,地类,等别前,等别后,备注)")
    values = ["" if is_null(f) else f for f in fields] + [""] * (len(names) - len(fields))
    rec: dict[str, Any] = dict(zip(names, values, strict=True))
    for extra in EXTRA_COLUMNS:
        rec.setdefault(extra, "")
    try:
        rec["npts"] = int(rec["点数"])
    except ValueError:
        raise fail(path, line, f"点数 (point count) {fields[0]!r} is not a whole number") from None
    rec["图形属性"] = rec["图形属性"] or "面"
    if rec["图形属性"] not in KINDS:
        raise fail(path, line, f"图形属性 (geometry kind) {fields[4]!r}; expected 点, 线 or 面")
    rec["area_ha"], rec["area_tol_ha"] = parse_area(rec["面积"], path, line)
    return rec


def first_int(text: str) -> int | None:
    """Return the first whole number written in ``text`` (``3度带`` -> 3), or None."""
    m = re.search(r"\d+", text or "")
    return int(m.group()) if m else None


def datum_of(text: str) -> str | None:
    """Short datum name from a 坐标系 value (2000/CGCS, 西安/80, 北京/54), or None."""
    t = text.upper()
    if "2000" in t or "CGCS" in t:
        return "CGCS2000"
    if "西安" in t or "80" in t or "XIAN" in t:
        return "Xian 1980"
    if "北京" in t or "54" in t or "BEIJING" in t:
        return "Beijing 1954"
    return None


def gk_epsg(datum: str, zone_width: int, zone: int, *, prefixed: bool) -> int:
    """Return the EPSG code of a Gauss-Krüger zone of a Chinese datum.

    Parameters
    ----------
    datum : {"CGCS2000", "Xian 1980", "Beijing 1954"}
    zone_width : {3, 6}
        Degrees per zone; 3° zones are numbered 25-45, 6° zones 13-23 in China.
    zone : int
        Zone number (central meridian = 3 × zone for 3°, 6 × zone - 3 for 6°).
    prefixed : bool
        True when the easting carries the zone number (``Y = zone × 10⁶ + 500000 + E``).

    Returns
    -------
    int
        E.g. CGCS2000 3° zone 39 prefixed -> 4527 (4488 + n), without prefix -> 4548.

    Raises
    ------
    CRSError
        For a datum, width or zone outside the tables.

    Examples
    --------
    >>> gk_epsg("CGCS2000", 3, 39, prefixed=True), gk_epsg("Xian 1980", 6, 20, prefixed=False)
    (4527, 2345)
    """
    base = EPSG_BASE.get((datum, zone_width, prefixed))
    if base is None or zone not in ZONES.get(zone_width, ()):
        raise CRSError(
            f"no EPSG code for datum {datum!r}, {zone_width}-degree zone {zone}; "
            f"supported: datums {sorted(DATUMS)}, 3-degree zones 25-45, 6-degree zones 13-23"
        )
    return base + zone


def zone_of(crs: Any) -> tuple[str, int, int, bool]:
    """(datum, zone width, zone, prefixed) of a CRS in the Gauss-Krüger tables, or CRSError."""
    epsg = pyproj.CRS.from_user_input(crs).to_epsg() if crs is not None else None
    for (datum, width, prefixed), base in EPSG_BASE.items():
        if epsg is not None and epsg - base in ZONES[width]:
            return datum, width, epsg - base, prefixed
    raise CRSError(f"write_boundary_txt needs a CGCS2000, Xian 1980 or Beijing 1954 Gauss-Krüger "
                   f"CRS; the layer is {crs!s}. Reproject it first, e.g. gdf.to_crs(4527)")
