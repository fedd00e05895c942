"""Add the survey-table fields to the committed sample files, changing nothing else.

FRDBS (飞入地标识) on DLTB and KZMJ (控制面积) on XZQ, computed from the committed
attributes with the generator's own functions (``_synth_attributes.flying_flags`` and
``control_areas``), so the result equals what ``make_sample.py`` now writes. The
GeoPackage gains the columns in place (SQL ``ALTER TABLE``: no geometry is rewritten); the
GBK Shapefile and the FileGDB copies are rewritten from the GeoPackage's DLTB and XZQ.

Usage::

    python sample_data/add_survey_fields.py                       # the committed sample
    python sample_data/add_survey_fields.py --gpkg COPY.gpkg --no-copies   # e.g. a large county
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pyogrio

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _synth_attributes as attrs
import make_sample

HERE = Path(__file__).resolve().parent


def _add_column(con: sqlite3.Connection, table: str, column: str, kind: str,
                values: dict) -> None:
    """Add ``column`` to ``table`` and set it per primary key (``values``: fid -> value)."""
    info = list(con.execute(f'PRAGMA table_info("{table}")'))
    cols = [r[1] for r in info]
    key = next(r[1] for r in info if r[5])  # the GeoPackage feature id (primary key)
    if column not in cols:
        con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
    # the spatial-index triggers fire on any UPDATE and call SpatiaLite functions sqlite3
    # lacks; no geometry changes here, so they are set aside and put back unchanged
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                           "tbl_name = ?", (table,)).fetchall()
    for name, _ in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    con.executemany(f'UPDATE "{table}" SET "{column}" = ? WHERE "{key}" = ?',
                    [(v, k) for k, v in values.items()])
    for _, sql in triggers:
        con.execute(sql)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpkg", type=Path, default=HERE / "huantai.gpkg")
    parser.add_argument("--no-copies", action="store_true", help="skip the SHP / GDB copies")
    args = parser.parse_args(argv)
    gpkg = args.gpkg
    dltb = pyogrio.read_dataframe(gpkg, layer="DLTB", read_geometry=False, fid_as_index=True)
    xzq = pyogrio.read_dataframe(gpkg, layer="XZQ", read_geometry=False, fid_as_index=True)
    frdbs = attrs.flying_flags(dltb)
    kzmj = attrs.control_areas(dltb, xzq["XZQDM"].to_numpy())
    with sqlite3.connect(gpkg) as con:
        _add_column(con, "DLTB", "FRDBS", "TEXT",
                    dict(zip(dltb.index.tolist(), frdbs.tolist(), strict=True)))
        _add_column(con, "XZQ", "KZMJ", "REAL",
                    dict(zip(xzq.index.tolist(), kzmj.tolist(), strict=True)))
    print(f"FRDBS = 1 on {int((frdbs == '1').sum())} patches; KZMJ on {len(kzmj)} townships "
          f"(Σ {np.sum(kzmj):.2f} m²)")
    if args.no_copies:
        return 0
    full = pyogrio.read_dataframe(gpkg, layer="DLTB")
    towns = pyogrio.read_dataframe(gpkg, layer="XZQ")
    make_sample.write_shapefile_gbk(HERE / "huantai_shp", full)
    gdb = HERE / "huantai.gdb"
    shutil.rmtree(gdb)
    pyogrio.write_dataframe(full, gdb, layer="DLTB", driver="OpenFileGDB")
    pyogrio.write_dataframe(towns, gdb, layer="XZQ", driver="OpenFileGDB",
                            promote_to_multi=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
