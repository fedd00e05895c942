"""The run configuration (docs/contract.md §2): load a TOML file, validate it as a whole, type it.

Everything is checked before any work starts: unknown keys at any level, missing files
and layers, bad values. Every problem is collected and reported at once in one
:class:`~landuse.errors.ConfigError` that names the config file, the key path and the fix.
Paths in the file are relative to the config file.

Examples
--------
>>> cfg = load_config("sample_data/config.toml")
>>> cfg.region.code, cfg.layers["landuse"].layer
('370321', 'DLTB')
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import pyogrio

from landuse import _config_confine as confine
from landuse import _config_region as region_parts
from landuse._config_problems import Problems as _Problems
from landuse._config_problems import resolve_path
from landuse.errors import ConfigError, LanduseError, SchemaError
from landuse.indicators.targets import load_targets
from landuse.io import check_shapefile, layer_names
from landuse.redlines import SLIVER_M2
from landuse.rules import DEFAULT_RULES

_S = TypeVar("_S")

__all__ = [
    "AREA_BASES",
    "LAYER_ROLES",
    "Config",
    "LayerSource",
    "Options",
    "RasterSource",
    "Region",
    "TableSource",
    "load_config",
    "parse_config",
]

AreaBasis = Literal["official", "ellipsoidal", "planar"]
AREA_BASES: Final = ("official", "ellipsoidal", "planar")

#: Layer roles of ``[layers.<role>]`` with the keys each accepts besides ``path``.
LAYER_ROLES: Final[dict[str, frozenset[str]]] = {
    "landuse": frozenset({"layer", "scheme", "fields", "encoding", "year", "repair_areas"}),
    "landuse_previous": frozenset({"layer", "scheme", "fields", "encoding", "year",
                                   "repair_areas"}),
    "townships": frozenset({"layer", "fields", "encoding"}),
    "ecological_redline": frozenset({"layer", "fields", "encoding"}),
    "permanent_farmland": frozenset({"layer", "fields", "encoding"}),
    "urban_boundary": frozenset({"layer", "fields", "encoding"}),
    "protected_areas": frozenset({"layer", "fields", "encoding"}),
    "mining_rights": frozenset({"layer", "fields", "encoding"}),
    "high_standard_farmland": frozenset({"layer", "fields", "encoding"}),
}
TABLE_ROLES: Final[dict[str, frozenset[str]]] = {
    "socioeconomic": frozenset({"encoding"}),
    "land_supply": frozenset({"encoding", "parcels", "parcels_layer"}),
    # the bureau's duty tables (landuse.io.bureau; issue 19)
    "farmland_supplement": frozenset({"encoding"}),
    "linkage": frozenset({"encoding"}),
    "enterprises": frozenset({"encoding"}),
}
RASTER_ROLES: Final[dict[str, frozenset[str]]] = {"landcover": frozenset({"classes"})}
SCHEMES: Final = ("sandiao", "ydyh", "gb21010", "auto")  # landuse/rules/schemes.py
TOP_KEYS: Final = ("region", "layers", "tables", "rasters", "rules", "targets", "options")
OPTION_KEYS: Final = ("area", "sliver_m2", "evaluation_date", "working_crs", "scheduler",
                      "township")
#: ``[options] township``: how a patch's township is decided (docs/domain.md §2.4).
TOWNSHIP_POLICIES: Final = ("zldwdm", "xzq")
REGION_KEYS: Final = ("name", "code", "year", "counties")
#: Suffixes read without GDAL layer listing (GeoParquet goes through geopandas; TXT is ours).
_NO_LAYER_LIST: Final = (".parquet", ".geoparquet", ".txt")
_TABLE_SUFFIXES: Final = (".csv", ".xlsx", ".xlsm", ".txt")


@dataclass(frozen=True)
class Region:
    """``[region]``: the name, 6-digit administrative code and report year.

    ``counties`` (province scale, ``[region] counties``): the county land-use files (or
    county configs) of a region run, absolute paths in order; empty for one county.
    """

    name: str
    code: str
    year: int
    counties: tuple[Path, ...] = ()


@dataclass(frozen=True)
class LayerSource:
    """One ``[layers.<role>]`` entry: an absolute path and how to read it."""

    role: str
    path: Path
    layer: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    scheme: str | None = None
    year: int | None = None
    #: ``repair_areas = true``: repair impossible areas with a finding instead of exit 2
    repair_areas: bool = False


@dataclass(frozen=True)
class TableSource:
    """One ``[tables.<role>]`` entry (CSV or XLSX, first sheet).

    ``parcels`` (land supply only) locates the ledger's parcels: a vector file with a
    ``parcel_id`` column (layer ``parcels_layer``), a boundary-point TXT file, or a folder
    of TXT files.
    """

    role: str
    path: Path
    encoding: str | None = None
    parcels: Path | None = None
    parcels_layer: str | None = None


@dataclass(frozen=True)
class RasterSource:
    """One ``[rasters.<role>]`` entry: a categorical raster and its class-mapping table."""

    role: str
    path: Path
    classes: Path | None = None


@dataclass(frozen=True)
class Options:
    """``[options]``: area basis, sliver threshold (m²), evaluation date, working CRS.

    ``scheduler`` is the dask scheduler address of a region run (``"tcp://host:8786"``;
    ``None``: an in-process cluster). It changes where the work runs, not the results, so
    it is not part of :meth:`to_dict` (the provenance of ``indicators.json``).
    """

    area: AreaBasis = "official"
    sliver_m2: float = SLIVER_M2
    evaluation_date: dt.date | None = None
    working_crs: str | None = None
    scheduler: str | None = None
    township: str = "zldwdm"

    def to_dict(self) -> dict[str, Any]:
        """Return the options that shape the results as JSON-ready values (ISO dates)."""
        return {
            "area": self.area,
            "sliver_m2": self.sliver_m2,
            "evaluation_date": (
                self.evaluation_date.isoformat() if self.evaluation_date else None
            ),
            "working_crs": self.working_crs,
            "township": self.township,
        }


@dataclass(frozen=True)
class Config:
    """A validated run configuration (docs/contract.md §2); every path is absolute.

    ``rules`` is a packaged rule-set label or the absolute path of a rules file;
    ``targets`` is the absolute path of a targets file, ``targets_inline`` the inline
    ``[targets]`` table (without ``path``), or both ``None``. For a region run
    (``[region] counties``), ``template`` is the per-county config as plain TOML data
    (every path absolute, without ``counties`` and ``scheduler``) that
    :func:`landuse.run.region.run_region` completes for each county.
    """

    source: Path
    region: Region
    layers: dict[str, LayerSource]
    tables: dict[str, TableSource] = field(default_factory=dict)
    rasters: dict[str, RasterSource] = field(default_factory=dict)
    rules: str = DEFAULT_RULES
    targets: Path | None = None
    targets_inline: dict[str, Any] | None = None
    #: the targets as parsed once by :func:`load_config` (from the file or inline)
    target_list: tuple[Any, ...] = ()
    options: Options = field(default_factory=Options)
    template: dict[str, Any] | None = None

    @property
    def is_region(self) -> bool:
        """True when ``[region] counties`` lists the counties of a region run."""
        return bool(self.region.counties)

    @property
    def base_dir(self) -> Path:
        """The folder of the config file; relative paths are resolved against it."""
        return self.source.parent

    @property
    def evaluation_date(self) -> dt.date:
        """``options.evaluation_date``, or the last day of ``region.year``."""
        return self.options.evaluation_date or dt.date(self.region.year, 12, 31)

    def relative(self, path: Path) -> str:
        """``path`` relative to the config file's folder when it lies below it (POSIX form)."""
        try:
            return path.relative_to(self.base_dir).as_posix()
        except ValueError:
            return path.as_posix()

    def with_year(self, year: int) -> Config:
        """Return a copy reporting ``year`` (``--year``).

        The evaluation date follows the year unless the config fixed one.
        """
        return replace(self, region=replace(self.region, year=_check_year(year)))


