"""Text encoding of Shapefile attribute tables (.dbf).

Chinese county Shapefiles are often GBK-encoded and often lack the ``.cpg`` sidecar that
names the encoding. GDAL then falls back to ISO-8859-1 and returns mojibake without a
word. This module reads the raw bytes of the ``.dbf`` character fields and decides
between UTF-8 and GB18030 (the superset of GBK / GB2312 / CP936) by which one decodes
them cleanly.

Rule (documented in docs/io.md):

1. ``encoding=`` given by the user: used as is.
2. A ``.cpg`` file (refused when it names a single-byte code page, e.g. ISO-8859-1,
   for text whose bytes are GBK Chinese), or a language-driver byte (LDID, byte 29 of
   the .dbf header) other than 0 (none) or 0x57 (87, "current ANSI code page", which
   says nothing): GDAL honours it.
3. Otherwise the text bytes are examined: only ASCII -> ``UTF-8`` (identical in every
   candidate); valid UTF-8 -> ``UTF-8``; valid GB18030 -> ``GB18030``; neither -> error
   asking for ``encoding=``.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from landuse.errors import InputFileError

__all__ = ["DbfEncoding", "detect_dbf_encoding", "shapefile_encoding"]

#: LDID values that do not name an encoding (0: none, 0x57: the writer's ANSI code page).
_SILENT_LDID = (0x00, 0x57)

#: Candidate encodings, tried in this order (UTF-8 first: GB18030 decodes many UTF-8
#: byte sequences without error, UTF-8 almost never decodes GBK text).
_CANDIDATES = ("UTF-8", "GB18030")


@dataclass(frozen=True)
class DbfEncoding:
    """Outcome of the encoding decision for one Shapefile.

    Attributes
    ----------
    encoding : str or None
        Encoding to pass to the reader (``None``: let GDAL use the .cpg / LDID).
    label : str
        Encoding as recorded in ``attrs["source"]["encoding"]``.
    how : str
        ``"argument"``, ``"cpg"``, ``"ldid"``, ``"detected"`` or ``"ascii"``.
    """

    encoding: str | None
    label: str
    how: str


def _dbf_text_bytes(data: bytes, *, source: str) -> tuple[int, list[bytes]]:
    """Return the LDID byte and the non-ASCII values of the character (C) fields."""
    if len(data) < 32:
        raise InputFileError(f"{source}: the .dbf file is truncated ({len(data)} bytes)")
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    ldid = data[29]
    fields: list[tuple[int, int]] = []  # (offset in record, length) of C fields
    offset = 1  # deletion flag
    pos = 32
    while pos + 32 <= header_len and data[pos] != 0x0D:
        ftype = chr(data[pos + 11])
        flen = data[pos + 16]
        if ftype == "C":
            flen += data[pos + 17] * 256  # Clipper-style long character fields
            fields.append((offset, flen))
        offset += flen
        pos += 32
    n_avail = max(0, (len(data) - header_len) // max(record_len, 1))
    n = min(n_records, n_avail)
    if n == 0 or not fields:
        return ldid, []
    block = np.frombuffer(data, dtype=np.uint8, count=n * record_len, offset=header_len)
    block = block.reshape(n, record_len)
    values: list[bytes] = []
    for off, flen in fields:
        col = block[:, off : off + flen]
        rows = np.flatnonzero((col >= 0x80).any(axis=1))
        values.extend(bytes(col[r]).rstrip(b" \x00") for r in rows)
    return ldid, values


def detect_dbf_encoding(data: bytes, *, source: str) -> DbfEncoding:
    """Decide the encoding of a .dbf file from its bytes (rule 3 of the module docstring).

    Parameters
    ----------
    data : bytes
        The whole .dbf file.
    source : str
        File name for messages.

    Returns
    -------
    DbfEncoding

    Raises
    ------
    InputFileError
        When the text decodes neither as UTF-8 nor as GB18030 (the message shows an
        example value and asks for ``encoding=``).
    """
    _, values = _dbf_text_bytes(data, source=source)
    if not values:
        return DbfEncoding("UTF-8", "UTF-8", "ascii")
    for candidate in _CANDIDATES:
        try:
            for v in values:
                v.decode(candidate)
        except UnicodeDecodeError:
            continue
        return DbfEncoding(candidate, candidate, "detected")
    raise InputFileError(
        f"{source}: the text fields decode neither as UTF-8 nor as GBK/GB18030 (e.g. bytes "
        f"{values[0][:24]!r}); pass the encoding explicitly, e.g. encoding='Big5'"
    )


def _check_given(dbf: bytes, encoding: str, *, source: str) -> None:
    """Raise when the text of ``dbf`` does not decode with the user's ``encoding``."""
    _, values = _dbf_text_bytes(dbf, source=source)
    try:
        for v in values:
            v.decode(encoding)
    except LookupError:  # a codec name GDAL knows but Python does not: trust the user
        return
    except UnicodeDecodeError:
        guess = detect_dbf_encoding(dbf, source=source).label
        raise InputFileError(
            f"{source}: the text fields do not decode as {encoding!r} (e.g. bytes "
            f"{v[:24]!r}); they decode as {guess}. Pass encoding={guess!r} (and correct a "
            "wrong .cpg)"
        ) from None


