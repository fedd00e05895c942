"""The service's shared state: data root, work folders, limits and the cached indexes.

One :class:`ServiceState` lives in the process manager of one app (no module-level
state): the protected-area index of each config is built once, on first use, and rebuilt
only when the config or the protected-area file changes. That is checked (the config name
resolved under the data root again, both files stat-ed) at most once per
:data:`RECHECK_SECONDS` per config name, so a burst of checks makes no file-system calls:
a changed file is seen within that time.
"""

from __future__ import annotations

import shutil
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pyogrio
import pyogrio.errors

from landuse.config import Config, load_config
from landuse.errors import LanduseError, LanduseWarning
from landuse.findings import Finding, get_findings
from landuse.io.vector import read_protected_areas
from landuse.redlines.mining import ProtectedIndex
from landuse.serve._archive import DiskBudget
from landuse.serve._errors import RequestRejected, busy, rejected
from landuse.serve._paths import resolve_under

#: Seconds a config's index is trusted without looking at the files again.
RECHECK_SECONDS = 1.0

__all__ = [
    "DEFAULT_MAX_JOBS",
    "DEFAULT_MAX_QUEUED",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "DEFAULT_MAX_VERTICES",
    "DEFAULT_UPLOAD_DISK_BYTES",
    "IndexEntry",
    "ServiceState",
    "Ticket",
]

# The defaults of the service's limits, for the app (create_app, serve), its job manager
# and this state; `landuse serve` shows the same numbers (tests/serve keeps them equal).
#: 10 MiB: a boundary-point file of several thousand parcels.
DEFAULT_MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
#: Annual-run jobs running at once, each in its own process.
DEFAULT_MAX_JOBS: Final = 2
#: Annual runs that may wait for a slot.
DEFAULT_MAX_QUEUED: Final = 4
#: Most positions of a check-new-right geometry.
DEFAULT_MAX_VERTICES: Final = 100_000
#: Disk the unpacked uploads of queued and running jobs may take together.
DEFAULT_UPLOAD_DISK_BYTES: Final = 2 * 1024**3


@dataclass
class IndexEntry:
    """A prebuilt protected-area index with what is needed to answer and to invalidate it."""

    index: ProtectedIndex
    config: Config
    name: str
    stamp: tuple[int, ...]
    findings: list[Finding]
    #: ``time.monotonic()`` of the last check that the files are unchanged.
    checked: float = 0.0


def _stamp(*paths: Path) -> tuple[int, ...]:
    """Return modification time and size of each file (a changed file gets a new index)."""
    out: list[int] = []
    for p in paths:
        st = p.stat()
        out.extend((st.st_mtime_ns, st.st_size))
    return tuple(out)