def _check_year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        raise ConfigError(
            f"--year {year!r} is not a report year (年份); give a year between 1990 and 2100"
        )
    return year


def _unknown(table: Mapping[str, Any], allowed: tuple[str, ...] | frozenset[str],
             key: str, problems: _Problems) -> None:
    for name in sorted(set(table) - set(allowed)):
        where = f"{key}.{name}" if key else name
        problems.add(
            where,
            f"unknown key 未知配置项; allowed here: {', '.join(sorted(allowed))}. "
            "Remove it or fix its spelling.",
        )


def _table(value: Any, key: str, problems: _Problems) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    problems.add(key, f"must be a table ([{key}]), found {type(value).__name__} {value!r}")
    return {}


def _string(table: Mapping[str, Any], name: str, key: str, problems: _Problems,
            *, required: bool = False) -> str | None:
    if name not in table:
        if required:
            problems.add(f"{key}.{name}", "missing (必填) - add it")
        return None
    value = table[name]
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{key}.{name}", f"must be a non-empty string, found {value!r}")
        return None
    return value


def _path(table: Mapping[str, Any], name: str, key: str, base: Path, problems: _Problems,
          *, required: bool = True) -> Path | None:
    text = _string(table, name, key, problems, required=required)
    return None if text is None else resolve_path(text, base, f"{key}.{name}", problems)


