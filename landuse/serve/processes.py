"""The three OGC API – Processes processes, as pygeoapi process plugins.

Each class is a :class:`pygeoapi.process.base.BaseProcessor` with the process description
(inputs and outputs as JSON Schema) in ``PROCESS_METADATA``. Work is split in two steps so
that bad input is refused *before* a job is created:

- ``prepare(data)`` checks every input (paths confined to ``--data-root``, sizes, GeoJSON,
  CRS) and raises :class:`~landuse.serve._errors.RequestRejected` (4xx);
- ``run(prepared, job_dir=..., progress=...)`` does the work and returns
  ``(media type, JSON-ready output)``.

``execute(data)`` (pygeoapi's interface) is both in one call. The process manager
(:mod:`landuse.serve.manager`) gives every processor the app's :class:`ServiceState`.
"""

from __future__ import annotations

import abc
import json
import tempfile
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any, ClassVar

from pygeoapi.process.base import BaseProcessor

from landuse.config import load_config
from landuse.errors import LanduseError
from landuse.redlines import NEAR_M
from landuse.serve import _geojson
from landuse.serve._archive import unpack_archive
from landuse.serve._errors import InternalError, RequestRejected, client_message, rejected
from landuse.serve._jobs import JobFailed, run_annual_job
from landuse.serve._paths import resolve_under
from landuse.serve._state import ServiceState

__all__ = ["CheckNewRightProcessor", "IndicatorsProcessor", "LanduseProcessor",
           "Txt2GeojsonProcessor"]

Progress = Callable[[str, int, int], None]
_JSON = "application/json"


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string", **extra},
            "minOccurs": 0, "maxOccurs": 1}


_CONFIG_INPUT = {
    "title": "Run config",
    "description": "Path of a county run config (TOML, docs/contract.md §2) relative to the "
                   "server's "
                   "--data-root, e.g. 'huantai/config.toml'. Absolute paths, '..' and "
                   "symlinks out of the data root are refused, as is a config whose files "
                   "lie outside it.",
    "schema": {"type": "string"}, "minOccurs": 1, "maxOccurs": 1,
}


class LanduseProcessor(BaseProcessor, abc.ABC):
    """Base of the landuse processes: validate first, then run (see the module doc).

    A process implements :meth:`_prepare` and :meth:`run` (abstract here).
    """

    PROCESS_METADATA: ClassVar[dict[str, Any]] = {}
    #: Inputs the process accepts; any other is refused (a typo is not silently ignored).
    INPUTS: ClassVar[frozenset[str]] = frozenset()
    #: Whether a run writes into a job folder of its own.
    needs_job_dir: ClassVar[bool] = False

    def __init__(self, processor_def: dict[str, Any]) -> None:
        super().__init__(processor_def, self.PROCESS_METADATA)
        self.state: ServiceState | None = None

    @property
    def service(self) -> ServiceState:
        """The app's shared state (set by the process manager)."""
        if self.state is None:
            raise InternalError(user_msg="processor used outside the landuse process "
                                         "manager (no service state)")
        return self.state

    def prepare(self, data: dict[str, Any]) -> Any:
        """Check the inputs; return what :meth:`run` needs. Raises RequestRejected (4xx)."""
        if not isinstance(data, dict):
            raise RequestRejected("'inputs' must be a JSON object of input name -> value")
        unknown = sorted(set(data) - self.INPUTS)
        if unknown:
            raise RequestRejected(
                f"unknown input(s) {unknown} for process '{self.metadata['id']}'; its "
                f"inputs are {sorted(self.INPUTS)} (see /processes/{self.metadata['id']})")
        return self._prepare(data)

    @abc.abstractmethod
    def _prepare(self, data: dict[str, Any]) -> Any:
        """Check the process's own inputs; return what :meth:`run` needs."""

    @abc.abstractmethod
    def run(self, prepared: Any, *, job_dir: Path | None = None,
            progress: Progress | None = None) -> tuple[str, Any]:
        """Do the work on prepared inputs; return ``(media type, output)``."""

    def execute(self, data: dict[str, Any], outputs: dict | None = None) -> tuple[str, Any]:
        """Prepare and run in one call (pygeoapi's processor interface)."""
        prepared = self.prepare(data)
        if not self.needs_job_dir:
            return self.run(prepared)
        with tempfile.TemporaryDirectory(dir=self.service.work_dir) as tmp:
            return self.run(prepared, job_dir=Path(tmp))


