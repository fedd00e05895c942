"""The WSGI app and the server: pygeoapi's OGC API – Processes over the landuse processes.

:func:`create_app` generates the pygeoapi configuration from its arguments (written to
``<work_dir>/pygeoapi-config.yml`` for inspection), builds pygeoapi's ``API`` object and
the OpenAPI document from it, and mounts pygeoapi's request handlers
(``pygeoapi.api.processes``) on a Flask app with the OGC API – Processes routes. It does
not import ``pygeoapi.flask_app``, which reads its configuration from environment
variables at import time (one configuration per Python process); here every call gets its
own app, so tests and several data roots can coexist.

Added around pygeoapi: the optional API key (``X-API-Key``), the request size limit
(413), and JSON answers for every error (never a stack trace).
"""

from __future__ import annotations

import hmac
import json
import logging
import sys
import tempfile
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final

import yaml
from flask import Flask, Response, make_response, request
from pygeoapi.api import API, APIRequest, apply_gzip
from pygeoapi.api import conformance as _conformance
from pygeoapi.api import describe_collections as _collections
from pygeoapi.api import landing_page as _landing_page
from pygeoapi.api import openapi_ as _openapi
from pygeoapi.api import processes as processes_api
from pygeoapi.openapi import get_oas
from werkzeug.exceptions import HTTPException

from landuse import __version__
from landuse.errors import ConfigError
from landuse.serve._errors import RequestRejected

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "PROCESSES", "create_app", "pygeoapi_config", "serve"]

log = logging.getLogger("landuse.serve")

#: 10 MiB: a boundary-point file of several thousand parcels.
DEFAULT_MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
#: Process id -> plugin class (dotted path, as pygeoapi loads it).
PROCESSES: Final = {
    "check-new-right": "landuse.serve.processes.CheckNewRightProcessor",
    "indicators": "landuse.serve.processes.IndicatorsProcessor",
    "txt2geojson": "landuse.serve.processes.Txt2GeojsonProcessor",
}
API_KEY_HEADER: Final = "X-API-Key"


