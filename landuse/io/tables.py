"""Reader of the socio-economic table (population, GDP, value added) by year and zone.

Contract §2.1: CSV (UTF-8, with or without BOM, or GBK/GB18030) or XLSX, one row per
(year, zone), English or Chinese headers:

============================  ====================  ======  =========
column                        Chinese header        unit    required
============================  ====================  ======  =========
``year``                      年份                  —       yes
``zone``                      行政区代码            —       yes
``population_total``          常住人口              persons no
``population_urban``          城镇常住人口          persons no
``gdp_10k_yuan``              地区生产总值          万元    no
``gdp_comparable_10k_yuan``   可比价地区生产总值    万元    no
``value_added_23_10k_yuan``   二三产业增加值        万元    no
``price_base_year``           可比价基期            year    no
============================  ====================  ======  =========

``price_base_year`` is the year whose prices ``gdp_comparable_10k_yuan`` is expressed in
(不变价基期); a blank comparable value for that year equals the current value
(docs/domain.md §4; :func:`landuse.indicators.economy.comparable_gdp`).

Optional too: ``fixed_asset_investment_10k_yuan`` (固定资产投资, 万元; the 地均固定资产投资 of
the TD/T 1018 evaluation, docs/evaluation.md).

A header may carry its unit in brackets (``常住人口（人）``, ``地区生产总值(万元)``); the
bracket is ignored, so the figures must already be in the units above. Other columns are
ignored. Empty cells are missing values (the indicators that need them are then
``not_computable`` with a reason); anything else that is not a non-negative number is an
error naming the line and the column.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from landuse.errors import InputFileError, SchemaError
from landuse.findings import Finding, attach_findings

__all__ = ["SOCIO_COLUMNS", "parse_csv", "read_socioeconomic", "read_table_cells"]

#: canonical column -> accepted Chinese header
SOCIO_COLUMNS: dict[str, str] = {
    "year": "年份",
    "zone": "行政区代码",
    "population_total": "常住人口",
    "population_urban": "城镇常住人口",
    "gdp_10k_yuan": "地区生产总值",
    "gdp_comparable_10k_yuan": "可比价地区生产总值",
    "value_added_23_10k_yuan": "二三产业增加值",
    "fixed_asset_investment_10k_yuan": "固定资产投资",
    "price_base_year": "可比价基期",
}
_VALUE_COLUMNS = tuple(c for c in SOCIO_COLUMNS
                       if c not in ("year", "zone", "price_base_year"))
_ALIASES = {**{k: k for k in SOCIO_COLUMNS}, **{v: k for k, v in SOCIO_COLUMNS.items()}}
_BRACKET = re.compile(r"[（(【\[].*?[）)】\]]\s*$")
_MAX_LISTED = 20


def _canonical(header: object) -> str:
    text = _BRACKET.sub("", str(header).replace("\ufeff", "").strip()).strip()
    return _ALIASES.get(text.lower() if text.isascii() else text, "")


def _decode(data: bytes, path: Path, encoding: str | None, what: str) -> tuple[str, str]:
    """Return a table's text and encoding label.

    ``encoding`` as given, else UTF-8 (with or without BOM), else GB18030 (a superset of
    GBK / GB2312).
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputFileError(
                f"{what} {path}: cannot decode the table as {encoding!r} ({exc}); check the "
                "encoding (UTF-8 or GBK) or leave encoding= out to detect it"
            ) from None
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        raise InputFileError(
            f"{what} {path}: the table is neither UTF-8 nor GBK/GB18030 text; save it as "
            "UTF-8 CSV or XLSX, or pass encoding="
        ) from None


