"""Categorical rasters: class mapping, pixel areas and windowed zonal tabulation.

A land-cover raster (a national 30 m product, a county's own classification or the
sample ``landcover.tif``) is read **window by window** (bands of whole rows aligned to
the file's blocks), so memory stays bounded whatever the raster's size: for each window
the zones are rasterised onto the window's grid and the pixel values are counted per
(zone, value) with ``numpy.bincount``.

Edge rules (``edge=``)
----------------------
``"centre"``
    A pixel belongs to a zone when its **centre** lies inside the zone polygon (GDAL
    rasterisation with ``all_touched=False``; the rule of ``rasterstats`` by default).
    Each pixel counts fully or not at all.
``"exact"``
    A pixel counts with the **fraction of its area covered** by the zone (the rule of
    ``exactextract``). Pixels crossed by a zone boundary (found by rasterising the
    boundaries with ``all_touched=True``) are intersected with the zone polygon clipped
    to the window (shapely); every other pixel is wholly inside or outside a zone and
    takes the centre rule.

Pixel areas
-----------
Projected CRS: every pixel has the area ``|a·e − b·d|`` of the affine transform times the
square of the CRS's linear unit in metres. Geographic CRS (EPSG:4326, EPSG:4490 ...): the
area of a pixel depends on its latitude; each row's pixel area is the exact area on the
CRS's ellipsoid of the cell bounded by two parallels and two meridians (closed form,
computed once per row; the tests check it against ``pyproj.Geod`` on the densified pixel
outline). Rotated geographic grids are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.errors
import shapely
from affine import Affine
from rasterio.features import rasterize
from rasterio.windows import Window

from landuse.errors import CRSError, InputFileError, SchemaError
from landuse.findings import Finding, attach_findings
from landuse.io._vocab import yes_no
from landuse.io.crs import check_area_of_use
from landuse.io.tables import read_table_cells

__all__ = [
    "EdgeRule",
    "RasterSource",
    "open_raster",
    "pixel_areas_by_row",
    "read_landcover_classes",
    "row_windows",
    "zonal_value_areas",
]

EdgeRule = Literal["centre", "exact"]
_GDAL_CACHE_BYTES = 64 << 20
_TARGET_WINDOW_PIXELS = 1 << 23  # about 8 million pixels per window (~150 MB of work arrays)


def read_landcover_classes(path: str | Path) -> pd.DataFrame:
    """Read a land-cover class mapping CSV (raster value -> class name, construction yes/no).

    The file has a header with at least ``value``, ``class`` and ``construction``
    (Chinese headers ``栅格值``, ``类别``, ``是否建设用地`` are accepted too) and optionally
    ``name_zh``. ``construction`` takes ``1/0``, ``yes/no``, ``true/false`` or ``是/否``.
    UTF-8 (with or without BOM) or GBK / GB18030 text, or an XLSX workbook (read as the
    other county tables are, :func:`landuse.io.tables.read_table_cells`).

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    DataFrame
        Columns ``value`` (int64), ``class`` (str), ``construction`` (bool), ``name_zh`` (str),
        one row per raster value, sorted by value.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    SchemaError
        A column is missing, a value is not an integer, repeated, or ``construction`` is not
        a yes/no word (every problem is listed, with its line number).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"land-cover class file {path} not found; give the CSV that maps "
                             "raster values to classes (value,class,construction)")
    # the county tables' one reader: UTF-8 (BOM or not) or GB18030/GBK, XLSX too
    raw = read_table_cells(path, None, what="land-cover class file", key="rasters.landcover")[0]
    rename = {"栅格值": "value", "类别": "class", "是否建设用地": "construction", "名称": "name_zh"}
    raw = raw.rename(columns=lambda c: rename.get(c.strip(), c.strip().lower()))
    missing = [c for c in ("value", "class", "construction") if c not in raw.columns]
    if missing:
        raise SchemaError(f"land-cover class file {path} lacks the column(s) {missing}; found "
                          f"{list(raw.columns)}. The header must be value,class,construction")
    problems: list[str] = []
    values: list[int] = []
    flags: list[bool] = []
    for i, row in enumerate(raw.itertuples(index=False), start=2):
        v = str(row.value).strip()
        try:
            values.append(int(v))
        except ValueError:
            problems.append(f"line {i}: value {v!r} is not an integer")
            values.append(-1)
        said = yes_no(row.construction)
        if said is None:
            problems.append(f"line {i}: construction {row.construction!r} is not yes/no (1/0)")
        flags.append(bool(said))
        if not str(getattr(row, "_1", row[1])).strip():
            problems.append(f"line {i}: empty class name")
    out = pd.DataFrame({
        "value": np.asarray(values, dtype=np.int64),
        "class": raw["class"].astype(str).str.strip().to_numpy(),
        "construction": np.asarray(flags, dtype=bool),
        "name_zh": (raw["name_zh"].astype(str).str.strip() if "name_zh" in raw.columns
                    else pd.Series([""] * len(raw))).to_numpy(),
    })
    dup = out["value"][out["value"].duplicated()].unique().tolist()
    if dup:
        problems.append(f"values repeated: {dup}")
    if problems:
        raise SchemaError(f"land-cover class file {path}:\n  - " + "\n  - ".join(problems))
    return out.sort_values("value", ignore_index=True)


