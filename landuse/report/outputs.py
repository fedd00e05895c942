"""Write every output of docs/contract.md §3 atomically.

Files are written into a temporary folder next to ``DIR`` (same file system) and moved
into ``DIR`` only when all of them were written. A failed run leaves ``DIR`` as it was
(no partial files, no temporary folder); input files are never touched. Known ``landuse``
outputs left in ``DIR`` by an earlier run that this run does not produce (e.g. an old
``idle_parcels.csv`` when the ledger was removed from the config) are removed on success, so
``DIR`` never mixes two runs. Other files in ``DIR`` are left alone.

Two runs into one ``DIR`` at once cannot both succeed: :func:`output_lock` holds an
exclusive lock (``fcntl.flock`` on ``.<DIR>.lock`` beside ``DIR``) for the whole run; a
second run exits 2 naming the process that holds it. The kernel drops the lock when its
process dies, so a killed run never blocks the next one; the next run, holding the lock,
removes the temporary folders (``.<DIR>.tmp-*``) that killed runs left behind.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from landuse.errors import InputFileError
from landuse.findings import Finding
from landuse.redlines.summary import status_summary
from landuse.report.document import indicators_table, validate_document, write_csv, write_json
from landuse.report.duties import DUTY_TITLES
from landuse.report.html import render_html
from landuse.report.labels import finding_title, label
from landuse.report.survey import SURVEY_FILES, survey_writers
from landuse.report.vector import write_gpkg
from landuse.report.xlsx import write_xlsx
from landuse.tables import SurveyTables

__all__ = ["OUTPUT_FILES", "RunOutputs", "output_lock", "write_atomic", "write_outputs"]

OUTPUT_FILES: Final = (
    "indicators.json", "indicators.csv", "indicators.xlsx", "class_areas.csv",
    "redlines.gpkg", "redlines.csv", "idle_parcels.gpkg", "idle_parcels.csv",
    "transitions.csv", "landcover_areas.csv", "report.html",
    *SURVEY_FILES,  # survey tables (issue #18)
    # issue 19 (landuse.run.duties)
    *(f"{name}.csv" for name in DUTY_TITLES), "low_efficiency_land.gpkg",
    "low_efficiency_land.csv",
)


@dataclass(frozen=True)
class RunOutputs:
    """The plain data every output file is written from (the writers know no run object).

    ``document`` is the ``indicators.json`` document (docs/contract.md §3.1); the frames
    are the run's tables and layers; ``zones``, ``protected`` and ``rights`` are drawn on
    the report's maps.
    """

    document: dict[str, Any]
    class_areas: pd.DataFrame
    redlines: pd.DataFrame
    redline_layers: dict[str, gpd.GeoDataFrame]
    findings: list[Finding]
    zones: gpd.GeoDataFrame | None = None
    idle_parcels: gpd.GeoDataFrame | None = None
    transitions: pd.DataFrame | None = None
    landcover_areas: pd.DataFrame | None = None
    protected: gpd.GeoDataFrame | None = None
    rights: gpd.GeoDataFrame | None = None
    survey: SurveyTables | None = None  # issue #18: the 三调 summary tables
    year: int | None = None
    duties: dict[str, pd.DataFrame] = field(default_factory=dict)
    duty_layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)


def _findings_frame(result: RunOutputs) -> pd.DataFrame:
    rows = [{**f.to_dict(), "severity": label("severity", f.severity),
             "title": finding_title(f.code), "finding_code": f.code,
             "examples": ", ".join(map(str, f.examples))} for f in result.findings]
    return pd.DataFrame(rows, columns=["severity", "title", "finding_code", "count", "source",
                                       "message", "examples"])


def _writers(result: RunOutputs) -> dict[str, Callable[[Path], object]]:
    """File name -> a function writing it into a folder (only the outputs this run has)."""
    doc = result.document
    validate_document(doc)
    records = doc["indicators"]
    prov = doc["provenance"]
    writers: dict[str, Callable[[Path], object]] = {}
    writers["indicators.json"] = lambda d: write_json(doc, d / "indicators.json")
    writers["indicators.csv"] = lambda d: write_csv(indicators_table(records),
                                                    d / "indicators.csv")
    sheets: dict[str, pd.DataFrame] = {}
    if not result.class_areas.empty:
        writers["class_areas.csv"] = lambda d: write_csv(result.class_areas, d / "class_areas.csv")
        sheets["地类面积 class areas"] = result.class_areas
    writers["redlines.csv"] = lambda d: write_csv(result.redlines, d / "redlines.csv")
    if result.redline_layers:
        writers["redlines.gpkg"] = lambda d: write_gpkg(d / "redlines.gpkg", result.redline_layers)
    if not result.redlines.empty and "status" in result.redlines:
        sheets["红线性质 redline status"] = status_summary(result.redlines)
    for name, layer in sorted(result.redline_layers.items()):
        title = {"mining_conflicts": "矿业权冲突 mining conflicts",
                 "zone_violations": "三线冲突 zone violations"}.get(name, name)
        sheets[title] = pd.DataFrame(layer.drop(columns=layer.geometry.name))
    if result.idle_parcels is not None:
        idle = result.idle_parcels
        writers["idle_parcels.csv"] = lambda d: write_csv(
            pd.DataFrame(idle.drop(columns="geometry", errors="ignore")), d / "idle_parcels.csv")
        if "geometry" in idle.columns and getattr(idle, "crs", None) is not None:
            writers["idle_parcels.gpkg"] = lambda d: write_gpkg(d / "idle_parcels.gpkg",
                                                                {"idle_parcels": idle})
        sheets["闲置土地 idle parcels"] = pd.DataFrame(idle.drop(columns="geometry",
                                                              errors="ignore"))
    if result.transitions is not None:
        writers["transitions.csv"] = lambda d: write_csv(result.transitions,
                                                         d / "transitions.csv")
    if result.landcover_areas is not None:
        writers["landcover_areas.csv"] = lambda d: write_csv(result.landcover_areas,
                                                             d / "landcover_areas.csv")
    _duty_writers(result, writers, sheets)
    sheets["数据质量 findings"] = _findings_frame(result)
    sheets["输入 inputs"] = pd.DataFrame(prov["inputs"])
    scalars = {k: v for k, v in prov.items() if not isinstance(v, list | dict)}
    scalars.update({f"options.{k}": v for k, v in prov.get("options", {}).items()})
    scalars.update({f"rule_set.{k}": v for k, v in prov.get("rule_set", {}).items()
                    if isinstance(v, str)})
    scalars.update({"region.code": doc["region"]["code"], "region.name": doc["region"]["name"],
                    "year": doc["year"], "schema": doc["schema"]})
    if records:
        writers["indicators.xlsx"] = lambda d: write_xlsx(d / "indicators.xlsx", records,
                                                          tables=sheets, provenance=scalars)
        writers["report.html"] = lambda d: (d / "report.html").write_text(render_html(
            doc, zones=result.zones, class_areas=result.class_areas,
            redlines=_with_geometry(result), protected=result.protected,
            rights=result.rights, idle_parcels=result.idle_parcels, duties=result.duties),
            encoding="utf-8")
    return writers


def _duty_writers(result: RunOutputs, writers: dict[str, Callable[[Path], object]],
                  sheets: dict[str, pd.DataFrame]) -> None:
    """Issue 19: each duty table as ``<name>.csv`` and a sheet; layers as ``<name>.gpkg``."""

    def csv(frame: pd.DataFrame, name: str, d: Path) -> object:
        return write_csv(frame, d / name)

    def gpkg(layer: Any, name: str, d: Path) -> object:
        return write_gpkg(d / f"{name}.gpkg", {name: layer})

    for name, frame in result.duties.items():
        writers[f"{name}.csv"] = partial(csv, frame, f"{name}.csv")
        zh, en = DUTY_TITLES.get(name, (name, ""))
        title = re.sub(r"[\[\]:*?/\\]", "-", f"{zh} {en}".strip())[:31]  # Excel's rules
        sheets[title] = frame
    for name, layer in result.duty_layers.items():
        table = pd.DataFrame(layer.drop(columns="geometry", errors="ignore"))
        writers[f"{name}.csv"] = partial(csv, table, f"{name}.csv")
        if layer.geometry.notna().any():
            writers[f"{name}.gpkg"] = partial(gpkg, layer, name)


def _with_geometry(result: RunOutputs) -> pd.DataFrame | None:
    layers = [g for g in result.redline_layers.values() if len(g)]
    if not layers:
        return None
    return pd.concat(layers, ignore_index=True)


def _created_dirs(path: Path) -> list[Path]:
    """Ancestors of ``path`` (itself included) that do not exist yet, outermost first."""
    missing = []
    for p in [path, *path.parents]:
        if p.exists():
            break
        missing.append(p)
    return list(reversed(missing))


def _resolve_out(out_dir: str | Path) -> Path:
    try:
        out = Path(out_dir).resolve()
    except (RuntimeError, OSError) as exc:  # a loop of symbolic links
        raise InputFileError(f"--out {out_dir} cannot be followed ({exc}); give a real "
                             "folder path") from None
    if out.exists() and not out.is_dir():
        raise InputFileError(f"--out {out} exists and is not a folder; give a folder path")
    return out


@contextmanager
def output_lock(out_dir: str | Path) -> Iterator[Path]:
    """Hold the exclusive lock of an output folder; yield its resolved path.

    The lock file ``.<name>.lock`` lies beside the folder (its parent is created when
    missing) and records the holder's process id. Temporary folders ``.<name>.tmp-*`` left
    by runs that died (no other run can be writing while this one holds the lock) are
    removed.

    Raises
    ------
    InputFileError
        Another run holds the lock (exit 2): its process id is named.
    """
    out = _resolve_out(out_dir)
    created = _created_dirs(out.parent)
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.lock"
    fd = _acquire(lock_path, out)
    try:
        for stale in out.parent.glob(f".{out.name}.tmp-*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        yield out
    finally:
        lock_path.unlink(missing_ok=True)  # while holding it: see _acquire
        os.close(fd)
        for d in reversed(created):
            if not d.is_dir() or any(d.iterdir()):
                break
            d.rmdir()


def _acquire(lock_path: Path, out: Path) -> int:
    """Open and lock ``lock_path``; the holder unlinks it before releasing.

    After locking, the file must still be the one at ``lock_path`` (a holder may have
    unlinked it between our open and our lock); otherwise open the new one and retry.
    """
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise InputFileError(
                f"另一个运行正在写入 another landuse run (process {holder}) is writing into "
                f"--out {out}; wait for it to finish, or give another --out folder"
            ) from None
        try:
            same = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)


def write_outputs(result: RunOutputs, out_dir: str | Path, *,
                  only: Iterable[str] | None = None, lock: bool = True) -> Path:
    """Write the outputs of ``result`` into ``out_dir`` atomically (see module docstring).

    Parameters
    ----------
    result : RunOutputs
        What the run computed, as plain data (``RunResult.output_data()``).
    out_dir : str or Path
        Output folder; created when missing.
    only : iterable of str, optional
        Restrict to these file names (``landuse redlines`` writes only the redline files).
    lock : bool
        Take :func:`output_lock` while writing; ``False`` when the caller holds it
        already (the annual run holds it from before reading its inputs).

    Returns
    -------
    Path
        ``out_dir``.
    """
    if lock:
        with output_lock(out_dir) as out:
            return _write(result, out, only=only)
    return _write(result, _resolve_out(out_dir), only=only)


def _write(result: RunOutputs, out: Path, *, only: Iterable[str] | None) -> Path:
    writers = _writers(result)
    if result.survey is not None:  # survey tables (issue #18): one hook, rewire with the model
        writers.update(survey_writers(result.survey, year=result.year))
    if only is not None:
        keep = set(only)
        writers = {k: v for k, v in writers.items() if k in keep}
    return write_atomic(writers, out, stale=OUTPUT_FILES if only is None else ())


def write_atomic(writers: dict[str, Callable[[Path], object]], out_dir: str | Path, *,
                 stale: Iterable[str] = ()) -> Path:
    """Run ``writers`` (file name -> writer of a folder) into ``out_dir`` atomically.

    Names may hold one sub-folder (``survey_tables/level1.csv``). Files named in ``stale``
    that this write does not produce are removed from ``out_dir`` on success.
    """
    out = Path(out_dir).resolve()
    if out.exists() and not out.is_dir():
        raise InputFileError(f"--out {out} exists and is not a folder; give a folder path")
    created = _created_dirs(out.parent)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the output folder is an ordinary one
    try:
        for name in sorted(writers):
            writers[name](tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for d in reversed(created):
            try:
                d.rmdir()
            except OSError:
                break
        raise
    if not out.exists():
        os.replace(tmp, out)
        return out
    gone = set(stale) - set(writers)
    for name in sorted(writers):
        (out / name).parent.mkdir(exist_ok=True)
        os.replace(tmp / name, out / name)
    for name in sorted(gone):
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)
    return out
