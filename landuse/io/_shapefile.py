"""Integrity of a Shapefile's parts before GDAL reads it (private to :mod:`landuse.io`).

GDAL reads what it can: a ``.shp`` cut short gives null geometries for the records past
the cut, a missing ``.dbf`` gives a layer without fields. Either way the run would go on
with part of the county. This module compares the three parts' own record counts and
lengths and refuses a damaged set with a message that names the part and the numbers:

- ``.shp`` header length (bytes 24-27, 16-bit words) vs the file's size;
- ``.shx`` records ((size - 100) / 8) vs the ``.dbf`` header's record count;
- every ``.shx`` entry (offset, length) must lie inside the ``.shp``;
- ``.dbf`` size vs header length + records x record length.
"""

from __future__ import annotations

import struct
from pathlib import Path

from landuse.errors import InputFileError

__all__ = ["check_shapefile"]

_SHP_HEADER = 100


def _part(path: Path, suffix: str) -> Path | None:
    for cand in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if cand.is_file():
            return cand
    return None


def _shp_records(shx: bytes) -> list[tuple[int, int]]:
    """(offset, content length) in bytes of every record indexed by the .shx."""
    n = max(0, (len(shx) - _SHP_HEADER) // 8)
    out = []
    for i in range(n):
        off, length = struct.unpack(">ii", shx[_SHP_HEADER + 8 * i: _SHP_HEADER + 8 * i + 8])
        out.append((2 * off, 2 * length))
    return out


def check_shapefile(path: Path) -> None:
    """Refuse a Shapefile whose parts are missing, truncated or disagree in record count.

    Parameters
    ----------
    path : Path
        The ``.shp`` file (a zipped Shapefile is left to GDAL).

    Raises
    ------
    InputFileError
        Naming the part (``.shp``, ``.shx``, ``.dbf``) and the counts that disagree.
    """
    if path.suffix.lower() != ".shp":
        return
    name = path.name
    missing = [s for s in (".shx", ".dbf") if _part(path, s) is None]
    if missing:
        raise InputFileError(
            f"the {' and '.join(missing)} of {name} {'is' if len(missing) == 1 else 'are'} "
            f"missing ({path.parent}): a Shapefile is several files with the same name "
            f"({name[:-4]}.shp, .shx, .dbf, .prj, .cpg); copy the missing part(s) next to "
            "the .shp"
        )
    shx_path, dbf_path = _part(path, ".shx"), _part(path, ".dbf")
    assert shx_path is not None and dbf_path is not None
    shp_size = path.stat().st_size
    with path.open("rb") as fh:
        header = fh.read(_SHP_HEADER)
    if len(header) < _SHP_HEADER or struct.unpack(">i", header[:4])[0] != 9994:
        raise InputFileError(f"{name} is not a Shapefile main file (.shp): its header is "
                             f"missing or damaged ({shp_size} bytes); copy it again from "
                             "the source")
    declared = 2 * struct.unpack(">i", header[24:28])[0]
    records = _shp_records(shx_path.read_bytes())
    with dbf_path.open("rb") as fh:
        dbf_head = fh.read(12)
    if len(dbf_head) < 12:
        raise InputFileError(f"the .dbf of {name} is truncated ({len(dbf_head)} bytes); copy "
                             "it again from the source")
    n_dbf, dbf_header, rec_len = struct.unpack("<IHH", dbf_head[4:12])
    dbf_size = dbf_path.stat().st_size
    readable = sum(1 for off, length in records if off + 8 + length <= shp_size)
    problems = []
    if shp_size < declared or readable < len(records):
        problems.append(
            f"the .shp is truncated: {shp_size:,} bytes of the {declared:,} its header "
            f"declares; {readable:,} of the {len(records):,} records indexed by the .shx "
            "are complete")
    if len(records) != n_dbf:
        problems.append(f"the .shx indexes {len(records):,} records but the .dbf holds "
                        f"{n_dbf:,}")
    if dbf_size < dbf_header + n_dbf * rec_len:
        whole = max(0, (dbf_size - dbf_header) // max(rec_len, 1))
        problems.append(f"the .dbf is truncated: {dbf_size:,} bytes hold {whole:,} of the "
                        f"{n_dbf:,} records its header declares")
    if problems:
        raise InputFileError(
            f"文件不完整 {name} is damaged: " + "; ".join(problems) + ". Reading it would drop "
            "the missing features silently; copy the Shapefile (.shp, .shx, .dbf together) "
            "again from the source"
        )