def pygeoapi_config(data_root: Path, work_dir: Path, *, url: str, max_upload_bytes: int,
                    max_jobs: int) -> dict[str, Any]:
    """Return the pygeoapi configuration of the service (a plain, YAML-ready dict)."""
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
            "map": {"url": "", "attribution": ""},
            "manager": {
                "name": "landuse.serve.manager.LanduseManager",
                "connection": str(work_dir / "jobs.tinydb"),
                "output_dir": str(work_dir / "jobs"),
                "data_root": str(data_root),
                "work_dir": str(work_dir),
                "max_upload_bytes": max_upload_bytes,
                "max_jobs": max_jobs,
                "url": url,
            },
        },
        "logging": {"level": "WARNING"},
        "metadata": {
            "identification": {
                "title": {"en": "landuse: county land-resource supervision",
                          "zh": "landuse 县级国土资源监管"},
                "description": {"en": "OGC API - Processes of the landuse toolkit "
                                      f"{__version__}: mining-right checks, annual "
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
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    work_dir: str | Path | None = None,
    url: str = "http://127.0.0.1:8000",
    max_jobs: int = 2,
) -> Flask:
    """Build the WSGI app of the service (for tests and for any WSGI server).

    Parameters
    ----------
    data_root : path-like
        The only folder requests may read from (configs and the files they name).
    api_key : str, optional
        When set, every request must carry it in the ``X-API-Key`` header (else 401).
    max_upload_bytes : int
        Largest request body in bytes (413 above it); also the largest decoded upload.
    work_dir : path-like, optional
        Folder for the job database, job folders and temporary uploads; default a new
        temporary folder (jobs are then forgotten when the server stops).
    url : str
        Public base URL, used in the links of the answers (``/jobs/{id}`` ...).
    max_jobs : int
        Annual-run jobs running at once (each in its own process).

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
        ``data_root`` is not an existing folder, or a limit is not positive.
    """
    root = Path(data_root).expanduser()
    if not root.is_dir():
        raise ConfigError(f"--data-root {data_root}: not an existing folder; give the folder "
                          "that holds the county configs and their data")
    if max_upload_bytes <= 0 or max_jobs <= 0:
        raise ConfigError(f"max_upload_bytes ({max_upload_bytes}) and max_jobs ({max_jobs}) "
                          "must be positive")
    root = root.resolve()
    work = (Path(work_dir).expanduser() if work_dir is not None
            else Path(tempfile.mkdtemp(prefix="landuse-serve-")))
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()
    config = pygeoapi_config(root, work, url=url.rstrip("/"), max_upload_bytes=max_upload_bytes,
                             max_jobs=max_jobs)
    (work / "pygeoapi-config.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _quiet_logs()
    api = API(config, get_oas(config))
    app = Flask("landuse.serve")
    app.config["MAX_CONTENT_LENGTH"] = max_upload_bytes
    app.extensions["landuse_api"] = api
    _install_guards(app, api, api_key=api_key, max_upload_bytes=max_upload_bytes)
    _install_routes(app, api)
    return app


def _exception(status: int, code: str, description: str) -> Response:
    """Return an OGC API exception document as a JSON response."""
    body = json.dumps({"type": code, "code": code, "description": description},
                      ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


class _QuietFilter(logging.Filter):
    """Keep pygeoapi's log for real problems.

    A refused request (RequestRejected) becomes one INFO line instead of an ERROR with a
    traceback; pygeoapi's "unknown locale 'type'" warnings (it tries every key of the
    processes' JSON Schemas as a language tag, on every description) and its warning for
    a /jobs request without ``offset`` are dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, RequestRejected):
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


def _install_guards(app: Flask, api: API, *, api_key: str | None,
                    max_upload_bytes: int) -> None:
    @app.before_request
    def _check() -> Response | None:
        if api_key is not None:
            given = request.headers.get(API_KEY_HEADER, "")
            if not hmac.compare_digest(given.encode("utf-8"), api_key.encode("utf-8")):
                return _exception(HTTPStatus.UNAUTHORIZED, "Unauthorized",
                                  f"missing or wrong {API_KEY_HEADER} header")
        size = request.content_length
        if size is not None and size > max_upload_bytes:
            return _exception(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "PayloadTooLarge",
                              f"request body of {size} bytes; the limit of this server is "
                              f"{max_upload_bytes} bytes")
        return None

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        if exc.code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
            return _exception(exc.code, "PayloadTooLarge",
                              f"request body larger than the limit of this server "
                              f"({max_upload_bytes} bytes)")
        return _exception(exc.code or 500, exc.name.replace(" ", ""), exc.description or "")

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> Response:
        log.exception("internal error")
        return _exception(HTTPStatus.INTERNAL_SERVER_ERROR, "NoApplicableCode",
                          "internal error (see the server log); this is a bug in landuse")


def _install_routes(app: Flask, api: API) -> None:
    def call(func: Any, *args: Any) -> Response:
        api_request = APIRequest.from_flask(request, api.locales)
        if not api_request.is_valid():
            headers, status, content = api.get_format_exception(api_request)
        else:
            headers, status, content = func(api, api_request, *args)
            content = apply_gzip(headers, content)
        response = make_response(content, status)
        if headers:
            response.headers = headers
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
            return _exception(HTTPStatus.BAD_REQUEST, "InvalidParameterValue",
                              'the request body must be a JSON object {"inputs": {...}}; got '
                              f"a JSON {type(body).__name__}")
        return call(processes_api.execute_process, process_id)

    app.add_url_rule("/processes/<process_id>/execution", "execute", execute,
                     methods=["POST"])
    app.add_url_rule("/jobs", "jobs", lambda: call(processes_api.get_jobs))

    def job(job_id: str) -> Response:
        if request.method == "DELETE":
            return call(processes_api.delete_job, job_id)
        return call(processes_api.get_jobs, job_id)

    app.add_url_rule("/jobs/<job_id>", "job", job, methods=["GET", "DELETE"])
    app.add_url_rule("/jobs/<job_id>/results", "job_results",
                     lambda job_id: call(processes_api.get_job_result, job_id))


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_root: str | Path | None = None,
    *,
    api_key: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    work_dir: str | Path | None = None,
    threads: int = 8,
    max_jobs: int = 2,
    url: str | None = None,
) -> None:
    """Serve the processes over HTTP with waitress until interrupted (``landuse serve``).

    Parameters
    ----------
    host, port : str, int
        Interface and TCP port to listen on. Behind a reverse proxy keep 127.0.0.1.
    data_root : path-like
        Required: the only folder requests may read from.
    api_key : str, optional
        Require this value in the ``X-API-Key`` header of every request.
    max_upload_bytes, work_dir, max_jobs
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
    import waitress

    if api_key is None and host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s without an API key: anyone who reaches this port can "
                    "use the service (pass --api-key or keep it behind a proxy)", host)
    app = create_app(data_root, api_key=api_key, max_upload_bytes=max_upload_bytes,
                     work_dir=work_dir, url=url or f"http://{host}:{port}", max_jobs=max_jobs)
    base = url or f"http://{host}:{port}"
    print(f"landuse: OGC API - Processes on {base} (OpenAPI: {base}/openapi?f=json); data "
          f"root {Path(data_root).resolve()}; API key {'required' if api_key else 'off'}. "
          "Ctrl+C stops.", file=sys.stderr, flush=True)
    waitress.serve(app, host=host, port=port, threads=threads,
                   max_request_body_size=max_upload_bytes, ident="landuse")
