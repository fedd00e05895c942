"""Region-run parts of the config (``[region] counties``, ``[options] scheduler``).

Pure path and text checks: nothing here imports dask (the extra is only looked up).

Split out of :mod:`landuse.config`; the functions add their problems to the config's
problem list, so that they are reported with every other problem of the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from landuse._config_problems import Problems, config_relative, resolve_path
from landuse.errors import ConfigError

__all__ = ["COUNTY_SUFFIXES", "DASK_EXTRA", "check_scheduler", "counties", "county_sources",
           "scheduler", "template"]

#: land-use file kinds taken from a county folder (one file per county)
COUNTY_SUFFIXES: Final = (".parquet", ".geoparquet", ".gpkg", ".shp", ".zip", ".fgb",
                          ".geojson")
_CODE = re.compile(r"^(\d{6})")

#: the extra a region run needs (``[region] counties``, ``[options] scheduler``)
DASK_EXTRA: Final = "landuse[dask]"


def _dask_missing() -> str | None:
    """Name the missing module of the dask extra, or ``None`` when it is installed."""
    import importlib.util

    for module in ("distributed", "dask_geopandas"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


def _needs_dask(key: str, problems: Problems) -> bool:
    missing = _dask_missing()
    if missing is not None:
        problems.add(key, f"a region run needs the optional extra {DASK_EXTRA} (the module "
                     f"{missing} is not installed): pip install \"{DASK_EXTRA}\", or remove "
                     f"{key} to run one county in-process")
        return False
    return True


def scheduler(value: Any, problems: Problems) -> str | None:
    if not _needs_dask("options.scheduler", problems):
        return None
    try:
        return check_scheduler(value, key="options.scheduler")
    except ConfigError as exc:
        problems.add("options.scheduler", str(exc).removeprefix("options.scheduler "))
        return None


def counties(value: Any, base: Path, problems: Problems) -> tuple[Path, ...]:
    """``[region] counties``: a list of county files or a folder of them (relative paths)."""
    key = "region.counties"
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        items = list(value)
    else:
        problems.add(key, "must be a list of county files, e.g. [\"370321.gpkg\", "
                     f"\"370322.gpkg\"], or a folder such as \"counties/\"; found {value!r}")
        return ()
    if not _needs_dask(key, problems):
        return ()
    paths = []
    for text in items:
        path = resolve_path(text, base, key, problems)
        if path is None:
            continue
        if path.is_dir() and isinstance(value, list):
            problems.add(key, f"{text!r} is a folder: give counties = \"{text}\" (a folder) "
                         "or a list of files, not a folder inside the list")
        elif path.is_file() and path.suffix.lower() not in (*COUNTY_SUFFIXES, ".toml"):
            problems.add(key, f"{text!r} is not a county file; give land-use files "
                         f"({', '.join(COUNTY_SUFFIXES)}) or county configs (.toml)")
        else:
            paths.append(path)
    if isinstance(value, str) and len(paths) == 1 and paths[0].is_dir():
        try:
            paths = [p for _, p in county_sources(paths[0])]
        except ConfigError as exc:
            problems.add(key, str(exc).removeprefix("counties: "))
            return ()
    return tuple(paths)


def check_scheduler(address: object, *, key: str = "options.scheduler") -> str | None:
    """Validate a scheduler address of the config; return it (``None`` or ``""``: in-process).

    Raises
    ------
    ConfigError
        Not a string, or not ``tcp://``, ``tls://``, ``ucx://`` or ``inproc://`` followed by
        a host (and port), e.g. ``"tcp://10.0.0.5:8786"``.
    """
    if address is None or address == "":
        return None
    if not isinstance(address, str) or not re.fullmatch(
            r"(tcp|tls|ucx|inproc)://[^\s/:]+(:\d{1,5})?(/[^\s]*)?", address):
        raise ConfigError(f"{key} must be a dask scheduler address such as "
                          f"\"tcp://host:8786\" (or empty for in-process), found {address!r}")
    return address


def county_sources(
    counties: str | Path | Sequence[str | Path] | Mapping[str, str | Path],
) -> list[tuple[str, Path]]:
    """List ``(county code, land-use file or config)`` pairs.

    A folder stands for its files with a suffix in :data:`COUNTY_SUFFIXES` or ``.toml``
    (sorted); a sequence for its files; a mapping gives the codes. Without a mapping the
    code is the first six digits of the file name (``370321.parquet``,
    ``370321_桓台县.gpkg``); a file without them gets the code ``""`` and fails on its own
    in the run (reported), without stopping the others.
    """
    if isinstance(counties, Mapping):
        return [(str(code), Path(p)) for code, p in counties.items()]
    if isinstance(counties, str | Path):
        folder = Path(counties)
        if not folder.is_dir():
            raise ConfigError(f"counties: {folder} is not a folder; give a folder of county "
                              "files, a list of files or a mapping {code: file}")
        files = sorted(f for f in folder.iterdir()
                       if f.suffix.lower() in (*COUNTY_SUFFIXES, ".toml"))
        if not files:
            raise ConfigError(f"counties: no county files ({', '.join(COUNTY_SUFFIXES)}, "
                              f".toml) in {folder}")
    else:
        files = [Path(f) for f in counties]
    out = []
    for f in files:
        m = _CODE.match(f.name)
        out.append((m.group(1) if m else "", f))
    return out


#: keys of the config that hold paths: (section, key) per role table
_PATH_KEYS: Final = {"layers": ("path",), "tables": ("path", "parcels"),
                     "rasters": ("path", "classes")}


def template(data: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """Return the per-county template of a region config: TOML data, every path absolute.

    ``[region] counties`` and ``[options] scheduler`` are removed (each county is one
    ordinary run); dates become ISO strings.
    """
    import json

    out: dict[str, Any] = json.loads(json.dumps(dict(data), default=str))
    out.get("region", {}).pop("counties", None)
    out.get("options", {}).pop("scheduler", None)

    def absolute(text: Any) -> Any:
        return str(config_relative(base, text)) if isinstance(text, str) else text

    for section, keys in _PATH_KEYS.items():
        for entry in out.get(section, {}).values():
            if isinstance(entry, dict):
                for k in keys:
                    if k in entry:
                        entry[k] = absolute(entry[k])
    for section in ("rules", "targets"):
        entry = out.get(section)
        if isinstance(entry, dict) and "path" in entry:
            entry["path"] = absolute(entry["path"])
    return out
