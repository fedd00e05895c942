"""The WSGI app and the server: pygeoapi's OGC API – Processes over the landuse processes.

:func:`create_app` generates the pygeoapi configuration from its arguments (written to
``<work_dir>/pygeoapi-config.yml`` for inspection), builds pygeoapi's ``API`` object and
the OpenAPI document from it, and mounts pygeoapi's request handlers
(``pygeoapi.api.processes``) on a Flask app with the OGC API – Processes routes. It does
not import ``pygeoapi.flask_app``, which reads its configuration from environment
variables at import time (one configuration per Python process); here every call gets its
own app, so tests and several data roots can coexist.

Added around pygeoapi: the API keys of the clients (``X-API-Key``; each job belongs to
its client), the request size and JSON depth limits, the job-listing policy, security and
CORS headers (:mod:`landuse.serve._http`), ``Retry-After`` on 503, and JSON answers for
every error (never a stack trace).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final

import yaml
from flask import Flask, Response, g, make_response, request
from pygeoapi import __version__ as pygeoapi_version
from pygeoapi.api import API, APIRequest, apply_gzip
from pygeoapi.api import conformance as _conformance
from pygeoapi.api import describe_collections as _collections
from pygeoapi.api import landing_page as _landing_page
from pygeoapi.api import openapi_ as _openapi
from pygeoapi.api import processes as processes_api
from pygeoapi.openapi import get_oas
from pygeoapi.process.base import JobNotFoundError
from pygeoapi.util import JobStatus
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException

from landuse.errors import ConfigError
from landuse.serve import _http
from landuse.serve._clients import CURRENT_CLIENT, Clients, load_api_keys
from landuse.serve._errors import RETRY_AFTER_S, RequestRejected
from landuse.serve._state import (
    DEFAULT_MAX_JOBS,
    DEFAULT_MAX_QUEUED,
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_MAX_VERTICES,
    DEFAULT_UPLOAD_DISK_BYTES,
)
from landuse.version import __version__

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "PROCESSES", "create_app", "pygeoapi_config", "serve"]

log = logging.getLogger("landuse.serve")

#: Process id -> plugin class (dotted path, as pygeoapi loads it).
PROCESSES: Final = {
    "check-new-right": "landuse.serve.processes.CheckNewRightProcessor",
    "indicators": "landuse.serve.processes.IndicatorsProcessor",
    "txt2geojson": "landuse.serve.processes.Txt2GeojsonProcessor",
}
API_KEY_HEADER: Final = "X-API-Key"
#: The status of a job waiting for a running slot in the JSON answers.
QUEUED_STATUS: Final = "queued"
#: Request threads of ``serve`` (concurrent synchronous requests).
DEFAULT_THREADS: Final = 8


def pygeoapi_config(data_root: Path, work_dir: Path, *, url: str, max_upload_bytes: int,
                    max_jobs: int, max_queued: int = DEFAULT_MAX_QUEUED,
                    max_vertices: int = DEFAULT_MAX_VERTICES,
                    upload_disk_bytes: int = DEFAULT_UPLOAD_DISK_BYTES,
                    show_version: bool = False) -> dict[str, Any]:
    """Return the pygeoapi configuration of the service (a plain, YAML-ready dict)."""
    version = f" {__version__}" if show_version else ""
    resources = {
        pid: {"type": "process", "processor": {"name": dotted}}
        for pid, dotted in PROCESSES.items()
    }
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 0},
            "url": url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "pretty_print": False,
            "limits": {"default_items": 50, "max_items": 1000},
            # the OpenAPI document's info.version: the version of this API (its processes
            # are 1.0.0), not pygeoapi's release (the default)
            "api_rules": {"api_version": "1.0.0"},
            "map": {"url": "", "attribution": ""},
            "manager": {
                "name": "landuse.serve.manager.LanduseManager",
                "connection": str(work_dir / "jobs.tinydb"),
                "output_dir": str(work_dir / "jobs"),
                "data_root": str(data_root),
                "work_dir": str(work_dir),
                "max_upload_bytes": max_upload_bytes,
                "max_jobs": max_jobs,
                "max_queued": max_queued,
                "max_vertices": max_vertices,
                "upload_disk_bytes": upload_disk_bytes,
                "url": url,
            },
        },
        "logging": {"level": "WARNING"},
        "metadata": {
            "identification": {
                "title": {"en": "landuse: county land-resource supervision",
                          "zh": "landuse 县级国土资源监管"},
                "description": {"en": "OGC API - Processes of the landuse toolkit"
                                      f"{version}: mining-right checks, annual "
                                      "indicators, boundary-point TXT conversion."},
                "keywords": {"en": ["land use", "三调", "redlines", "OGC API - Processes"]},
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": "https://github.com/",
            },
            "license": {"name": "MIT", "url": "https://opensource.org/licenses/MIT"},
            "provider": {"name": "landuse", "url": "https://github.com/"},
            "contact": {"name": "landuse", "position": "", "address": "", "city": "",
                        "stateorprovince": "", "postalcode": "", "country": "",
                        "phone": "", "fax": "", "email": "", "url": "", "hours": "",
                        "instructions": "", "role": "pointOfContact"},
        },
        "resources": resources,
    }


def create_app(
    data_root: str | Path,
    *,
    api_key: str | None = None,
    api_keys: Mapping[str, str] | str | Path | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    work_dir: str | Path | None = None,
    url: str = "http://127.0.0.1:8000",
    max_jobs: int = DEFAULT_MAX_JOBS,
    max_queued: int = DEFAULT_MAX_QUEUED,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    upload_disk_bytes: int = DEFAULT_UPLOAD_DISK_BYTES,
    open_jobs: bool = False,
    cors_origins: Iterable[str] = (),
    show_version: bool = False,
) -> Flask:
    """Build the WSGI app of the service (for tests and for any WSGI server).

    Parameters
    ----------
    data_root : path-like
        The only folder requests may read from (configs and the files they name).
    api_key : str, optional
        One client's key (client ``default``): every request must carry a configured key
        in the ``X-API-Key`` header (else 401).
    api_keys : mapping or path-like, optional
        Several clients: ``{name: key}``, or a keys file with one ``name key`` per line.
        Each job belongs to the client that created it: only that client sees, reads
        and deletes it.
    max_upload_bytes : int
        Largest request body in bytes (413 above it); also the largest decoded upload.
    work_dir : path-like, optional
        Folder for the job database, job folders and temporary uploads; default a new
        temporary folder (jobs are then forgotten when the server stops).
    url : str
        Public base URL, used in the links of the answers (``/jobs/{id}`` ...).
    max_jobs : int
        Annual-run jobs running at once (each in its own process).
    max_queued : int
        Annual runs that may wait for a running slot; one more is 503 (Retry-After).
    max_vertices : int
        Most positions of a ``check-new-right`` geometry (413 above).
    upload_disk_bytes : int
        Disk the unpacked uploads of queued and running jobs may take together.
    open_jobs : bool
        Without keys, allow listing all jobs (``GET /jobs``) and deleting any job; off by
        default (anonymous clients could otherwise see and dismiss each other's jobs).
    cors_origins : iterable of str
        Origins of browser pages allowed to call the service (CORS); none by default.
    show_version : bool
        Show pygeoapi's and landuse's versions in headers and pages (off by default).

    Returns
    -------
    flask.Flask
        The app: ``/``, ``/openapi``, ``/conformance``, ``/collections`` (empty),
        ``/processes``,
        ``/processes/{id}``, ``/processes/{id}/execution``, ``/jobs``, ``/jobs/{id}``,
        ``/jobs/{id}/results``.

    Raises
    ------
    ConfigError
        ``data_root`` is not an existing folder, a limit is not positive, or a keys
        file is malformed.
    """
    root = Path(data_root).expanduser()
    if not root.is_dir():
        raise ConfigError(f"--data-root {data_root}: not an existing folder; give the folder "
                          "that holds the county configs and their data")
    limits = {"max_upload_bytes": max_upload_bytes, "max_jobs": max_jobs,
              "max_vertices": max_vertices, "upload_disk_bytes": upload_disk_bytes}
    bad = {k: v for k, v in limits.items() if v <= 0}
    if bad or max_queued < 0:
        raise ConfigError(f"limits must be positive (max_queued may be 0); got "
                          f"{bad or {'max_queued': max_queued}}")
    keys = dict(load_api_keys(api_keys) if isinstance(api_keys, str | Path)
                else api_keys or {})
    if api_key is not None:
        keys.setdefault("default", api_key)
    clients = Clients(keys)
    root = root.resolve()
    work = (Path(work_dir).expanduser() if work_dir is not None
            else Path(tempfile.mkdtemp(prefix="landuse-serve-")))
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()
    config = pygeoapi_config(root, work, url=url.rstrip("/"), max_queued=max_queued,
                             show_version=show_version, **limits)
    (work / "pygeoapi-config.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _quiet_logs()
    api = API(config, get_oas(config))
    app = Flask("landuse.serve")
    app.config["MAX_CONTENT_LENGTH"] = max_upload_bytes
    app.extensions["landuse_api"] = api
    _install_guards(app, clients=clients, max_upload_bytes=max_upload_bytes,
                    open_jobs=open_jobs, cors=_http.Cors(cors_origins),
                    show_version=show_version)
    _install_routes(app, api)
    return app


class _QuietFilter(logging.Filter):
    """Keep pygeoapi's log for real problems.

    A refused request (RequestRejected) and an unknown job id (JobNotFoundError) become
    one INFO line instead of an ERROR with a traceback; pygeoapi's "unknown locale
    'type'" warnings (it tries every key of the processes' JSON Schemas as a language
    tag, on every description) and its warning for a /jobs request without ``offset``
    are dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, JobNotFoundError):
            record.msg, record.args = "unknown job %s (404)", (str(record.msg)[:80],)
        if isinstance(exc, RequestRejected | JobNotFoundError):
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
            return logging.getLogger(record.name).isEnabledFor(logging.INFO)
        if record.name == "pygeoapi.l10n":
            return not str(record.msg).startswith("unknown locale")
        # pygeoapi logs int(None) as a warning whenever /jobs has no offset parameter
        return not (record.name == "pygeoapi.api.processes"
                    and isinstance(record.msg, TypeError))


