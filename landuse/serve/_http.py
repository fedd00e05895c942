"""HTTP hygiene of the service: error documents, JSON depth, security and CORS headers.

- :func:`exception`: an OGC API exception document (``{"type", "code", "description"}``);
- :func:`json_depth`: the nesting depth of a JSON body, measured without parsing it (a
  body nested deeper than :data:`MAX_JSON_DEPTH` is refused before ``json.loads`` could
  exhaust the recursion limit);
- :func:`harden`: the headers every answer gets (``X-Content-Type-Options: nosniff``; on
  HTML a restrictive ``Content-Security-Policy`` and ``X-Frame-Options: DENY``; no
  ``X-Powered-By`` nor version unless the server was started with ``--show-version``);
- :class:`Cors`: CORS for the origins given with ``--cors-origin`` only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Final

import numpy as np
from flask import Response

__all__ = ["MAX_JSON_DEPTH", "Cors", "exception", "harden", "json_depth"]

#: Deepest JSON nesting accepted in a request body (a GeoJSON MultiPolygon in a Feature
#: in a FeatureCollection in the inputs is about 10).
MAX_JSON_DEPTH: Final = 32
#: Where the pages may load from: pygeoapi's HTML pages use a few CDNs for Leaflet,
#: Bootstrap and the Swagger UI; nothing may frame them, no plugin, no foreign form target.
CSP: Final = ("default-src 'none'; script-src 'self' 'unsafe-inline' https://unpkg.com "
              "https://cdn.jsdelivr.net https://cdnjs.cloudflare.com; style-src 'self' "
              "'unsafe-inline' https://unpkg.com https://cdn.jsdelivr.net "
              "https://cdnjs.cloudflare.com https://fonts.googleapis.com; font-src "
              "https://fonts.gstatic.com https://cdn.jsdelivr.net https://cdnjs.cloudflare.com;"
              " img-src 'self' data: https://unpkg.com; connect-src 'self'; "
              "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
              "object-src 'none'")
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')


def exception(status: int, code: str, description: str) -> Response:
    """Return an OGC API exception document as a JSON response."""
    body = json.dumps({"type": code, "code": code, "description": description},
                      ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


def json_depth(raw: bytes) -> int:
    """Return the deepest nesting of ``[`` and ``{`` in a JSON text (strings skipped).

    Linear in the body's size, no recursion, no parse: brackets inside strings do not
    count; a malformed text gets some depth and is refused later by the parser.
    """
    codes = np.frombuffer(_STRING.sub(b"", raw), dtype=np.uint8)
    if not codes.size:
        return 0
    step = (((codes == 0x5B) | (codes == 0x7B)).astype(np.int32)
            - ((codes == 0x5D) | (codes == 0x7D)).astype(np.int32))
    return int(np.cumsum(step).max(initial=0))


def too_deep(raw: bytes) -> Response | None:
    """Return a 400 for a body nested deeper than :data:`MAX_JSON_DEPTH`, else None."""
    depth = json_depth(raw)
    if depth <= MAX_JSON_DEPTH:
        return None
    return exception(HTTPStatus.BAD_REQUEST, "InvalidParameterValue",
                     f"the request body nests JSON {depth} levels deep; at most "
                     f"{MAX_JSON_DEPTH} are accepted")


def harden(response: Response, *, show_version: bool, version_text: str) -> Response:
    """Add the security headers to ``response``; hide versions unless ``show_version``.

    ``version_text`` is pygeoapi's version, which its HTML pages print in their footer.
    """
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not show_version:
        response.headers.pop("X-Powered-By", None)
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        if not show_version and not response.direct_passthrough:
            page = response.get_data(as_text=True)
            footer = re.compile(r"(</a>\s*)" + re.escape(version_text) + r"(\s*</div>\s*"
                                r"</footer>)")
            response.set_data(footer.sub(r"\1\2", page))
    return response


class Cors:
    """CORS for the configured origins only (none: no CORS header at all).

    Parameters
    ----------
    origins : iterable of str
        Exact origins (``https://gis.example.cn``) allowed to call the service from a
        browser page, or ``*`` for any.
    """

    METHODS: Final = "GET, POST, DELETE, OPTIONS"
    HEADERS: Final = "Content-Type, Prefer, X-API-Key"
    EXPOSE: Final = "Location, Preference-Applied, Retry-After"

    def __init__(self, origins: Iterable[str]) -> None:
        self.origins = frozenset(o.rstrip("/") for o in origins)

    def allowed(self, origin: str | None) -> bool:
        """Whether a page of ``origin`` may read the answers."""
        return bool(origin) and ("*" in self.origins or origin in self.origins)

    def preflight(self, origin: str | None) -> Response | None:
        """Return the answer to a CORS preflight of an allowed origin, else None."""
        if not self.allowed(origin):
            return None
        response = Response(status=HTTPStatus.NO_CONTENT)
        response.headers["Access-Control-Allow-Methods"] = self.METHODS
        response.headers["Access-Control-Allow-Headers"] = self.HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        return response

    def add(self, response: Response, origin: str | None) -> None:
        """Add the CORS headers of an allowed origin to ``response``."""
        if self.origins:
            response.vary.add("Origin")
        if self.allowed(origin):
            assert origin is not None
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = self.EXPOSE
