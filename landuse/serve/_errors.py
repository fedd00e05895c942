"""HTTP-facing errors of the service: OGC exception code plus the HTTP status.

A :class:`RequestRejected` carries a message meant for the client (the same wording as
the CLI's, with server paths made relative to ``--data-root``); pygeoapi turns it into an
OGC API exception document (``{"type", "code", "description"}``) with its status code.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path

from pygeoapi.process.base import ProcessorExecuteError

from landuse.errors import LanduseError

__all__ = ["RETRY_AFTER_S", "InternalError", "RequestRejected", "busy", "client_message",
           "rejected"]

#: ``Retry-After`` seconds of a 503 (job queue or upload disk budget full).
RETRY_AFTER_S = 30

#: An absolute POSIX path in a message: "/" after a space, bracket, quote or "=".
_ABSOLUTE = re.compile(r"(?<=[\s(\[='\"])/[^\s'\"()\[\],;]+")


class RequestRejected(ProcessorExecuteError):
    """Bad input from the client: a 4xx answer with a clear message, never a traceback.

    Parameters
    ----------
    message : str
        What is wrong, the values found and the fix.
    status : HTTPStatus
        400 (bad value), 404 (no such file), 413 (too large), 422 would also fit.
    code : str
        OGC API exception code (``InvalidParameterValue``, ``MissingParameterValue`` ...).
    """

    def __init__(self, message: str, *, status: HTTPStatus = HTTPStatus.BAD_REQUEST,
                 code: str = "InvalidParameterValue") -> None:
        super().__init__(user_msg=message)
        self.http_status_code = status
        self.ogc_exception_code = code


def busy(what: str) -> RequestRejected:
    """Return a 503 saying that ``what`` is full, to retry in RETRY_AFTER_S seconds.

    The app adds the ``Retry-After`` header to every 503.
    """
    return RequestRejected(f"{what}; retry in {RETRY_AFTER_S} s", code="ServerBusy",
                           status=HTTPStatus.SERVICE_UNAVAILABLE)


class InternalError(ProcessorExecuteError):
    """A bug, not the client's data: 500 with a reference to the server log."""

    http_status_code = HTTPStatus.INTERNAL_SERVER_ERROR
    ogc_exception_code = "NoApplicableCode"


def client_message(exc: BaseException, data_root: Path) -> str:
    """Return the error text for a client without the server's file layout.

    Paths under ``data_root`` are made relative to it; any other absolute path left in the
    text (a config naming ``../../x`` is reported with the path it looked for) becomes
    ``<outside>``.
    """
    prefix = f"{data_root.as_posix().rstrip('/')}/"
    text = str(exc).replace(prefix, "")
    return _ABSOLUTE.sub("<outside>", text)


def rejected(exc: LanduseError, data_root: Path) -> RequestRejected:
    """Turn a :class:`~landuse.errors.LanduseError` into a 400 answer (the CLI's message)."""
    return RequestRejected(f"{type(exc).__name__}: {client_message(exc, data_root)}")