def _quiet_logs() -> None:
    """Install :class:`_QuietFilter` once on the two pygeoapi loggers concerned."""
    for name in ("pygeoapi.api", "pygeoapi.api.processes", "pygeoapi.l10n"):
        target = logging.getLogger(name)
        if not any(isinstance(f, _QuietFilter) for f in target.filters):
            target.addFilter(_QuietFilter())


def _install_guards(app: Flask, *, clients: Clients, max_upload_bytes: int,
                    open_jobs: bool, cors: _http.Cors, show_version: bool) -> None:
    @app.before_request
    def _check() -> Response | None:
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS":  # a CORS preflight carries no key
            answer = cors.preflight(origin)
            if answer is not None:
                return answer
        client = clients.identify(request.headers.get(API_KEY_HEADER))
        if clients.required and client is None:
            return _http.exception(HTTPStatus.UNAUTHORIZED, "Unauthorized",
                                   f"missing or wrong {API_KEY_HEADER} header")
        g.landuse_client = CURRENT_CLIENT.set(client)
        listing = request.path.rstrip("/") == "/jobs" or request.method == "DELETE"
        if listing and not clients.required and not open_jobs:
            return _http.exception(
                HTTPStatus.FORBIDDEN, "Forbidden",
                "listing and deleting jobs is off on a server without API keys (clients "
                "would see and dismiss each other's jobs); start it with --api-keys, or "
                "with --open on a trusted network. A job's status and results stay at "
                "/jobs/{jobId}")
        size = request.content_length
        if size is not None and size > max_upload_bytes:
            return _http.exception(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "PayloadTooLarge",
                                   f"request body of {size} bytes; the limit of this "
                                   f"server is {max_upload_bytes} bytes")
        if request.method == "POST":
            return _http.too_deep(request.get_data(cache=True))
        return None

    @app.teardown_request
    def _forget_client(exc: BaseException | None) -> None:
        token = g.pop("landuse_client", None)
        if token is not None:
            CURRENT_CLIENT.reset(token)

    @app.after_request
    def _headers(response: Response) -> Response:
        if response.status_code == HTTPStatus.SERVICE_UNAVAILABLE:
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
        cors.add(response, request.headers.get("Origin"))
        return _http.harden(response, show_version=show_version,
                            version_text=pygeoapi_version)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        if exc.code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
            return _http.exception(exc.code, "PayloadTooLarge",
                              f"request body larger than the limit of this server "
                              f"({max_upload_bytes} bytes)")
        return _http.exception(exc.code or 500, exc.name.replace(" ", ""), exc.description or "")

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> Response:
        log.exception("internal error")
        return _http.exception(HTTPStatus.INTERNAL_SERVER_ERROR, "NoApplicableCode",
                          "internal error (see the server log); this is a bug in landuse")


