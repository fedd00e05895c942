"""Readers: every input of ``landuse``, validated and normalised.

- :mod:`~landuse.io.vector`: the 三调 DLTB layer, townships (XZQ), the three control lines,
  protected areas and mining rights, from GeoPackage, Shapefile (GBK detected), FileGDB,
  GeoJSON, FlatGeobuf and GeoParquet.
- :mod:`~landuse.io.crs`: CGCS2000 Gauss-Kruger zones and the working CRS.
- :mod:`~landuse.io.boundary_txt`: the ministry's boundary-point TXT format (read and write).
- :mod:`~landuse.io.tables`: the socio-economic table; :mod:`~landuse.io.ledger`: land supply.
- :mod:`~landuse.io.raster`: categorical land-cover rasters, window by window.
"""

from __future__ import annotations

from landuse.io import boundary_txt, crs, ledger, raster, tables, vector
from landuse.io._source import file_sha256, layer_names
from landuse.io.boundary_txt import (
    read_boundary_txt,
    txt_to_vector,
    vector_to_txt,
    write_boundary_txt,
)
from landuse.io.crs import choose_working_crs, ellipsoidal_area, gk3_zone_epsg, to_working_crs
from landuse.io.ledger import assign_zones, read_land_supply, read_parcels
from landuse.io.raster import read_landcover_classes
from landuse.io.tables import read_socioeconomic
from landuse.io.vector import (
    read_control_line,
    read_landuse,
    read_mining_rights,
    read_protected_areas,
    read_townships,
)

__all__ = [
    "assign_zones",
    "boundary_txt",
    "choose_working_crs",
    "crs",
    "ellipsoidal_area",
    "file_sha256",
    "gk3_zone_epsg",
    "layer_names",
    "ledger",
    "raster",
    "read_boundary_txt",
    "read_control_line",
    "read_land_supply",
    "read_landcover_classes",
    "read_landuse",
    "read_mining_rights",
    "read_parcels",
    "read_protected_areas",
    "read_socioeconomic",
    "read_townships",
    "tables",
    "to_working_crs",
    "txt_to_vector",
    "vector",
    "vector_to_txt",
    "write_boundary_txt",
]