class CheckNewRightProcessor(LanduseProcessor):
    """``check-new-right``: may a proposed mining right be granted? (synchronous)."""

    PROCESS_METADATA: ClassVar[dict[str, Any]] = {
        "version": "1.0.0",
        "id": "check-new-right",
        "title": "Check a proposed mining right against protected areas",
        "description": (
            "Overlays one proposed mining-right polygon on the protected areas (自然保护地, "
            "饮用水水源保护区, 风景名胜区) of a county config and answers whether it may be "
            "granted (allowed / refused), with every protected feature it touches, the "
            "overlap in m² (planar, in the county's working CRS) and its share of the right, "
            "and the reasons with their legal basis (landuse.redlines.ProtectedIndex.check)."),
        "jobControlOptions": ["sync-execute"],
        "keywords": ["mining right", "矿业权", "protected area", "自然保护地", "redline"],
        "inputs": {
            "geometry": {
                "title": "Proposed right",
                "description": "GeoJSON Polygon or MultiPolygon, or a Feature (or a "
                               "FeatureCollection of one Feature) holding one.",
                "schema": {"type": "object", "contentMediaType": "application/geo+json"},
                "minOccurs": 1, "maxOccurs": 1,
            },
            "crs": {"title": "CRS of the geometry", **_string(
                "CRS of the coordinates, e.g. 'EPSG:4527' (CGCS2000 3° zone 39 with prefix) "
                "or 'EPSG:4490'. Default: a legacy GeoJSON 'crs' member of the geometry, "
                "else OGC:CRS84 (longitude, latitude) as GeoJSON prescribes. Coordinates "
                "outside the CRS's area of use are refused.")},
            "config": _CONFIG_INPUT,
            "stage": {"title": "Stage", **_string(
                "'application' (default): a conflict means refuse; 'existing': withdraw.",
                enum=["application", "existing"])},
            "sliver_m2": {"title": "Sliver threshold (m²)", "description":
                          "Overlaps below this count as touching. Default: the config's "
                          "options.sliver_m2.", "schema": {"type": "number", "minimum": 0},
                          "minOccurs": 0, "maxOccurs": 1},
            "near_m": {"title": "Near distance (m)", "description":
                       "Without contact, the nearest protected feature within this distance "
                       f"is reported. Default {NEAR_M:g}.", "schema": {"type": "number",
                                                                       "minimum": 0},
                       "minOccurs": 0, "maxOccurs": 1},
        },
        "outputs": {
            "result": {
                "title": "Decision",
                "description": "allowed (bool), disposition (refuse / withdraw / none), "
                               "area_m2, protected_area_m2 (union of overlaps), "
                               "protected_share, contacts [{against_id, against_name, "
                               "category, subtype, zone_type, relation, overlap_m2, share, "
                               "prohibited, priority, reason}], nearest, reasons, "
                               "working_crs, rules, crs, config, warnings.",
                "schema": {"type": "object", "contentMediaType": _JSON},
            }
        },
        "example": {"inputs": {
            "config": "huantai/config.toml", "crs": "EPSG:4527",
            "geometry": {"type": "Polygon", "coordinates": [[
                [39585000, 4090000], [39585300, 4090000], [39585300, 4090300],
                [39585000, 4090300], [39585000, 4090000]]]}}},
    }
    INPUTS: ClassVar[frozenset[str]] = frozenset(
        {"geometry", "crs", "config", "stage", "sliver_m2", "near_m"})

    def _prepare(self, data: dict[str, Any]) -> dict[str, Any]:
        entry = self.service.protected_index(data.get("config"))
        if "geometry" not in data:
            raise RequestRejected("input 'geometry' (the proposed right, GeoJSON) is required",
                                  code="MissingParameterValue")
        geom, embedded = _geojson.parse_polygon(data["geometry"],
                                                max_vertices=self.service.max_vertices)
        crs = _geojson.resolve_crs(data.get("crs"), embedded)
        _geojson.check_area_of_use(geom, crs)
        stage = data.get("stage", "application")
        if stage not in ("application", "existing"):
            raise RequestRejected(f"input 'stage' must be 'application' or 'existing'; got "
                                  f"{stage!r}")
        sliver = _number(data, "sliver_m2", entry.config.options.sliver_m2)
        near = _number(data, "near_m", NEAR_M)
        return {"geometry": geom, "crs": crs, "stage": stage, "sliver_m2": sliver,
                "near_m": near, "entry": entry}

    def run(self, prepared: dict[str, Any], *, job_dir: Path | None = None,
            progress: Progress | None = None) -> tuple[str, Any]:
        """Check the prepared right against the config's cached protected-area index."""
        entry = prepared["entry"]
        try:  # the index is read-only: no lock (ProtectedIndex.check is thread-safe)
            # the CRS by its source string: the index caches transformers by it
            answer = entry.index.check(
                prepared["geometry"], crs=prepared["crs"].srs, stage=prepared["stage"],
                sliver_m2=prepared["sliver_m2"], near_m=prepared["near_m"])
        except LanduseError as exc:
            raise rejected(exc, self.service.data_root) from None
        doc = answer.to_dict()
        doc.update(config=entry.name, crs=_geojson.crs_label(prepared["crs"]),
                   warnings=[client_message(Exception(f.message), self.service.data_root)
                             for f in entry.findings if f.severity == "warning"])
        return _JSON, doc