def _crs_of(src: rasterio.io.DatasetReader, path: Path) -> pyproj.CRS:
    if src.crs is None:
        raise CRSError(f"raster {path} has no CRS; assign one (e.g. gdal_edit.py -a_srs "
                       "EPSG:4527) so pixel areas can be measured")
    crs = pyproj.CRS.from_user_input(src.crs.to_wkt())
    check_area_of_use([shapely.box(*src.bounds)], crs, source=f"raster {path}")
    return crs


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _check_band(dtype: np.dtype, path: Path, band: int) -> None:
    if dtype.kind not in "iu" or dtype.itemsize > 4:
        raise SchemaError(f"raster {path} band {band} is {dtype}; a categorical land-cover "
                          "raster must hold integers of at most 32 bits (e.g. uint8)")


class RasterSource:
    """A categorical raster opened and checked once; its pixels are read on demand.

    Built by :func:`open_raster` in the read phase: the file is opened, its CRS (present,
    coordinates inside its area of use) and band type are checked and its last row is read
    (which fails when the file is truncated). The pixels are read later, **window by
    window**, by :meth:`value_areas`, so memory stays bounded whatever the raster's size
    (nothing is loaded whole). The land-cover indicators take this object (any object with
    ``name`` and ``value_areas``, :class:`landuse.county.PixelSource`), never a path.

    Attributes
    ----------
    path : Path
        The raster file.
    band : int
        The band tabulated.
    crs : pyproj.CRS
        The raster's CRS.
    crs_label : str
        The CRS as the file gives it (e.g. ``EPSG:4527``), for the provenance.
    width, height : int
        Size in pixels.
    dtype : numpy.dtype
        The band's integer type.
    """

    def __init__(self, path: str | Path, *, band: int = 1) -> None:
        self.path = Path(path)
        self.band = int(band)
        try:
            with rasterio.open(self.path) as src:
                self.crs = _crs_of(src, self.path)
                self.crs_label = str(src.crs.to_string())
                self.dtype = np.dtype(src.dtypes[band - 1])
                _check_band(self.dtype, self.path, band)
                self.width, self.height = int(src.width), int(src.height)
                src.read(band, window=Window(0, src.height - 1, src.width, 1))
        except rasterio.errors.RasterioError as exc:
            raise InputFileError(f"raster {self.path} cannot be read ({exc}); the file is "
                                 "damaged or truncated: copy it again from the source") from None
        self._stamp = _stamp(self.path)

    @property
    def name(self) -> str:
        """The file name, for messages about the raster's values."""
        return self.path.name

    def __repr__(self) -> str:
        """Return the path, size and CRS."""
        return (f"RasterSource({str(self.path)!r}, band={self.band}, "
                f"{self.width}x{self.height}, {self.crs.to_string()})")

    def value_areas(self, zones: gpd.GeoDataFrame, *, by: str = "zone",
                    edge: EdgeRule = "centre", window_rows: int | None = None) -> pd.DataFrame:
        """Tabulate the raster by zone, window by window (see :func:`zonal_value_areas`).

        Raises
        ------
        InputFileError
            The file changed (size or modification time) since it was opened and checked,
            or cannot be read.
        """
        if edge not in ("centre", "exact"):
            raise ValueError(f"edge must be 'centre' or 'exact', got {edge!r}")
        try:
            changed = _stamp(self.path) != self._stamp
        except OSError as exc:
            raise InputFileError(f"cannot open the raster {self.path}: {exc}") from None
        if changed:
            raise InputFileError(f"raster {self.path} changed after it was read and checked; "
                                 "run again on a file that is not being written")
        return _tabulate(self, zones, by=by, edge=edge, window_rows=window_rows)