@dataclass
class ServiceState:
    """Configuration and caches shared by the processors of one app.

    Parameters
    ----------
    data_root : Path
        Resolved folder; requests may name files only under it.
    work_dir : Path
        Folder of the job database and the job folders (``jobs/<job id>/``).
    max_upload_bytes : int
        Largest request body and largest decoded upload, bytes.
    max_jobs : int
        Annual-run jobs running at the same time (each in its own process).
    max_queued : int
        Annual runs that may wait for a slot; one more is refused (503, Retry-After).
    max_vertices : int
        Most positions of a ``check-new-right`` geometry (413 above).
    upload_disk_bytes : int
        Disk the unpacked uploads of queued and running jobs may take together (503
        while full; 413 for one upload larger than all of it).
    """

    data_root: Path
    work_dir: Path
    max_upload_bytes: int
    max_jobs: int = DEFAULT_MAX_JOBS
    max_queued: int = DEFAULT_MAX_QUEUED
    max_vertices: int = DEFAULT_MAX_VERTICES
    upload_disk_bytes: int = DEFAULT_UPLOAD_DISK_BYTES
    _indexes: dict[Path, IndexEntry] = field(default_factory=dict, repr=False)
    _by_name: dict[str, IndexEntry] = field(default_factory=dict, repr=False)
    _build_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    warnings_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    job_slots: threading.BoundedSemaphore = field(init=False, repr=False)
    uploads: DiskBudget = field(init=False, repr=False)
    _admitted: int = field(default=0, repr=False)
    _admit_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.job_slots = threading.BoundedSemaphore(self.max_jobs)
        self.uploads = DiskBudget(self.upload_disk_bytes)

    def admit(self) -> Ticket:
        """Take a place for an annual run: at most ``max_jobs + max_queued`` at once.

        Raises
        ------
        RequestRejected
            503 (``Retry-After``) when every running slot and queue place is taken.
        """
        with self._admit_lock:
            if self._admitted >= self.max_jobs + self.max_queued:
                raise busy(f"the job queue is full ({self.max_jobs} running, "
                           f"{self.max_queued} waiting: --max-jobs, --max-queued)")
            self._admitted += 1
        return Ticket(self)

    def _leave(self) -> None:
        with self._admit_lock:
            self._admitted -= 1

    def drop_upload(self, folder: Path) -> None:
        """Remove an unpacked upload and give its bytes back to the disk budget."""
        shutil.rmtree(folder, ignore_errors=True)
        self.uploads.release(folder)

    @property
    def jobs_dir(self) -> Path:
        """Parent folder of the job folders."""
        return self.work_dir / "jobs"

    def load_config(self, name: Any) -> tuple[Config, Path]:
        """Resolve ``name`` under the data root and load the config, confined to the root.

        Every path of the config is checked to stay under the data root before any file
        is opened (``load_config(confine_to=...)``).

        Raises
        ------
        RequestRejected
            A path outside the root (400: "path outside the data root" with the config
            key), a missing file (404), or the config's own ConfigError message (400).
        """
        path = resolve_under(self.data_root, name, what="config")
        try:
            cfg = load_config(path, confine_to=self.data_root)
        except LanduseError as exc:
            raise rejected(exc, self.data_root) from None
        return cfg, path

    def protected_index(self, name: Any) -> IndexEntry:
        """Return the protected-area index of a config, building it on first use.

        The working CRS is ``options.working_crs`` or the CRS of the land-use layer (as
        in the annual run), so overlaps are in the same metres as ``redlines.csv``.
        The index is read-only once built: threads query it at the same time, unlocked.
        """
        recent = self._by_name.get(name) if isinstance(name, str) else None
        if recent is not None and time.monotonic() - recent.checked < RECHECK_SECONDS:
            return recent
        path = resolve_under(self.data_root, name, what="config")
        entry = self._indexes.get(path)
        if entry is None or not self._fresh(entry, path):
            with self._build_lock:  # one build at a time; others wait for it
                entry = self._indexes.get(path)
                if entry is None or not self._fresh(entry, path):
                    entry = self._build_index(name, path)
                    self._indexes[path] = entry
        entry.checked = time.monotonic()
        # names are client input: only strings that resolved, and a bounded number of them
        if isinstance(name, str) and (name in self._by_name or len(self._by_name) < 256):
            self._by_name[name] = entry
        return entry

    def _fresh(self, entry: IndexEntry, path: Path) -> bool:
        try:
            return entry.stamp == _stamp(path, entry.config.layers["protected_areas"].path)
        except OSError:
            return False

    def _build_index(self, name: Any, path: Path) -> IndexEntry:

        cfg, _ = self.load_config(name)
        src = cfg.layers.get("protected_areas")
        if src is None:
            raise RequestRejected(
                f"config {name!r} has no [layers.protected_areas] (自然保护地): add the layer "
                "of protected areas to check mining rights against (docs/contract.md §2)")
        working = cfg.options.working_crs or _layer_crs(cfg)
        try:
            with self.warnings_lock, warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", LanduseWarning)
                protected = read_protected_areas(
                    src.path, layer=src.layer, fields=src.fields or None,
                    encoding=src.encoding, working_crs=working)
                index = ProtectedIndex(protected, working_crs=working)
        except LanduseError as exc:
            raise rejected(exc, self.data_root) from None
        findings = [*get_findings(protected), *index.findings]
        known = {f.message for f in findings}
        findings += [Finding(code="warning", message=str(w.message), count=1) for w in caught
                     if issubclass(w.category, LanduseWarning) and str(w.message) not in known]
        return IndexEntry(index=index, config=cfg, name=str(name),
                          stamp=_stamp(path, src.path), findings=findings)


class Ticket:
    """A place of an annual run in the bounded queue (:meth:`ServiceState.admit`)."""

    def __init__(self, state: ServiceState) -> None:
        self._state: ServiceState | None = state

    def slot(self) -> threading.BoundedSemaphore:
        """Return the running slots: ``with ticket.slot():`` waits for one (queued)."""
        assert self._state is not None, "the ticket was released"
        return self._state.job_slots

    def release(self) -> None:
        """Give the place back (once; later calls do nothing)."""
        state, self._state = self._state, None
        if state is not None:
            state._leave()


def _layer_crs(cfg: Config) -> str | None:
    """Return the land-use layer's CRS as stored (None when it cannot be listed cheaply)."""
    lu = cfg.layers["landuse"]
    try:
        crs = pyogrio.read_info(lu.path, layer=lu.layer)["crs"]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError):
        # e.g. GeoParquet (no GDAL driver): the protected layer's own CRS is used, and
        # ProtectedIndex refuses it (CRSError, 400) when that one is geographic
        return None
    return str(crs) if crs else None
