"""Curved geometries from desktop GIS exports are read, linearised and reported (issue #21).

Expected areas come from the arc geometry by hand (tests/io/_curved_data.py), never from
landuse; the tolerance checked is the documented one (0.1° steps: r² Φ θ² / 12 per arc).
"""

from __future__ import annotations

import math
import re
import struct

import numpy as np
import pyarrow as pa
import pytest
import shapely

from landuse.errors import InputFileError
from landuse.io import read_parcels
from landuse.io._curves import curved_mask, exact_area
from landuse.io.vector import (
    read_control_line,
    read_landuse,
    read_mining_rights,
    read_protected_areas,
    read_townships,
)
from tests.io._curved_data import (
    CURVED,
    FORMATS,
    PATCHES,
    READER_COLUMNS,
    arc,
    compound,
    curve_polygon,
    line,
    multi_surface,
    write_curved,
)

_CHANGE = re.compile(r"largest area change against the exact arc area is ([+-]\d+\.\d+) m²")


def _check_areas(areas: dict[str, float]) -> None:
    """Each patch's area is its exact arc area within the documented linearisation bound."""
    for name, (_, exact, bound) in PATCHES.items():
        assert abs(areas[name] - exact) <= bound + 1e-6, (name, areas[name], exact, bound)
        assert abs(areas[name] - exact) < 0.01


def _check_finding(findings, areas: dict[str, float]) -> None:
    found = [f for f in findings if f.code == "curves_linearised"]
    assert len(found) == 1
    f = found[0]
    assert f.count == len(CURVED) and f.severity == "info"
    changes = {n: areas[n] - PATCHES[n][1] for n in CURVED}
    largest = max(changes, key=lambda n: abs(changes[n]))
    assert f.examples[0] == largest and sorted(f.examples) == sorted(CURVED)
    reported = float(_CHANGE.search(f.message).group(1))
    assert reported == pytest.approx(changes[largest], abs=1e-4)


# ------------------------------------------------------------------ every reader, every format