def _install_routes(app: Flask, api: API) -> None:
    def call(func: Any, *args: Any) -> Response:
        api_request = APIRequest.from_flask(request, api.locales)
        if not api_request.is_valid():
            headers, status, content = api.get_format_http.exception(api_request)
        else:
            headers, status, content = func(api, api_request, *args)
            content = apply_gzip(headers, content)
        response = make_response(content, status)
        if headers:
            response.headers = Headers(headers)  # case-insensitive, as Flask expects
        if status != HTTPStatus.CREATED:  # a Location only for a job that exists
            response.headers.pop("Location", None)
        return response

    app.add_url_rule("/", "landing_page", lambda: call(_landing_page))
    app.add_url_rule("/openapi", "openapi", lambda: call(_openapi))
    app.add_url_rule("/conformance", "conformance", lambda: call(_conformance))
    app.add_url_rule("/collections", "collections", lambda: call(_collections))  # empty
    app.add_url_rule("/processes", "processes",
                     lambda: call(processes_api.describe_processes, None))
    app.add_url_rule("/processes/<process_id>", "process",
                     lambda process_id: call(processes_api.describe_processes, process_id))
    def execute(process_id: str) -> Response:
        body = request.get_json(silent=True, force=True)
        if body is not None and not isinstance(body, dict):
            return _http.exception(HTTPStatus.BAD_REQUEST, "InvalidParameterValue",
                              'the request body must be a JSON object {"inputs": {...}}; got '
                              f"a JSON {type(body).__name__}")
        return call(processes_api.execute_process, process_id)

    app.add_url_rule("/processes/<process_id>/execution", "execute", execute,
                     methods=["POST"])
    app.add_url_rule("/jobs", "jobs", lambda: _queued(call(processes_api.get_jobs)))

    def job(job_id: str) -> Response:
        if request.method == "DELETE":
            return call(processes_api.delete_job, job_id)
        return _queued(call(processes_api.get_jobs, job_id))

    app.add_url_rule("/jobs/<job_id>", "job", job, methods=["GET", "DELETE"])
    app.add_url_rule("/jobs/<job_id>/results", "job_results",
                     lambda job_id: call(processes_api.get_job_result, job_id))