def open_raster(path: str | Path, *, band: int = 1) -> RasterSource:
    """Open and check a categorical raster (see :class:`RasterSource`).

    Raises
    ------
    InputFileError, CRSError, SchemaError
        The raster cannot be opened or read to its last row, has no CRS (or coordinates
        outside its area of use), or the band is not an integer type; naming the raster and
        the fix.
    """
    return RasterSource(path, band=band)


def _parallel_integral(phi: np.ndarray, a: float, b: float) -> np.ndarray:
    """Area (m² per radian of longitude) between the equator and latitude ``phi``.

    On the ellipsoid of semi-axes ``a`` ≥ ``b`` with e² = 1 − b²/a²:
    S(φ) = b²/2 · [sin φ / (1 − e² sin² φ) + 1/(2e) · ln((1 + e sin φ) / (1 − e sin φ))];
    the area of a cell between two parallels and two meridians is Δλ · (S(φ₂) − S(φ₁)).
    On a sphere (e = 0) S(φ) = a² sin φ.
    """
    sin = np.sin(phi)
    e2 = 1.0 - (b * b) / (a * a)
    if e2 <= 1e-15:
        return a * a * sin
    e = np.sqrt(e2)
    return 0.5 * b * b * (sin / (1.0 - e2 * sin * sin)
                          + np.log((1.0 + e * sin) / (1.0 - e * sin)) / (2.0 * e))


def pixel_areas_by_row(transform: Affine, crs: pyproj.CRS, height: int) -> np.ndarray:
    """Return the area (m²) of one pixel in each row of a raster grid.

    Parameters
    ----------
    transform : Affine
        The raster's affine transform (pixel corner -> CRS coordinates).
    crs : pyproj.CRS
        The raster's CRS.
    height : int
        Number of rows.

    Returns
    -------
    ndarray of float64, shape (height,)
        Projected CRS: the constant ``|a·e − b·d| × unit²`` (unit = the CRS's linear unit in
        metres). Geographic CRS: the geodesic area of the pixel quadrilateral of each row on
        the CRS's ellipsoid (``pyproj.Geod``), which shrinks towards the poles.

    Raises
    ------
    CRSError
        A geographic grid that is rotated (``b`` or ``d`` non-zero), or a CRS that is neither
        projected nor geographic.
    """
    if crs.is_geographic:
        if transform.b != 0 or transform.d != 0:
            raise CRSError(f"a rotated geographic raster grid ({transform}) is not supported; "
                           "warp it to a north-up grid (gdalwarp) first")
        ell = crs.ellipsoid
        if ell is None:
            raise CRSError(f"the geographic CRS {crs.name!r} has no ellipsoid; cannot measure "
                           "pixel areas")
        edges = transform.f + transform.e * np.arange(height + 1, dtype=np.float64)
        s = _parallel_integral(np.radians(edges), ell.semi_major_metre, ell.semi_minor_metre)
        return np.abs(np.radians(transform.a) * np.diff(s))
    if not crs.is_projected:
        raise CRSError(f"cannot measure pixel areas in the CRS {crs.name!r}; use a projected "
                       "or a geographic CRS")
    unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    area = abs(transform.a * transform.e - transform.b * transform.d) * unit * unit
    return np.full(height, area, dtype=np.float64)


