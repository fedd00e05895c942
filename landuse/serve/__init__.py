"""OGC API – Processes for other county systems (``landuse serve``), built on pygeoapi.

Processes: ``check-new-right`` (synchronous), ``indicators`` (asynchronous job),
``txt2geojson`` (synchronous). See ``docs/serve.md``.

- :func:`create_app`: the WSGI app (Flask), for tests or any WSGI server;
- :func:`serve`: run it with waitress (the ``landuse serve`` command).

Needs the extra ``landuse[serve]`` (pygeoapi, waitress).
"""

from __future__ import annotations

from landuse.serve.app import DEFAULT_MAX_UPLOAD_BYTES, create_app, serve

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "create_app", "serve"]