def _number(data: dict[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise RequestRejected(f"input '{key}' must be a number >= 0; got {value!r}")
    return float(value)


class IndicatorsProcessor(LanduseProcessor):
    """``indicators``: the annual run of a county config -> indicators.json (a job)."""

    PROCESS_METADATA: ClassVar[dict[str, Any]] = {
        "version": "1.0.0",
        "id": "indicators",
        "title": "Annual indicators of a county (indicators.json)",
        "description": (
            "Runs the annual run (landuse.run.run, as `landuse run CONFIG --out DIR`) on a "
            "county config under the data root and returns its indicators.json "
            "(schema landuse/indicators@1, docs/contract.md §3.1). A large county takes tens of "
            "seconds: execute with the header 'Prefer: respond-async' to get a job "
            "(201, Location: /jobs/{jobId}) with status and progress, and fetch the result "
            "from /jobs/{jobId}/results. Each job runs in its own process and writes every "
            "output of docs/contract.md §3 into its own folder. Instead of a config under the data "
            "root, the county folder can be uploaded: 'archive_base64' is a ZIP archive "
            "of a run config and the files it names (paths relative to the config); "
            "'config' then names the config inside the archive (default config.toml)."),
        "jobControlOptions": ["async-execute", "sync-execute"],
        "keywords": ["三调", "indicators", "国土开发强度", "annual report"],
        "inputs": {
            "config": {**_CONFIG_INPUT, "minOccurs": 0, "description": (
                str(_CONFIG_INPUT["description"]) + " With 'archive_base64': the config's path "
                "inside the archive (default 'config.toml', at the top or in the archive's "
                "one top folder).")},
            "archive_base64": {"title": "Uploaded county folder (ZIP, base64)", **_string(
                "A ZIP archive, base64-encoded, of a run config (TOML, docs/contract.md §2) "
                "and every file it names by relative paths (layers, tables, targets). At most "
                "--max-upload-bytes as sent (base64) and 10 times that unpacked; no links, "
                "no absolute paths or '..'. Give this or a 'config' under the data root.",
                contentEncoding="base64", contentMediaType="application/zip")},
        },
        "outputs": {
            "indicators": {
                "title": "indicators.json",
                "description": "The document of docs/contract.md §3.1: schema, region, year, "
                               "provenance (inputs with sha256, rules, warnings) and every "
                               "indicator row with target and status.",
                "schema": {"type": "object", "contentMediaType": _JSON},
            }
        },
        "example": {"inputs": {"config": "huantai/config.toml"}},
    }
    INPUTS: ClassVar[frozenset[str]] = frozenset({"config", "archive_base64"})
    needs_job_dir: ClassVar[bool] = True

    def _prepare(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("archive_base64") is None:
            _, path = self.service.load_config(data.get("config"))
            return {"config": path, "root": self.service.data_root, "upload": None}
        folder = unpack_archive(data["archive_base64"], self.service.work_dir / "uploads",
                                limit=self.service.max_upload_bytes,
                                budget=self.service.uploads)
        try:
            path = _archive_config(folder, data.get("config"))
            try:  # the archive's folder is the data root of this request
                load_config(path, confine_to=folder)
            except LanduseError as exc:
                raise rejected(exc, folder) from None
        except BaseException:
            self.service.drop_upload(folder)
            raise
        return {"config": path, "root": folder, "upload": folder}

    def run(self, prepared: dict[str, Any], *, job_dir: Path | None = None,
            progress: Progress | None = None) -> tuple[str, Any]:
        """Run the annual run in its own process, in ``job_dir``; return indicators.json."""
        if job_dir is None:
            raise InternalError(user_msg="indicators needs a job folder")
        try:  # the process manager holds a job slot around this call
            out = run_annual_job(prepared["config"], job_dir, progress=progress)
        except JobFailed as exc:
            text = client_message(exc, prepared["root"])
            if exc.kind == "input":
                raise RequestRejected(text) from None
            raise InternalError(user_msg=f"internal error in the annual run ({text}); the "
                                         "traceback is in the job folder's error.log") from None
        finally:
            if prepared["upload"] is not None:  # the unpacked upload lives as long as its run
                self.service.drop_upload(prepared["upload"])
        return _JSON, json.loads((out / "indicators.json").read_text(encoding="utf-8"))


def _archive_config(folder: Path, name: Any) -> Path:
    """Return the config of an unpacked archive (``name``, default ``config.toml``).

    Without ``name``, ``config.toml`` is looked for at the top or in the archive's only
    top-level folder (a zipped county folder).
    """
    base = folder
    tops = [p for p in folder.iterdir() if p.name != "__MACOSX"]
    if name is None and not (folder / "config.toml").is_file() and len(tops) == 1 \
            and tops[0].is_dir():
        base = tops[0]
    try:
        return resolve_under(base, "config.toml" if name is None else name, what="config")
    except RequestRejected as exc:
        if exc.http_status_code == HTTPStatus.NOT_FOUND:
            found = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.toml"))
            raise RequestRejected(
                f"the uploaded archive has no {'config.toml' if name is None else name!r}; "
                f"TOML files in it: {found or 'none'}. Name the run config with the input "
                "'config' (its path inside the archive).") from None
        raise


class Txt2GeojsonProcessor(LanduseProcessor):
    """``txt2geojson``: a boundary-point TXT upload -> GeoJSON with CRS and warnings."""

    PROCESS_METADATA: ClassVar[dict[str, Any]] = {
        "version": "1.0.0",
        "id": "txt2geojson",
        "title": "Boundary-point TXT (界址点坐标) to GeoJSON",
        "description": (
            "Reads a boundary-point TXT file of the ministry's format (docs/domain.md §5.1; "
            "landuse.io.boundary_txt.read_boundary_txt): GBK or UTF-8, swapped columns, "
            "zone prefixes and the other variants are detected, and every finding "
            "(zone mismatch, swapped X/Y, header area mismatch ...) is returned. The CRS "
            "is detected from the header and the coordinates."),
        "jobControlOptions": ["sync-execute"],
        "keywords": ["界址点", "boundary points", "TXT", "GeoJSON"],
        "inputs": {
            "content": {"title": "File content (text)", **_string(
                "The file as text (UTF-8 JSON string). Give this or content_base64.")},
            "content_base64": {"title": "File content (base64)", **_string(
                "The file's bytes in base64 (keeps a GBK file as it is). Give this or "
                "content.", contentEncoding="base64")},
            "filename": {"title": "File name", **_string(
                "Name used in messages (default upload.txt).")},
            "encoding": {"title": "Encoding", **_string(
                "Force 'GBK' or 'utf-8'; default: detected.")},
            "crs": {"title": "CRS override", **_string(
                "Needed only when the file has neither zone prefixes nor 带号.")},
            "output_crs": {"title": "Output CRS", **_string(
                "Reproject the output, e.g. 'OGC:CRS84' for web maps. Default: the "
                "detected CRS (coordinates as in the file, x = easting).")},
        },
        "outputs": {
            "geojson": {
                "title": "Parcels",
                "description": "FeatureCollection (one Feature per parcel: parcel_no, name, "
                               "geometry_kind, sheet, use, dlbm, area_ha_header, points), "
                               "with 'crs' (legacy name member), detected_crs, "
                               "output_crs, encoding, warnings and findings.",
                "schema": {"type": "object", "contentMediaType": "application/geo+json"},
            }
        },
        "example": {"inputs": {"content": "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n"
                                          "带号=39\n[地块坐标]\n..."}},
    }
    INPUTS: ClassVar[frozenset[str]] = frozenset(
        {"content", "content_base64", "filename", "encoding", "crs", "output_crs"})

    def _prepare(self, data: dict[str, Any]) -> dict[str, Any]:
        raw = _geojson.upload_bytes(data, limit=self.service.max_upload_bytes)
        encoding = data.get("encoding")
        if encoding is not None and (not isinstance(encoding, str)
                                     or encoding.lower().replace("-", "") not in
                                     ("gbk", "gb18030", "utf8", "utf8sig")):
            raise RequestRejected(f"input 'encoding' must be 'GBK', 'GB18030' or 'utf-8'; got "
                                  f"{encoding!r}")
        crs = _geojson.parse_crs(data["crs"], "crs") if data.get("crs") is not None else None
        out_crs = (_geojson.parse_crs(data["output_crs"], "output_crs")
                   if data.get("output_crs") is not None else None)
        return {"raw": raw, "filename": _geojson.safe_filename(data.get("filename")),
                "encoding": encoding, "crs": crs, "output_crs": out_crs}

    def run(self, prepared: dict[str, Any], *, job_dir: Path | None = None,
            progress: Progress | None = None) -> tuple[str, Any]:
        """Parse the upload in a private temporary folder; return the FeatureCollection."""
        uploads = self.service.work_dir / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=uploads) as tmp:
            path = Path(tmp) / prepared["filename"]
            path.write_bytes(prepared["raw"])
            try:
                doc = _geojson.parcels_to_geojson(
                    path, encoding=prepared["encoding"], crs=prepared["crs"],
                    output_crs=prepared["output_crs"], lock=self.service.warnings_lock)
            except LanduseError as exc:
                raise rejected(exc, Path(tmp)) from None
        return "application/geo+json", json.dumps(doc, ensure_ascii=False).encode("utf-8")