def row_windows(height: int, width: int, *, block_rows: int = 1,
                window_rows: int | None = None) -> Iterator[Window]:
    """Yield full-width row windows covering a raster, aligned to its block height.

    Parameters
    ----------
    height, width : int
        Raster size in pixels.
    block_rows : int, default 1
        The file's block (tile or strip) height; windows are multiples of it.
    window_rows : int, optional
        Rows per window; by default about 8 million pixels per window, rounded to whole
        blocks, so memory is bounded whatever the raster's size.
    """
    if window_rows is None:
        window_rows = max(1, _TARGET_WINDOW_PIXELS // max(width, 1))
        window_rows = max(block_rows, (window_rows // block_rows) * block_rows)
    if window_rows < 1:
        raise ValueError(f"window_rows must be at least 1, got {window_rows}")
    for row in range(0, height, window_rows):
        yield Window(0, row, width, min(window_rows, height - row))


def _prepare_zones(zones: gpd.GeoDataFrame, by: str, crs: pyproj.CRS,
                   path: Path) -> tuple[gpd.GeoSeries, np.ndarray, list[Finding]]:
    if by not in zones.columns:
        raise SchemaError(f"the zones have no column {by!r} (columns: {list(zones.columns)}); "
                          f"pass by= the zone code column, e.g. by='zone'")
    if zones.crs is None:
        raise CRSError("the zones have no CRS; set it (GeoDataFrame.set_crs) before tabulating "
                       f"the raster {path}")
    findings: list[Finding] = []
    geoms = zones.geometry
    if pyproj.CRS.from_user_input(zones.crs) != crs:
        findings.append(Finding(
            code="zones_reprojected",
            message=(f"zones reprojected from {zones.crs.to_string()} to the raster's CRS "
                     f"{crs.to_string()} of {path.name} for the zonal tabulation"),
            count=len(zones), severity="info", source=str(path)))
        geoms = geoms.to_crs(crs)
    keys = zones[by].astype(str).to_numpy()
    return geoms, keys, findings


def _count_keys(keys: np.ndarray, nbins: int | None, weights: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Return the distinct keys, their counts and (with ``weights``) their weight sums."""
    if nbins is not None:
        c = np.bincount(keys, minlength=0)
        nz = np.flatnonzero(c)
        wsum = np.bincount(keys, weights=weights)[nz] if weights is not None else None
        return nz, c[nz], wsum
    uniq, inv, c = np.unique(keys, return_inverse=True, return_counts=True)
    wsum = np.bincount(inv, weights=weights) if weights is not None else None
    return uniq, c, wsum


def _window_transform(t: Affine, win: Window) -> Affine:
    """Affine transform of a window (explicit, without the deprecated ``Affine *``)."""
    col, row = float(win.col_off), float(win.row_off)
    return Affine(t.a, t.b, t.a * col + t.b * row + t.c, t.d, t.e, t.d * col + t.e * row + t.f)


def _window_bounds(t: Affine, win: Window) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of a window in CRS coordinates."""
    wt = _window_transform(t, win)
    cols = np.array([0.0, float(win.width), 0.0, float(win.width)])
    rows = np.array([0.0, 0.0, float(win.height), float(win.height)])
    xs = wt.a * cols + wt.b * rows + wt.c
    ys = wt.d * cols + wt.e * rows + wt.f
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def _edge_fractions(
    geoms: np.ndarray, zone_ids: np.ndarray, boundary_mask: np.ndarray, wtransform: Affine,
    *, tile: int = 32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exact coverage of boundary pixels by each zone.

    Returns the row and column (in the window), the zone id and the covered fraction of the
    pixel (0 < fraction <= 1) for every (pixel, zone) pair with a positive coverage. Pixels
    wholly inside a zone take 1 from a prepared ``contains_properly`` test; the others are
    intersected with the zone clipped to their ``tile`` × ``tile`` pixel block, so every
    intersection involves a small polygon whatever the zone's size.
    """
    rows, cols = np.nonzero(boundary_mask)
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    if rows.size:
        a, e, c0, f0 = wtransform.a, wtransform.e, wtransform.c, wtransform.f
        x0, x1 = c0 + cols * a, c0 + (cols + 1) * a
        y0, y1 = f0 + rows * e, f0 + (rows + 1) * e
        bounds = np.column_stack([np.minimum(x0, x1), np.minimum(y0, y1),
                                  np.maximum(x0, x1), np.maximum(y0, y1)])
        boxes = shapely.box(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3])
        px_area = abs(a * e)
        tree = shapely.STRtree(boxes)
        tile_id = (rows // tile) * (boundary_mask.shape[1] // tile + 1) + cols // tile
        for geom, zid in zip(geoms, zone_ids, strict=True):
            if geom is None or shapely.is_empty(geom):
                continue
            shapely.prepare(geom)
            cand = np.sort(tree.query(geom, predicate="intersects"))
            if cand.size == 0:
                continue
            frac = shapely.contains_properly(geom, boxes[cand]).astype(np.float64)
            part = cand[frac == 0]
            if part.size:
                t = tile_id[part]
                order = np.argsort(t, kind="stable")
                part, t = part[order], t[order]
                starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
                ends = np.r_[starts[1:], t.size]
                bx = bounds[part]
                pieces = np.empty(part.size, dtype=object)
                for s0, s1 in zip(starts, ends, strict=True):
                    pieces[s0:s1] = shapely.clip_by_rect(
                        geom, bx[s0:s1, 0].min(), bx[s0:s1, 1].min(), bx[s0:s1, 2].max(),
                        bx[s0:s1, 3].max())
                # the ufunc behind shapely.clip_by_rect broadcasts over per-pixel rectangles
                # (GEOS rectangle clipping: much faster than a general intersection)
                cut = shapely.lib.clip_by_rect(pieces, bx[:, 0], bx[:, 1], bx[:, 2], bx[:, 3])
                pos = np.searchsorted(cand, part)
                frac[pos] = shapely.area(cut) / px_area
            keep = frac > 0
            n = int(keep.sum())
            out.append((rows[cand[keep]], cols[cand[keep]],
                        np.full(n, zid, dtype=np.int64), np.minimum(frac[keep], 1.0)))
    if not out:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, np.empty(0, dtype=np.float64)
    return (np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out]),
            np.concatenate([o[2] for o in out]), np.concatenate([o[3] for o in out]))


def zonal_value_areas(
    raster: str | Path | RasterSource,
    zones: gpd.GeoDataFrame,
    *,
    by: str = "zone",
    edge: EdgeRule = "centre",
    window_rows: int | None = None,
    band: int = 1,
) -> pd.DataFrame:
    """Tabulate a categorical raster by zone: pixel count and area of every raster value.

    The raster is read window by window (full-width bands of rows aligned to its blocks);
    peak memory is a few times the window size, independent of the raster's size.

    Parameters
    ----------
    raster : str, Path or RasterSource
        A single-band integer raster readable by rasterio (GeoTIFF, COG, VRT ...), or the
        :class:`RasterSource` :func:`open_raster` returned for it (then it is not opened
        and checked again).
    zones : GeoDataFrame
        Polygons with a zone code column ``by``; reprojected to the raster's CRS when they
        are in another CRS (recorded as a finding). Zones should not overlap: under the
        centre rule a pixel goes to one zone only (the last one listed).
    by : str, default "zone"
        The zone code column of ``zones``.
    edge : {"centre", "exact"}, default "centre"
        ``centre``: a pixel counts fully when its centre is inside the zone (GDAL
        ``all_touched=False``). ``exact``: a pixel counts with the fraction of its area the
        zone covers (computed with shapely for the pixels a boundary crosses).
    window_rows : int, optional
        Rows per window; default about 8 million pixels per window, whole blocks.
    band : int, default 1
        The band to read (of a path; a :class:`RasterSource` has its own).

    Returns
    -------
    DataFrame
        Columns ``zone`` (str), ``value`` (int64), ``pixels`` (float64: pixels counted, or the
        sum of covered fractions under the exact rule) and ``area_m2`` (float64: pixels times
        the pixel area, per row in a geographic CRS), one row per zone and value present,
        sorted. Nodata pixels are not counted. ``attrs`` holds ``edge``, ``crs``,
        ``raster`` and the findings.

    Raises
    ------
    InputFileError
        The raster cannot be opened.
    CRSError
        The raster or the zones have no CRS.
    SchemaError
        The band is not integer-typed, or ``by`` is not a column of the zones.
    """
    if edge not in ("centre", "exact"):
        raise ValueError(f"edge must be 'centre' or 'exact', got {edge!r}")
    source = raster if isinstance(raster, RasterSource) else open_raster(raster, band=band)
    return source.value_areas(zones, by=by, edge=edge, window_rows=window_rows)


def _tabulate(source: RasterSource, zones: gpd.GeoDataFrame, *, by: str, edge: EdgeRule,
              window_rows: int | None) -> pd.DataFrame:
    """Run the windowed zonal tabulation of :func:`zonal_value_areas` on an opened raster."""
    path, band, crs, dtype = source.path, source.band, source.crs, source.dtype
    # a small GDAL block cache: each block is read once, so caching more only grows memory
    with rasterio.Env(GDAL_CACHEMAX=_GDAL_CACHE_BYTES):
        try:
            src = rasterio.open(path)
        except rasterio.errors.RasterioIOError as exc:
            raise InputFileError(f"cannot open the raster {path}: {exc}") from None
        with src:
            geoms, keys, findings = _prepare_zones(zones, by, crs, path)
            ok = ~(geoms.isna() | geoms.is_empty).to_numpy()
            codes, inv = np.unique(keys[ok], return_inverse=True)
            geom_arr = geoms.to_numpy()[ok]
            zid = (inv + 1).astype(np.int64)
            zdtype = np.uint16 if len(codes) < 65535 else np.int32
            vmin = int(np.iinfo(dtype).min)
            nvals = 1 << (8 * dtype.itemsize)
            nbins = (len(codes) + 1) * nvals if (len(codes) + 1) * nvals <= (1 << 25) else None
            small = dtype == np.uint8 and len(codes) < 255
            row_area = pixel_areas_by_row(src.transform, crs, src.height)
            geographic = bool(crs.is_geographic)
            nodata = src.nodata
            tree = shapely.STRtree(geom_arr)
            parts_k: list[np.ndarray] = []
            parts_c: list[np.ndarray] = []
            parts_a: list[np.ndarray] = []
            block_rows = src.block_shapes[band - 1][0]
            for win in row_windows(src.height, src.width, block_rows=block_rows,
                                   window_rows=window_rows):
                bounds = _window_bounds(src.transform, win)
                idx = tree.query(shapely.box(*bounds))
                if idx.size == 0:
                    continue
                idx = np.sort(idx)
                h, w = int(win.height), int(win.width)
                wt = _window_transform(src.transform, win)
                try:
                    data = src.read(band, window=win)
                except rasterio.errors.RasterioError as exc:
                    raise InputFileError(f"raster {path} cannot be read ({exc}); the file is "
                                         "damaged or truncated: copy it again") from None
                zr = rasterize(((geom_arr[i], int(zid[i])) for i in idx), out_shape=(h, w),
                               transform=wt, fill=0, all_touched=False, dtype=zdtype)
                rareas = row_area[int(win.row_off):int(win.row_off) + h]
                if edge == "exact":
                    bmask = rasterize(((shapely.boundary(geom_arr[i]), 1) for i in idx),
                                      out_shape=(h, w), transform=wt, fill=0, all_touched=True,
                                      dtype=np.uint8).view(bool)
                    zr[bmask] = 0  # boundary pixels are counted by their exact fractions below
                    left, bottom, right, top = bounds
                    pad = 2 * max(abs(wt.a), abs(wt.e))
                    clipped = shapely.clip_by_rect(geom_arr[idx], left - pad, bottom - pad,
                                                   right + pad, top + pad)
                    er, ec, ez, ef = _edge_fractions(clipped, zid[idx], bmask, wt)
                    ev = data[er, ec]
                    good = ev != nodata if nodata is not None else np.ones(ev.size, dtype=bool)
                    parts_k.append(ez[good] * nvals + (ev[good].astype(np.int64) - vmin))
                    parts_c.append(ef[good])
                    parts_a.append(ef[good] * rareas[er[good]])
                # key = zone id × nvals + (value − vmin) for every pixel of the window; zone 0
                # (outside every zone, or a boundary pixel under the exact rule) and nodata are
                # dropped after counting, which is cheaper than masking 8 million pixels
                if small:  # uint8 values, < 256 zones: 16-bit keys, no 64-bit temporaries
                    k = np.left_shift(zr, 8, dtype=np.uint16)
                    k |= data
                else:
                    k = zr.astype(np.int64)
                    k *= nvals
                    k += data
                    if vmin:
                        k -= vmin
                k = k.ravel()
                wts = np.repeat(rareas, w) if geographic else None
                uk, cnt, ar = _count_keys(k, nbins, wts)
                drop = uk < nvals
                if nodata is not None:
                    drop |= (uk % nvals) == (int(nodata) - vmin)
                parts_k.append(uk[~drop])
                parts_c.append(cnt[~drop].astype(np.float64))
                if ar is not None:
                    parts_a.append(ar[~drop])
                else:
                    parts_a.append(cnt[~drop] * row_area[0])
    allk = np.concatenate(parts_k) if parts_k else np.empty(0, dtype=np.int64)
    table = pd.DataFrame({
        "key": allk,
        "pixels": np.concatenate(parts_c) if parts_c else np.empty(0),
        "area_m2": np.concatenate(parts_a) if parts_a else np.empty(0),
    }).groupby("key", sort=True).sum().reset_index()
    zone_idx = (table["key"].to_numpy() // nvals) - 1
    out = pd.DataFrame({
        "zone": pd.Series(codes[zone_idx] if len(codes) else [], dtype=str).to_numpy(),
        "value": (table["key"].to_numpy() % nvals + vmin).astype(np.int64),
        "pixels": table["pixels"].to_numpy(dtype=np.float64),
        "area_m2": table["area_m2"].to_numpy(dtype=np.float64),
    })
    out = out.sort_values(["zone", "value"], ignore_index=True)
    out.attrs["edge"] = edge
    out.attrs["crs"] = crs.to_string()
    out.attrs["raster"] = str(path)
    attach_findings(out, findings)
    return out