def _fields(table: Mapping[str, Any], key: str, problems: _Problems) -> dict[str, str]:
    value = table.get("fields", {})
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        problems.add(
            f"{key}.fields",
            f"must map standard field names to yours, e.g. {{ DLBM = \"dlbm_code\" }}; "
            f"found {value!r}",
        )
        return {}
    return dict(value)


def _encoding(table: Mapping[str, Any], key: str, problems: _Problems) -> str | None:
    enc = _string(table, "encoding", key, problems)
    if enc is None:
        return None
    import codecs

    try:
        codecs.lookup(enc)
    except LookupError:
        problems.add(f"{key}.encoding", f"unknown encoding {enc!r}; use e.g. \"GBK\" or \"UTF-8\"")
        return None
    return enc


def _check_layer(path: Path, layer: str | None, key: str, problems: _Problems) -> None:
    if path.suffix.lower() in _NO_LAYER_LIST:
        if layer is not None and path.suffix.lower() == ".txt":
            problems.add(f"{key}.layer", f"a boundary-point TXT file has no layers; remove "
                         f"layer = {layer!r}")
        return
    if path.suffix.lower() == ".shp":
        try:
            check_shapefile(path)
        except LanduseError as exc:
            problems.add(f"{key}.path", str(exc))
            return
    try:
        names = layer_names(path)
    except (pyogrio.errors.DataSourceError, RuntimeError) as exc:
        problems.add(f"{key}.path", f"无法打开 cannot open {path.name} as a vector dataset "
                     f"({exc}); give a GPKG, Shapefile, FileGDB, GeoJSON or FlatGeobuf")
        return
    if layer is None:
        if len(names) > 1:
            problems.add(f"{key}.layer", f"{path.name} has {len(names)} layers "
                         f"({', '.join(names)}); say which one with layer = \"...\"")
        return
    if layer not in names:
        problems.add(
            f"{key}.layer",
            f"图层不存在 layer {layer!r} not found in {path.name}; its layers are "
            f"{', '.join(names) or '(none)'} - set layer to one of them",
        )