def _queued(response: Response) -> Response:
    """Show a job waiting for a slot as ``queued`` in the JSON job answers.

    The job database keeps pygeoapi's ``accepted`` (pygeoapi reads it as its JobStatus);
    in this service a job is ``accepted`` exactly while it waits for a running slot (the
    manager sets ``running`` when it gets one), so the answers name that state
    ``queued``, distinct from ``running`` (docs/contract.md §5).
    """
    if response.status_code != HTTPStatus.OK or response.mimetype != "application/json":
        return response
    doc = json.loads(response.get_data())
    jobs = doc["jobs"] if isinstance(doc.get("jobs"), list) else [doc]
    for job in jobs:
        if isinstance(job, dict) and job.get("status") == JobStatus.accepted.value:
            job["status"] = QUEUED_STATUS
    response.set_data(json.dumps(doc, ensure_ascii=False))
    return response


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_root: str | Path | None = None,
    *,
    api_key: str | None = None,
    api_keys: Mapping[str, str] | str | Path | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    work_dir: str | Path | None = None,
    threads: int = DEFAULT_THREADS,
    max_jobs: int = DEFAULT_MAX_JOBS,
    max_queued: int = DEFAULT_MAX_QUEUED,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    upload_disk_bytes: int = DEFAULT_UPLOAD_DISK_BYTES,
    open_jobs: bool = False,
    cors_origins: Iterable[str] = (),
    show_version: bool = False,
    url: str | None = None,
) -> None:
    """Serve the processes over HTTP with waitress until interrupted (``landuse serve``).

    The server's job processes die with it (also on ``kill -9``); a restart on the same
    ``work_dir`` marks the jobs they were running as failed ("server restarted").

    Parameters
    ----------
    host, port : str, int
        Interface and TCP port to listen on (port 0: a free port, printed at start).
        Behind a reverse proxy keep 127.0.0.1.
    data_root : path-like
        Required: the only folder requests may read from.
    api_key, api_keys : optional
        The clients' keys (see :func:`create_app`).
    max_upload_bytes, work_dir, max_jobs, max_queued, max_vertices, upload_disk_bytes, \
open_jobs, cors_origins, show_version
        See :func:`create_app`.
    threads : int
        Request threads of waitress (concurrent synchronous requests).
    url : str, optional
        Public base URL for links (default ``http://host:port``); set it behind a proxy.

    Raises
    ------
    ConfigError
        No ``data_root``, or an invalid one.
    """
    if data_root is None:
        raise ConfigError("landuse serve needs --data-root DIR: the only folder requests may "
                          "read from (configs and their data)")
    from landuse.serve._server import make_server

    keyed = api_key is not None or api_keys is not None
    if not keyed and host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s without an API key: anyone who reaches this port can "
                    "use the service (pass --api-keys or keep it behind a proxy)", host)
    # the app's links need the port: a free port (0) is taken before the app is built
    import socket

    if port == 0:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    base = url or f"http://{host}:{port}"
    app = create_app(data_root, api_key=api_key, api_keys=api_keys,
                     max_upload_bytes=max_upload_bytes, work_dir=work_dir, url=base,
                     max_jobs=max_jobs, max_queued=max_queued, max_vertices=max_vertices,
                     upload_disk_bytes=upload_disk_bytes, open_jobs=open_jobs,
                     cors_origins=cors_origins, show_version=show_version)
    server = make_server(app, host=host, port=port, threads=threads,
                         max_request_body_size=max_upload_bytes)
    print(f"landuse: OGC API - Processes on http://{host}:{server.effective_port} (links: "
          f"{base}; OpenAPI: {base}/openapi?f=json); data root "
          f"{Path(data_root).resolve()}; API keys {'required' if keyed else 'off'}; "
          f"process {os.getpid()}. Ctrl+C stops.", file=sys.stderr, flush=True)
    server.run()