_READERS = {
    "landuse": (lambda p: read_landuse(p, layer="DLTB"), "BSM", "DLTB"),
    "townships": (lambda p: read_townships(p, layer="XZQ"), "zone", "XZQ"),
    "ecological_redline": (lambda p: read_control_line(p, kind="ecological_redline"),
                           "line_id", "STBHHX"),
    "permanent_farmland": (lambda p: read_control_line(p, kind="permanent_farmland"),
                           "line_id", "YJJBNTBHTB"),
    "urban_boundary": (lambda p: read_control_line(p, kind="urban_boundary"),
                       "line_id", "CZKFBJ"),
    "high_standard_farmland": (lambda p: read_control_line(p, kind="high_standard_farmland"),
                               "line_id", "GBZNT"),
    "protected_areas": (read_protected_areas, "id", "protected"),
    "mining_rights": (read_mining_rights, "licence_no", "mining"),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_landuse_curved_patches(tmp_path, fmt):
    path = write_curved(tmp_path, fmt, READER_COLUMNS["landuse"], layer="DLTB")
    lu = read_landuse(path, layer="DLTB")
    assert sorted(lu["BSM"]) == sorted(PATCHES)
    assert set(lu.geom_type) == {"Polygon"}
    areas = dict(zip(lu["BSM"], lu.area, strict=True))
    _check_areas(areas)
    _check_finding(lu.attrs["findings"], areas)
    # TBMJ from the attribute table stays the area of record
    tbmj = dict(zip(lu["BSM"], lu["TBMJ"], strict=True))
    assert tbmj == {n: round(v[1], 2) for n, v in PATCHES.items()}
    assert not any(f.code == "tbmj_mismatch" for f in lu.attrs["findings"])
    # the ring keeps its hole
    ring = lu.geometry[lu["BSM"] == "RING"].iloc[0]
    assert len(ring.interiors) == 1


@pytest.mark.parametrize("role", list(_READERS))
@pytest.mark.parametrize("fmt", ["gpkg", "gdb"])
def test_every_reader_reads_curves(tmp_path, role, fmt):
    read, id_col, layer = _READERS[role]
    path = write_curved(tmp_path, fmt, READER_COLUMNS[role], layer=layer)
    gdf = read(path)
    first = READER_COLUMNS[role][next(iter(READER_COLUMNS[role]))]
    names = dict(zip(first, PATCHES, strict=True))
    areas = {names[k]: a for k, a in zip(gdf[id_col], gdf.area, strict=True)}
    _check_areas(areas)
    found = [f for f in gdf.attrs["findings"] if f.code == "curves_linearised"]
    assert len(found) == 1 and found[0].count == len(CURVED)


def test_supply_parcels(tmp_path):
    path = write_curved(tmp_path, "gpkg", READER_COLUMNS["parcels"], layer="parcels")
    parcels = read_parcels(path, layer="parcels")
    areas = dict(zip(parcels["parcel_id"], parcels.area, strict=True))
    _check_areas(areas)
    found = [f for f in parcels.attrs["findings"] if f.code == "curves_linearised"]
    assert len(found) == 1 and found[0].count == len(CURVED)
    assert all(e.startswith("fid ") for e in found[0].examples)


def test_layer_without_curves_has_no_finding(tmp_path):
    from tests.io._vector_data import make_dltb, write

    lu = read_landuse(write(make_dltb(), "gpkg", tmp_path))
    assert not any(f.code == "curves_linearised" for f in lu.attrs["findings"])


def test_geoparquet_with_curves_is_a_clear_error(tmp_path):
    import pyarrow.parquet as pq

    wkb = [v[0] for v in PATCHES.values()]
    geo = ('{"version": "1.0.0", "primary_column": "geometry", "columns": {"geometry": '
           '{"encoding": "WKB", "geometry_types": []}}}')
    table = pa.table({"DLBM": ["0101"] * len(wkb), "geometry": pa.array(wkb, pa.binary())})
    table = table.replace_schema_metadata({"geo": geo})
    path = tmp_path / "dltb.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputFileError, match=r"dltb\.parquet.*curved geometries.*GeoPackage"):
        read_landuse(path)


# ------------------------------------------------------------------ the pieces, by hand

def test_curved_mask_reads_type_codes():
    plain = shapely.to_wkb(shapely.box(0, 0, 1, 1), flavor="iso")
    half = PATCHES["HALF"][0]
    big_endian_circle = struct.pack(">BII", 0, 8, 3) + struct.pack(">6d", 1, 0, -1, 0, 1, 0)
    z_surface = struct.pack("<BII", 1, 1012, 0)  # MultiSurface Z, ISO code
    ewkb_z_curve_polygon = struct.pack("<BII", 1, 0x80000000 | 10, 0)
    arr = pa.array([plain, half, None, b"", big_endian_circle, z_surface,
                    ewkb_z_curve_polygon], pa.binary())
    assert curved_mask(arr).tolist() == [False, True, False, False, True, True, True]
    chunked = pa.chunked_array([arr.slice(0, 2), arr.slice(2)])
    assert curved_mask(chunked).tolist() == curved_mask(arr).tolist()
    assert curved_mask(arr.cast(pa.large_binary())).tolist() == curved_mask(arr).tolist()


@pytest.mark.parametrize("name", list(PATCHES))
def test_exact_area_of_the_patches(name):
    wkb, expected, _ = PATCHES[name]
    assert exact_area(wkb) == pytest.approx(expected, rel=1e-12)


def test_exact_area_major_arc_and_orientation():
    # three-quarter disc of radius 10 (a sector of 270°): arc from (10, 0) counter-
    # clockwise through 135° to 270°, closed through the centre: ¾ π 10²
    r = 10.0
    mid = (r * math.cos(math.radians(135)), r * math.sin(math.radians(135)))
    ccw = curve_polygon(compound(arc([(r, 0), mid, (0, -r)]), line([(0, -r), (0, 0), (r, 0)])))
    cw = curve_polygon(compound(line([(r, 0), (0, 0), (0, -r)]), arc([(0, -r), mid, (r, 0)])))
    assert exact_area(ccw) == pytest.approx(0.75 * math.pi * r * r, rel=1e-12)
    assert exact_area(cw) == pytest.approx(0.75 * math.pi * r * r, rel=1e-12)
    # an inward (concave) arc: a 20 x 20 square whose top edge dips as an arc of
    # sagitta 2: r = (10² + 2²) / 4 = 26, minus the segment r²/2 (Φ − sin Φ)
    rr = (10 ** 2 + 2 ** 2) / 4
    phi = 2 * math.asin(10 / rr)
    dip = curve_polygon(compound(line([(0, 20), (0, 0), (20, 0), (20, 20)]),
                                 arc([(20, 20), (10, 18), (0, 20)])))
    assert exact_area(dip) == pytest.approx(400 - rr * rr / 2 * (phi - math.sin(phi)),
                                            rel=1e-12)
    # collinear "arc" points are a straight edge; MultiSurface sums its members
    straight = curve_polygon(compound(line([(0, 0), (4, 0), (4, 3)]),
                                      arc([(4, 3), (2, 3), (0, 3)]), line([(0, 3), (0, 0)])))
    assert exact_area(multi_surface(straight, straight)) == pytest.approx(24.0)


def test_exact_area_skips_z_and_m():
    # a full circle of radius 2 written as CircularString ZM (ISO 3008)
    pts = [(2, 0, 5, 7), (-2, 0, 5, 7), (2, 0, 5, 7)]
    ring = struct.pack("<BII", 1, 3008, 3) + b"".join(struct.pack("<4d", *p) for p in pts)
    poly = struct.pack("<BII", 1, 3010, 1) + ring
    assert exact_area(poly) == pytest.approx(4 * math.pi, rel=1e-12)


def test_step_is_restored_after_reading(tmp_path):
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_ARC_STEPSIZE": "2"})
    try:
        path = write_curved(tmp_path, "gpkg", READER_COLUMNS["landuse"], layer="DLTB")
        lu = read_landuse(path)
        _check_areas(dict(zip(lu["BSM"], lu.area, strict=True)))
        assert str(pyogrio.get_gdal_config_option("OGR_ARC_STEPSIZE")) == "2"
    finally:
        pyogrio.set_gdal_config_options({"OGR_ARC_STEPSIZE": None})


def test_read_rows_keep_file_order(tmp_path):
    # FlatGeobuf returns rows in spatial-index order through Arrow; the curved path must
    # keep attributes and geometries of one feature together
    path = write_curved(tmp_path, "fgb", READER_COLUMNS["landuse"], layer="DLTB")
    lu = read_landuse(path)
    for bsm, geom in zip(lu["BSM"], lu.geometry, strict=True):
        assert geom.area == pytest.approx(PATCHES[bsm][1], abs=0.01)
    assert np.all(lu["TBMJ"].to_numpy() == np.round([PATCHES[b][1] for b in lu["BSM"]], 2))


def test_curves_with_z_are_linearised_and_flattened(tmp_path):
    import pyogrio

    from tests.io._curved_data import CRS, X0, Y0

    def pz(x: float, y: float) -> bytes:
        return struct.pack("<ddd", x, y, 7.0)

    r = 50.0  # half disc with Z (ISO 1012 / 1010 / 1009 / 1008 / 1002): π r² / 2
    arc_z = struct.pack("<BII", 1, 1008, 3) + pz(X0 + r, Y0) + pz(X0, Y0 + r) + pz(X0 - r, Y0)
    line_z = struct.pack("<BII", 1, 1002, 2) + pz(X0 - r, Y0) + pz(X0 + r, Y0)
    wkb = (struct.pack("<BII", 1, 1012, 1) + struct.pack("<BII", 1, 1010, 1)
           + struct.pack("<BII", 1, 1009, 2) + arc_z + line_z)
    path = tmp_path / "z.gpkg"
    table = pa.table({"BSM": ["Z1"], "DLBM": ["0101"], "geometry": pa.array([wkb], pa.binary())})
    pyogrio.write_arrow(table, path, layer="DLTB", driver="GPKG", geometry_name="geometry",
                        geometry_type="Unknown", crs=CRS)
    lu = read_landuse(path)
    assert not lu.has_z.any()
    bound = r * r * math.pi * math.radians(0.1) ** 2 / 12  # r² Φ θ² / 12, Φ = π
    assert abs(lu.area.iat[0] - math.pi * r * r / 2) <= bound
    assert [f.count for f in lu.attrs["findings"] if f.code == "curves_linearised"] == [1]