def _layer(role: str, value: Any, base: Path, problems: _Problems) -> LayerSource | None:
    key = f"layers.{role}"
    table = _table(value, key, problems)
    if not table and not isinstance(value, Mapping):
        return None
    allowed = LAYER_ROLES[role] | {"path"}
    _unknown(table, allowed, key, problems)
    path = _path(table, "path", key, base, problems)
    layer = _string(table, "layer", key, problems)
    scheme = _string(table, "scheme", key, problems)
    if scheme is not None and scheme not in SCHEMES:
        problems.add(f"{key}.scheme", f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    year = None
    if "year" in table:
        year = _year(table["year"], f"{key}.year", problems)
    elif role == "landuse_previous":
        problems.add(f"{key}.year", "missing (必填): the survey year of the earlier vintage")
    repair = table.get("repair_areas", False)
    if not isinstance(repair, bool):
        problems.add(f"{key}.repair_areas", f"must be true or false, found {repair!r}")
        repair = False
    if path is not None:
        _check_layer(path, layer, key, problems)
    if path is None:
        return None
    return LayerSource(role=role, path=path, layer=layer, fields=_fields(table, key, problems),
                       encoding=_encoding(table, key, problems), scheme=scheme, year=year,
                       repair_areas=repair)


def _year(value: Any, key: str, problems: _Problems) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        problems.add(key, f"must be a year between 1990 and 2100 (an integer), found {value!r}")
        return None
    return value


def _tabular(role: str, value: Any, base: Path, problems: _Problems) -> TableSource | None:
    key = f"tables.{role}"
    table = _table(value, key, problems)
    _unknown(table, TABLE_ROLES[role] | {"path"}, key, problems)
    path = _path(table, "path", key, base, problems)
    if path is not None and path.suffix.lower() not in _TABLE_SUFFIXES:
        problems.add(f"{key}.path", f"{path.name} is not a CSV or XLSX file; save the table as "
                     ".csv (UTF-8 or GBK) or .xlsx")
    parcels = _path(table, "parcels", key, base, problems, required=False)
    parcels_layer = _string(table, "parcels_layer", key, problems)
    if parcels is not None and parcels.is_file():
        _check_layer(parcels, parcels_layer, f"{key}.parcels", problems)
    elif parcels is not None and not any(parcels.glob("*.[tT][xX][tT]")):
        problems.add(f"{key}.parcels", f"the folder {parcels} holds no boundary-point .txt "
                     "files; give a folder of TXT files, one TXT file or a vector layer")
    if path is None:
        return None
    return TableSource(role=role, path=path, encoding=_encoding(table, key, problems),
                       parcels=parcels, parcels_layer=parcels_layer)


def _sources(data: Mapping[str, Any], key: str, roles: Iterable[str],
             parse: Callable[[str, Any, Path, _Problems], _S | None], base: Path,
             problems: _Problems) -> dict[str, _S]:
    """Parse the ``[key.<role>]`` tables of the config (tables, rasters) with ``parse``."""
    table = _table(data.get(key, {}), key, problems)
    _unknown(table, tuple(roles), key, problems)
    out: dict[str, _S] = {}
    for role in roles:
        if role in table:
            src = parse(role, table[role], base, problems)
            if src is not None:
                out[role] = src
    return out


def _raster(role: str, value: Any, base: Path, problems: _Problems) -> RasterSource | None:
    key = f"rasters.{role}"
    table = _table(value, key, problems)
    _unknown(table, RASTER_ROLES[role] | {"path"}, key, problems)
    path = _path(table, "path", key, base, problems)
    classes = _path(table, "classes", key, base, problems)
    if path is None:
        return None
    return RasterSource(role=role, path=path, classes=classes)


def _date(value: Any, key: str, problems: _Problems) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.add(key, f"must be a date like 2022-12-31, found {value!r}")
    return None


def _options(value: Any, layers: Mapping[str, Any], problems: _Problems) -> Options:
    table = _table(value, "options", problems)
    _unknown(table, OPTION_KEYS, "options", problems)
    area = table.get("area", "official")
    if area not in AREA_BASES:
        problems.add("options.area", f"must be one of {', '.join(AREA_BASES)}, found {area!r}")
        area = "official"
    sliver = table.get("sliver_m2", SLIVER_M2)
    if isinstance(sliver, bool) or not isinstance(sliver, int | float) or not sliver >= 0 \
            or sliver == float("inf"):
        problems.add("options.sliver_m2", f"must be a number of m² ≥ 0, found {sliver!r}")
        sliver = SLIVER_M2
    when = None
    if "evaluation_date" in table:
        when = _date(table["evaluation_date"], "options.evaluation_date", problems)
    crs = _string(table, "working_crs", "options", problems)
    if crs is not None:
        import pyproj

        try:
            parsed = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError:
            problems.add("options.working_crs", f"unknown CRS {crs!r}; give e.g. \"EPSG:4527\"")
        else:
            if not parsed.is_projected:
                problems.add("options.working_crs", f"{crs} is not projected; area work needs "
                             "metres, e.g. EPSG:4527 (CGCS2000 3° GK zone 39)")
    scheduler = None
    if "scheduler" in table:
        scheduler = region_parts.scheduler(table["scheduler"], problems)
    township = table.get("township", "zldwdm")
    if township not in TOWNSHIP_POLICIES:
        problems.add("options.township", f"must be one of {', '.join(TOWNSHIP_POLICIES)} "
                     f"(zldwdm: 坐落单位代码 ZLDWDM[:9], the official statistics; xzq: the XZQ "
                     f"行政区 polygon containing the patch), found {township!r}")
        township = "zldwdm"
    elif township == "xzq" and "townships" not in layers:
        problems.add("options.township", 'is "xzq" but no [layers.townships] (XZQ 行政区) '
                     'layer is configured; add it or use township = "zldwdm"')
    return Options(area=area, sliver_m2=float(sliver), evaluation_date=when, working_crs=crs,
                   scheduler=scheduler, township=township)


def _check_targets(source: Path | dict[str, Any], problems: _Problems) -> tuple[Any, ...]:
    """Load the targets now (once), so that their problems are reported with the config's."""
    try:
        return tuple(load_targets(source))
    except (ConfigError, SchemaError) as exc:
        problems.add("targets", str(exc).replace("\n", "\n    "))
        return ()


def parse_config(data: Mapping[str, Any], source: str | Path, *,
                 confine_to: str | Path | None = None) -> Config:
    """Validate an already-parsed config mapping; ``source`` is the config file's path.

    Relative paths are resolved against ``source``'s folder. With ``confine_to`` (the
    HTTP service's data root), every path of the config must stay under that folder:
    this is checked on ``data`` before any file is opened, listed or stat-ed, and a path
    outside is reported by its key only ("path outside the data root"; see
    :mod:`landuse._config_confine`).

    Raises
    ------
    ConfigError
        Listing every problem found, each with its key path and the fix.
    """
    source = Path(source).resolve()
    base = source.parent
    problems = _Problems(source)
    if confine_to is not None:  # before anything is opened: nothing is said about targets
        for key in confine.outside_keys(data, base, Path(confine_to)):
            problems.add(key, confine.OUTSIDE)
        problems.raise_if_any()
    _unknown(data, TOP_KEYS, "", problems)

    region_t = _table(data.get("region", {}), "region", problems)
    _unknown(region_t, REGION_KEYS, "region", problems)
    if "region" not in data:
        problems.add("region", "missing [region] with name, code and year")
    name = _string(region_t, "name", "region", problems, required=True) or ""
    code = region_t.get("code")
    if code is None:
        problems.add("region.code", "missing (必填): the 6-digit county code, e.g. \"370321\"")
        code = ""
    elif not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
        problems.add("region.code", f"must be the 6-digit county code as a string (行政区代码), "
                     f"e.g. \"370321\"; found {code!r}")
        code = ""
    year = None
    if "year" in region_t:
        year = _year(region_t["year"], "region.year", problems)
    else:
        problems.add("region.year", "missing (必填): the report year, e.g. 2022")
    counties: tuple[Path, ...] = ()
    if "counties" in region_t:
        counties = region_parts.counties(region_t["counties"], base, problems)
        if confine_to is not None:  # files of a county folder, and county configs
            for key in confine.outside_counties(counties, Path(confine_to)):
                problems.add(key, confine.OUTSIDE)
            problems.raise_if_any()

    layers_t = _table(data.get("layers", {}), "layers", problems)
    _unknown(layers_t, tuple(LAYER_ROLES), "layers", problems)
    if "landuse" not in layers_t and "counties" not in region_t:
        problems.add("layers.landuse", "missing (必填): the 三调 DLTB layer, e.g. "
                     "[layers.landuse] path = \"county.gpkg\", layer = \"DLTB\"")
    layers = {}
    for role in LAYER_ROLES:
        if role not in layers_t:
            continue
        if role == "landuse" and "counties" in region_t:
            # the per-county template: each county file replaces its path
            lu_t = _table(layers_t[role], "layers.landuse", problems)
            _unknown(lu_t, LAYER_ROLES[role] | {"path"}, "layers.landuse", problems)
            _fields(lu_t, "layers.landuse", problems)
            _encoding(lu_t, "layers.landuse", problems)
            continue
        src = _layer(role, layers_t[role], base, problems)
        if src is not None:
            layers[role] = src

    tables = _sources(data, "tables", TABLE_ROLES, _tabular, base, problems)
    rasters = _sources(data, "rasters", RASTER_ROLES, _raster, base, problems)

    rules = DEFAULT_RULES
    rules_t = _table(data.get("rules", {}), "rules", problems)
    _unknown(rules_t, ("name", "path"), "rules", problems)
    if "name" in rules_t and "path" in rules_t:
        problems.add("rules", "give either name (a packaged rule set) or path, not both")
    if "path" in rules_t:
        rp = _path(rules_t, "path", "rules", base, problems)
        rules = str(rp) if rp is not None else rules
    elif "name" in rules_t:
        rules = _string(rules_t, "name", "rules", problems) or rules

    targets_path = None
    targets_inline = None
    if "targets" in data:
        targets_t = _table(data["targets"], "targets", problems)
        if "path" in targets_t:
            _unknown(targets_t, ("path",), "targets", problems)
            targets_path = _path(targets_t, "path", "targets", base, problems)
        elif targets_t:
            targets_inline = targets_t

    options = _options(data.get("options", {}), layers, problems)
    targets_source = targets_path if targets_path is not None else targets_inline
    target_list: tuple[Any, ...] = ()
    if targets_source is not None:
        target_list = _check_targets(targets_source, problems)
    problems.raise_if_any()
    assert year is not None  # for the type checker: a missing year raised above
    return Config(source=source, region=Region(name=name, code=code, year=year,
                                               counties=counties),
                  layers=layers, tables=tables, rasters=rasters, rules=rules,
                  targets=targets_path, targets_inline=targets_inline,
                  target_list=target_list, options=options,
                  template=region_parts.template(data, base) if counties else None)


def load_config(path: str | Path, *, confine_to: str | Path | None = None) -> Config:
    """Load and validate a run configuration (docs/contract.md §2).

    Parameters
    ----------
    path : str or Path
        The TOML config file. Paths inside it are relative to its folder.
    confine_to : str or Path, optional
        A folder every path of the config must stay under (see :func:`parse_config`).

    Returns
    -------
    Config
        Typed, with absolute paths; files and layers were checked to exist.

    Raises
    ------
    ConfigError
        The file is missing or not TOML, or lists every problem found at once (unknown keys,
        missing files or layers, bad values), each with its key path and the fix.
    """
    path = Path(path)
    if confine_to is not None and not confine.inside(Path.cwd(), str(path), Path(confine_to)):
        raise ConfigError(f"config {path.name}: {confine.OUTSIDE}")
    if not path.is_file():
        raise ConfigError(f"配置文件不存在 config file not found: {path}; give the path of the "
                          "TOML config (see the README's config reference)")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件不是有效的 TOML: {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text ({exc}); save the config as UTF-8") from None
    return parse_config(data, path, confine_to=confine_to)

