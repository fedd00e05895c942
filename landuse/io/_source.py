"""Opening vector sources: formats, layers, field names, encodings and checksums.

Private helpers of :mod:`landuse.io.vector`. Formats: GeoPackage, Shapefile (``.shp`` or
a ``.zip`` holding it), FileGDB (a ``.gdb`` folder, GDAL's OpenFileGDB driver), GeoJSON,
FlatGeobuf (through pyogrio) and GeoParquet (through :func:`geopandas.read_parquet`;
GDAL here has no Parquet driver).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from pyproj import CRS

from landuse._validate import closest_names
from landuse.errors import InputFileError, SchemaError
from landuse.io._curves import read_ogr
from landuse.io._encoding import DbfEncoding, shapefile_encoding

__all__ = ["LayerSource", "file_sha256", "layer_names", "open_layer", "read_layer",
           "resolve_fields"]

PARQUET_SUFFIXES = (".parquet", ".geoparquet")


@dataclass(frozen=True)
class LayerSource:
    """A resolved input layer: where it is, what it holds, how to decode it."""

    path: Path
    layer: str | None
    fields: tuple[str, ...]
    features: int
    is_parquet: bool
    is_shapefile: bool

    @property
    def label(self) -> str:
        """``"huantai.gpkg layer DLTB"``: how messages name this source."""
        if self.layer is None or self.path.suffix.lower() == ".shp":
            return str(self.path)
        return f"{self.path} layer {self.layer}"


def _missing_file(path: Path) -> InputFileError:
    near: list[str] = []
    if path.parent.is_dir():
        near = closest_names(path.name, [p.name for p in path.parent.iterdir()])
    hint = f"; files with a similar name there: {near}" if near else ""
    return InputFileError(
        f"input file {path} not found{hint}. Check the path (config paths are relative "
        "to the config file)"
    )


def layer_names(path: str | os.PathLike[str]) -> list[str]:
    """List the layer names of a vector dataset, once per file state.

    Cached by the resolved path and the (modification time, size) of the file, like
    :func:`file_sha256`: the config check and the reader of each layer share one listing.

    Raises
    ------
    pyogrio.errors.DataSourceError
        The file cannot be opened as a vector dataset.
    """
    p = Path(path)
    st = p.stat()
    return list(_layer_names_cached(str(p.resolve()), st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=128)
def _layer_names_cached(resolved: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    return tuple(str(row[0]) for row in pyogrio.list_layers(resolved))


def open_layer(
    path: str | os.PathLike[str], *, layer: str | None, default_layers: Sequence[str] = ()
) -> LayerSource:
    """Resolve the file and layer to read, raising :class:`InputFileError` when absent.

    Parameters
    ----------
    path : str or Path
        File (or ``.gdb`` folder).
    layer : str, optional
        Layer name (case-insensitive). When omitted: the only layer of the file, else
        the first of ``default_layers`` present (e.g. ``DLTB``).
    default_layers : sequence of str
        Usual layer names for this kind of input.
    """
    p = Path(path)
    if not p.exists():
        raise _missing_file(p)
    suffix = p.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return _open_parquet(p, layer=layer)
    if p.is_dir() and suffix != ".gdb":
        raise InputFileError(
            f"{p} is a folder, not a vector file; give a file (.gpkg, .shp, .zip, .geojson, "
            ".fgb, .parquet) or a FileGDB folder ending in .gdb"
        )
    try:
        layers = layer_names(p)
    except pyogrio.errors.DataSourceError as exc:
        raise InputFileError(
            f"{p} cannot be opened as a vector dataset ({exc}); check that the file is "
            "complete and is GeoPackage, Shapefile, FileGDB, GeoJSON, FlatGeobuf or GeoParquet"
        ) from None
    chosen = _choose_layer(p, layers, layer, default_layers)
    info = pyogrio.read_info(p, layer=chosen)
    return LayerSource(
        path=p,
        layer=chosen,
        fields=tuple(str(f) for f in info["fields"]),
        features=int(info["features"]),
        is_parquet=False,
        is_shapefile=info["driver"] == "ESRI Shapefile",
    )


def _choose_layer(
    path: Path, layers: list[str], layer: str | None, defaults: Sequence[str]
) -> str:
    by_upper = {name.upper(): name for name in layers}
    if layer is not None:
        if layer in layers:
            return layer
        if layer.upper() in by_upper:
            return by_upper[layer.upper()]
        raise InputFileError(
            f"{path} has no layer {layer!r}; layers present: {layers}"
            f"{'; closest: ' + str(closest_names(layer, layers)) if layers else ''}. "
            "Pass one of them as layer="
        )
    if len(layers) == 1:
        return layers[0]
    for name in defaults:
        if name.upper() in by_upper:
            return by_upper[name.upper()]
    raise InputFileError(
        f"{path} holds {len(layers)} layers {layers} and none is named "
        f"{list(defaults) or 'as expected'}; pass layer= to choose one"
    )


def _open_parquet(path: Path, *, layer: str | None) -> LayerSource:
    import pyarrow.parquet as pq

    if layer is not None and layer.upper() != path.stem.upper():
        raise InputFileError(
            f"{path} is a GeoParquet file with a single table; it has no layer {layer!r}. "
            "Omit layer= for GeoParquet inputs"
        )
    try:
        meta = pq.read_metadata(path)
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputFileError(f"{path} cannot be read as GeoParquet ({exc})") from None
    geo = json.loads((schema.metadata or {}).get(b"geo", b"{}") or b"{}")
    geom_cols = set(geo.get("columns", {})) or {"geometry"}
    fields = tuple(n for n in schema.names if n not in geom_cols and not n.startswith("__"))
    return LayerSource(
        path=path, layer=None, fields=fields, features=int(meta.num_rows),
        is_parquet=True, is_shapefile=False,
    )


def resolve_fields(
    source: LayerSource,
    standard: Sequence[str],
    *,
    fields: Mapping[str, str] | None,
    required: Sequence[str],
    what: str,
) -> dict[str, str]:
    """Map standard field names to the layer's own names (case-insensitive).

    Parameters
    ----------
    source : LayerSource
        The layer (its ``fields``).
    standard : sequence of str
        Standard names this reader understands.
    fields : mapping, optional
        User renames ``{standard: theirs}``; ``theirs`` matches case-insensitively and must
        exist.
    required : sequence of str
        Standard names that must be found.
    what : str
        What the layer is, for messages (e.g. ``"land-use layer (三调 DLTB)"``).

    Returns
    -------
    dict
        ``{standard: actual}`` for every standard name found.

    Raises
    ------
    SchemaError
        Listing every unknown rename key, every mapped field that is absent and every
        required field that is missing, with the fields present and the closest names.
    """
    by_upper: dict[str, str] = {}
    for name in source.fields:
        by_upper.setdefault(name.upper(), name)
    mapping = {k.upper(): v for k, v in (fields or {}).items()}
    problems: list[str] = []
    allowed = {s.upper() for s in standard}
    for key in sorted(set(mapping) - allowed):
        problems.append(
            f"fields= names {key!r}, which the {what} reader does not use; it understands "
            f"{list(standard)}"
        )
    out: dict[str, str] = {}
    for std in standard:
        theirs = mapping.get(std.upper(), std)
        actual = by_upper.get(str(theirs).upper())
        if actual is not None:
            out[std] = actual
        elif std.upper() in mapping:
            problems.append(
                f"{source.label}: field {theirs!r} (given for {std}) not found; fields present: "
                f"{list(source.fields)}; closest names: {closest_names(theirs, source.fields)}"
            )
        elif std in required:
            problems.append(
                f"{source.label}: missing required field {std!r} of the {what}; fields present: "
                f"{list(source.fields)}; closest names: {closest_names(std, source.fields)}. "
                f"Rename it in the data or pass fields={{{std!r}: '<their name>'}}"
            )
    if problems:
        raise SchemaError("\n".join(problems) if len(problems) == 1 else
                          "\n".join(["invalid fields:"] + [f"  - {p}" for p in problems]))
    return out


def read_layer(
    source: LayerSource, columns: Sequence[str], *, encoding: str | None
) -> tuple[gpd.GeoDataFrame, DbfEncoding]:
    """Read ``columns`` (actual names) and the geometry of a resolved layer.

    Returns the raw frame (2-D geometries, CRS as stored) and the encoding decision. Curved
    geometries are linearised (:mod:`landuse.io._curves`); the rows concerned are then in
    ``attrs["linearised"]``.
    """
    cols = list(dict.fromkeys(columns))
    if source.is_parquet:
        try:
            gdf = gpd.read_parquet(source.path,
                                   columns=[*cols, *_parquet_geometry(source.path)])
        except NotImplementedError:  # shapely refuses curved WKB
            raise InputFileError(
                f"{source.label} holds curved geometries (CircularString / CurvePolygon / "
                "MultiSurface), which GeoParquet does not allow; export the layer as "
                "GeoPackage or FileGDB (curves are linearised on read) or linearise it first"
            ) from None
        gdf = _force_2d(gdf)
        if encoding is not None and encoding.upper().replace("-", "") != "UTF8":
            raise InputFileError(
                f"{source.label}: GeoParquet text is always UTF-8; remove encoding={encoding!r}"
            )
        return gdf, DbfEncoding(None, "UTF-8", "format")
    if source.is_shapefile:
        enc = shapefile_encoding(source.path, layer=source.layer, encoding=encoding,
                                 source=source.label)
    else:
        if encoding is not None and encoding.upper().replace("-", "") != "UTF8":
            raise InputFileError(
                f"{source.label}: this format stores text as UTF-8; encoding={encoding!r} only "
                "applies to Shapefiles. Remove it"
            )
        enc = DbfEncoding(None, "UTF-8", "format")
    try:
        gdf = read_ogr(source.path, layer=source.layer, columns=cols, encoding=enc.encoding)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputFileError(f"{source.label} cannot be read: {exc}") from None
    return _force_2d(gdf), enc


def _force_2d(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop Z / M coordinates (only when present: forcing 2-D copies every geometry)."""
    arr = gdf.geometry.to_numpy()
    if not (shapely.has_z(arr).any() or shapely.has_m(arr).any()):
        return gdf
    return gdf.set_geometry(shapely.force_2d(arr), crs=gdf.crs)