def _cjk_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are CJK ideographs or CJK marks."""
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if not non_ascii:
        return 0.0
    cjk = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
              or "\uff00" <= c <= "\uffef" or "\u3400" <= c <= "\u4dbf")
    return cjk / len(non_ascii)


def _single_byte(codec: str) -> bool:
    """Whether ``codec`` maps every byte to one character (ISO-8859-x, cp125x, cp437 ...)."""
    probe = b"\xc3\xa9\xd6\xd0"  # é in UTF-8, 中 in GBK: 4 characters only one byte each
    try:
        return len(probe.decode(codec, errors="replace")) == len(probe)
    except LookupError:
        return False


def _cpg_codec(label: str) -> str:
    """Python codec name of a .cpg value (``936`` -> cp936, ``8859_1`` -> iso8859-1)."""
    m = re.fullmatch(r"(?:ISO)?[ _-]?8859[ _-]?(\d+)", label.strip(), flags=re.IGNORECASE)
    if m:
        return f"iso8859-{m.group(1)}"
    return f"cp{label}" if label.isdigit() else label


def _check_single_byte(dbf: bytes, codec: str, label: str, *, source: str) -> None:
    """Refuse a single-byte code page declared for text that is GBK Chinese.

    Any byte sequence decodes in a single-byte code page, so the .cpg cannot be checked by
    decoding; but text whose non-ASCII bytes are valid GB18030 and decode to CJK
    ideographs (at least 90 % of the non-ASCII characters) is Chinese, and reading it as
    ``label`` would give mojibake names without a word.
    """
    if not _single_byte(codec):
        return
    _, values = _dbf_text_bytes(dbf, source=source)
    if not values:
        return
    try:
        decoded = [v.decode("gb18030") for v in values]
    except UnicodeDecodeError:
        return
    if _cjk_share("".join(decoded)) >= 0.9:
        example = next(d for d in decoded if _cjk_share(d) > 0)
        raise InputFileError(
            f"编码声明错误 {source}: the .cpg declares the single-byte code page {label!r}, but "
            f"the text is GBK Chinese (e.g. {example[:20]!r}, read as {label}: "
            f"{values[0][:20].decode(codec, errors='replace')!r}). Correct the .cpg to GBK, "
            "or set encoding = \"GBK\" in this layer's table of the config"
        )


def _read_member(path: Path, suffix: str, *, layer: str | None) -> bytes | None:
    """Bytes of the sidecar ``suffix`` of a Shapefile (plain or inside a .zip), or None."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(suffix)]
            if layer is not None:
                names = [n for n in names if Path(n).stem.lower() == layer.lower()] or names
            return zf.read(names[0]) if names else None
    for cand in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if cand.is_file():
            return cand.read_bytes()
    return None


def shapefile_encoding(
    path: Path, *, layer: str | None, encoding: str | None, source: str
) -> DbfEncoding:
    """Decide how to decode the attribute table of a Shapefile (``.shp`` or zipped).

    Parameters
    ----------
    path : Path
        The ``.shp`` or ``.zip`` file.
    layer : str, optional
        The Shapefile's name inside a ``.zip`` holding several.
    encoding : str, optional
        The user's ``encoding=``; wins over everything.
    source : str
        File and layer for messages.

    Returns
    -------
    DbfEncoding
    """
    dbf = _read_member(path, ".dbf", layer=layer)
    if encoding is not None:
        if dbf is not None:
            _check_given(dbf, encoding, source=source)
        return DbfEncoding(encoding, encoding, "argument")
    cpg = _read_member(path, ".cpg", layer=layer)
    if cpg is not None and cpg.strip():
        label = cpg.decode("ascii", "replace").strip()
        if dbf is not None:
            codec = _cpg_codec(label)
            _check_given(dbf, codec, source=f"{source} (its .cpg says {label})")
            _check_single_byte(dbf, codec, label, source=source)
        return DbfEncoding(None, label, "cpg")
    if dbf is None:
        raise InputFileError(
            f"{source}: the Shapefile has no .dbf attribute table; copy the .dbf (and .shx, "
            ".prj, .cpg) that belong with the .shp into the same folder"
        )
    ldid = dbf[29] if len(dbf) > 29 else 0
    if ldid not in _SILENT_LDID:
        return DbfEncoding(None, f"LDID/{ldid}", "ldid")
    return detect_dbf_encoding(dbf, source=source)
