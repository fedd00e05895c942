"""The waitress server of the service: OGC exception JSON for its own errors, clean stop.

- :func:`make_server`: a waitress server whose own error answers (a body above
  ``max_request_body_size`` refused before the app sees it, a malformed HTTP request) are
  OGC exception documents in JSON like the app's, not waitress's plain text;
- :func:`stop`: stops a server that runs in another thread. The request threads are
  ended first (they wake the loop through its trigger when they finish an answer), then
  the sockets are closed from the server's own loop thread (through that trigger), so
  no thread ever uses a closed descriptor. Closing them from another thread raced the
  loop and the request threads (``OSError: Bad file descriptor`` in the server thread).
  The trigger itself is only taken out of the loop there and closed after the loop has
  ended: ``pull_trigger`` queues the closing call *before* it writes its wake-up byte,
  so a loop already woken by an earlier byte could run the call and close the pipe
  between the two, and the write then hit a closed (or reused) descriptor.
"""

from __future__ import annotations

import errno
import json
import threading
from typing import Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask
from waitress.trigger import trigger as Trigger

__all__ = ["make_server", "stop"]

#: OGC exception codes of waitress's own errors, by HTTP status.
_CODES = {400: "InvalidRequest", 413: "PayloadTooLarge", 431: "HeadersTooLarge",
          500: "NoApplicableCode", 501: "NotImplemented"}


class _OgcErrorTask(ErrorTask):
    """waitress's error answer as an OGC exception document (JSON)."""

    def execute(self) -> None:
        error = self.request.error
        adj = self.channel.server.adj
        if error.code == 413:
            description = (f"request body larger than the limit of this server "
                           f"({adj.max_request_body_size} bytes, --max-upload-bytes)")
        elif error.code == 500:
            description = "internal error (see the server log); this is a bug in landuse"
        else:
            description = f"{error.reason}: {error.body}"
        code = _CODES.get(error.code, error.reason.replace(" ", ""))
        body = json.dumps({"type": code, "code": code, "description": description},
                          ensure_ascii=False).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json"),
                                      ("X-Content-Type-Options", "nosniff")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    error_task_class = _OgcErrorTask


def make_server(app: Any, *, host: str, port: int, threads: int,
                max_request_body_size: int) -> Any:
    """Return a waitress server for ``app`` (not started: call ``.run()``).

    ``port=0`` takes a free port: read it from ``server.effective_port``.
    """
    server = create_server(app, host=host, port=port, threads=threads,
                           max_request_body_size=max_request_body_size, ident="landuse")
    for dispatcher in [server, *getattr(server, "map", {}).values()]:
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = _Channel
    return server


def stop(server: Any, thread: threading.Thread, *, timeout_s: float = 10) -> None:
    """Stop ``server`` running ``server.run()`` in ``thread``; return when it has ended.

    Raises
    ------
    RuntimeError
        The server's loop did not end within ``timeout_s``.
    """
    socket_map = getattr(server, "_map", None)
    if socket_map is None:
        socket_map = server.map
    trigger = next((d for d in list(socket_map.values()) if isinstance(d, Trigger)), None)
    if trigger is None:  # already stopped
        return

    def close_in_loop() -> None:
        # everything but the trigger, whose pipe this thread may not have written yet
        # (a waitress server's own close() would close it: its socket is closed as a
        # plain dispatcher's); out of the map, the trigger no longer keeps the loop running
        trigger.del_channel(socket_map)
        for dispatcher in list(socket_map.values()):
            try:
                if isinstance(dispatcher, BaseWSGIServer):
                    wasyncore.dispatcher.close(dispatcher)
                else:
                    dispatcher.close()
            except OSError as error:  # as wasyncore.close_all: already closed is fine
                if error.errno != errno.EBADF:
                    raise
        socket_map.clear()

    server.task_dispatcher.shutdown(timeout=timeout_s)  # no request thread left to wake it
    trigger.pull_trigger(close_in_loop)
    thread.join(timeout_s)
    if thread.is_alive():
        raise RuntimeError(f"the server did not stop within {timeout_s} s")
    trigger.close()  # nobody writes to it or polls it any more