def _parquet_geometry(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    geo = json.loads((pq.read_schema(path).metadata or {}).get(b"geo", b"{}") or b"{}")
    primary = geo.get("primary_column")
    return [primary] if primary else ["geometry"]


def source_crs_label(crs: CRS | None) -> str | None:
    """CRS of the source as recorded in ``attrs["source"]["crs"]``."""
    if crs is None:
        return None
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code is not None else crs.to_string()


def _members(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    if path.suffix.lower() == ".shp":
        members = [path.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
        return [m for m in members if m.is_file()]
    return [path]


def file_sha256(path: Path) -> str:
    """SHA-256 of an input: the file; a Shapefile's sidecars in order; a .gdb's files by name.

    Computed once per file state: the digest is cached by the resolved path and the
    (modification time, size) of every member file, so the layers of one GeoPackage
    are hashed once per run, and a changed file is hashed again.
    """
    path = Path(path)
    stamp = tuple((str(m), m.stat().st_mtime_ns, m.stat().st_size) for m in _members(path))
    return _sha256_cached(str(path.resolve()), stamp)


@functools.lru_cache(maxsize=64)
def _sha256_cached(resolved: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    path = Path(resolved)
    h = hashlib.sha256()
    for member in _members(path):
        if path.is_dir():
            h.update(member.relative_to(path).as_posix().encode())
        with member.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()