def read_table_cells(path: Path, encoding: str | None, *, what: str, key: str
                     ) -> tuple[pd.DataFrame, str, bytes, str]:
    """Read a county table (CSV or XLSX): its cells, encoding label, bytes and row word.

    The one reader of the tables counties write (the socio-economic table, the land-supply
    ledger, the bureau's duty tables, the land-cover classes). CSV cells are str (``""``
    when empty; :func:`parse_csv`), decoded as ``encoding`` or else UTF-8 (with or without
    BOM) or GB18030, labelled ``"UTF-8"`` / ``"GB18030"`` (or ``encoding`` as given); an
    XLSX sheet's cells are objects (str, numbers, datetimes), labelled ``"xlsx"``. The row
    word is ``"line"`` for CSV and ``"row"`` for XLSX (for messages). ``what`` names the
    table and ``key`` its config section in the error messages.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{what} {path} cannot be read ({exc.strerror}); "
                             f"check [{key}] path") from None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(io.BytesIO(raw), dtype=object, header=0, engine="openpyxl")
        except Exception as exc:  # openpyxl raises several unrelated types
            raise InputFileError(f"{what} {path} is not a readable XLSX workbook "
                                 f"({exc}); save it again from Excel or as CSV") from None
        return df, "xlsx", raw, "row"
    text, label = _decode(raw, path, encoding, what)
    return parse_csv(text, what=what, path=path), label, raw, "line"


def _read_raw(path: Path, encoding: str | None) -> tuple[pd.DataFrame, str, bytes]:
    if not path.is_file():
        raise InputFileError(f"socio-economic table {path} not found")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise InputFileError(
            f"{path}: unsupported table format {suffix!r}; give a .csv (UTF-8 or GBK) or .xlsx"
        )
    df, label, data, _ = read_table_cells(path, encoding, what="socio-economic table",
                                          key="tables.socioeconomic")
    return df, label, data


def parse_csv(text: str, *, what: str, path: Path) -> pd.DataFrame:
    """Parse the text of a county's CSV table: every cell a str (``""`` when empty).

    The one CSV rule of the table readers (this module, :mod:`landuse.io.ledger`,
    :mod:`landuse.io.bureau`, the land-cover classes): a row with more fields than the
    header is an error that names the file, since pandas would otherwise drop the extra
    field or, when every row has one (a trailing comma), take the first column as the
    index and shift every value one column to the left.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                               index_col=False)
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{what} {path} is empty (no header line); give the table "
                             "with its header and rows") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise InputFileError(f"{what} {path} is not a well-formed CSV ({exc}); every row "
                             "needs as many fields as the header (no trailing comma)") from None


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_socioeconomic(path: str | Path, *, encoding: str | None = None) -> pd.DataFrame:
    """Read the socio-economic table (docs/contract.md §2.1) into a validated frame.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (UTF-8, UTF-8 with BOM, or GBK/GB18030) or ``.xlsx`` (first sheet).
    encoding : str, optional
        Encoding of a CSV. Without it UTF-8 is tried first, then GB18030 (a superset of
        GBK); the encoding used is recorded in ``attrs["source"]["encoding"]``.

    Returns
    -------
    DataFrame
        Columns ``year`` (int64), ``zone`` (str: 6-digit county, 9-digit township or
        12-digit village code, leading zeros kept) and the value columns (float64, NaN
        where the cell is empty; population in persons, money in 万元) and
        ``price_base_year`` (Int64, <NA> where empty or absent), sorted by year and zone.
        ``attrs["source"]`` = role, path, sha256, rows, encoding.

    Raises
    ------
    InputFileError
        The file is missing, unreadable or of another format.
    SchemaError
        ``year`` or ``zone`` is missing, a header maps twice, a value is not a
        non-negative number (message names the line and the column), a zone code is not
        6/9/12 digits, the urban population exceeds the total, or a (year, zone) pair is
        repeated.
    """
    path = Path(path)
    raw, enc, data = _read_raw(path, encoding)
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for header in raw.columns:
        canon = _canonical(header)
        if not canon:
            continue
        if canon in mapping:
            problems.append(f"columns {mapping[canon]!r} and {header!r} both mean {canon!r}")
        mapping[canon] = str(header)
    for needed in ("year", "zone"):
        if needed not in mapping:
            problems.append(
                f"missing column {needed!r} ({SOCIO_COLUMNS[needed]}); columns found: "
                f"{[str(c) for c in raw.columns]}")
    if problems:
        raise SchemaError(f"socio-economic table {path}: " + "; ".join(problems))

    out: dict[str, object] = {}
    lines = np.arange(len(raw)) + 2  # header is line 1
    years, zones = [], []
    for i, (y, z) in enumerate(zip(raw[mapping["year"]], raw[mapping["zone"]], strict=True)):
        yt, zt = _cell_text(y), _cell_text(z)
        if not re.fullmatch(r"\d{4}", yt):
            problems.append(f"line {lines[i]}, column {mapping['year']!r}: year {yt!r} is "
                            "not a 4-digit year")
        if not re.fullmatch(r"\d{6}|\d{9}|\d{12}", zt):
            problems.append(f"line {lines[i]}, column {mapping['zone']!r}: zone code {zt!r} is "
                            "not a 6-, 9- or 12-digit administrative code")
        years.append(int(yt) if yt.isdigit() else 0)
        zones.append(zt)
    out["year"] = np.asarray(years, dtype=np.int64)
    out["zone"] = zones
    for col in _VALUE_COLUMNS:
        values = np.full(len(raw), np.nan)
        if col in mapping:
            for i, cell in enumerate(raw[mapping[col]]):
                text = _cell_text(cell).replace(",", "").replace(" ", "")
                if text == "":
                    continue
                try:
                    v = float(text)
                except ValueError:
                    v = np.nan
                if not np.isfinite(v) or v < 0:
                    problems.append(f"line {lines[i]}, column {mapping[col]!r}: {text!r} is not "
                                    "a non-negative number (leave the cell empty if unknown)")
                    continue
                values[i] = v
        out[col] = values
    base = np.zeros(len(raw), dtype=np.int64)  # 0 = empty: the indicator's base year
    if "price_base_year" in mapping:
        for i, cell in enumerate(raw[mapping["price_base_year"]]):
            text = _cell_text(cell)
            if text == "":
                continue
            if not re.fullmatch(r"\d{4}", text):
                problems.append(f"line {lines[i]}, column {mapping['price_base_year']!r}: "
                                f"{text!r} is not a 4-digit year (leave it empty for the "
                                "indicator's base year)")
                continue
            base[i] = int(text)
    out["price_base_year"] = pd.array([int(b) if b > 0 else pd.NA for b in base],
                                      dtype="Int64")
    frame = pd.DataFrame(out)
    urban_over = (frame["population_urban"] > frame["population_total"]).to_numpy()
    for k in np.flatnonzero(urban_over):
        problems.append(f"line {lines[k]}: urban population {frame['population_urban'].iat[k]:g} "
                        f"exceeds the total population {frame['population_total'].iat[k]:g} "
                        "(城镇常住人口 > 常住人口); correct one of the two")
    dup = frame.duplicated(["year", "zone"], keep=False)
    if dup.any():
        for (y, z), g in frame[dup].groupby(["year", "zone"]):
            problems.append(f"year {y} zone {z} appears on lines "
                            f"{[int(lines[k]) for k in g.index]}; keep one row per year and zone")
    if problems:
        listed = problems[:_MAX_LISTED]
        extra = len(problems) - _MAX_LISTED
        more = f"\n  ... and {extra} more" if extra > 0 else ""
        raise SchemaError(f"socio-economic table {path}:\n  - " + "\n  - ".join(listed) + more)
    frame = frame.sort_values(["year", "zone"], kind="stable").reset_index(drop=True)
    frame.attrs["source"] = {
        "role": "socioeconomic",
        "path": str(path),
        "sha256": hashlib.sha256(data).hexdigest(),  # of the bytes read, not a second read
        "rows": len(frame),
        "encoding": enc,
    }
    ignored = [str(c) for c in raw.columns if str(c) not in mapping.values()]
    if ignored:
        attach_findings(frame, [Finding(
            code="socio_columns_ignored", severity="info", source=str(path), count=len(ignored),
            message=f"socio-economic table {path}: columns not used: {ignored}",
            examples=ignored[:5])])
    return frame
