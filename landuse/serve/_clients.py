"""Clients of the service: API keys, the client of the current request, job ownership.

Several clients (county platforms) may share one server, each with its own key: a keys
file (``--api-keys FILE``, or the environment variable ``LANDUSE_API_KEYS`` naming it) has
one client per line, ``name key`` (``#`` starts a comment). ``--api-key KEY`` adds one
client named ``default``. A request carries its key in ``X-API-Key``; the key is compared
in constant time with every configured key, and the request's client name is kept in a
context variable for the process manager, which stamps each job with it (``owner``) and
shows, returns and deletes a job only to that client. Job records hold the client's name,
never its key.
"""

from __future__ import annotations

import contextvars
import hmac
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from landuse.errors import ConfigError

__all__ = ["ANYONE", "CURRENT_CLIENT", "Clients", "load_api_keys", "parse_api_keys"]

#: The "client" of code outside a request (job threads, start-up): no ownership filter.
ANYONE: Final = "\x00anyone"
#: The client of the request being handled: a name, ``None`` (no keys configured) or
#: :data:`ANYONE`.
CURRENT_CLIENT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "landuse_serve_client", default=ANYONE)
_NAME = re.compile(r"^[\w.\-@]{1,64}$")


def parse_api_keys(text: str, source: str) -> dict[str, str]:
    """Parse a keys file: one ``name key`` per line; return ``{name: key}``.

    Raises
    ------
    ConfigError
        Naming the line: not two fields, a bad name, a repeated name or key.
    """
    keys: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 2 or not _NAME.match(fields[0]):
            raise ConfigError(f"{source} line {n}: expected 'client-name key' (a name of "
                              "letters, digits, '.', '-', '_' or '@', a space, the key); "
                              f"found {len(fields)} field(s)")
        name, key = fields
        if name in keys:
            raise ConfigError(f"{source} line {n}: client {name!r} is listed twice")
        if key in keys.values():
            raise ConfigError(f"{source} line {n}: the key of {name!r} is also another "
                              "client's key; give every client its own key")
        keys[name] = key
    return keys


def load_api_keys(path: str | Path) -> dict[str, str]:
    """Read a keys file (:func:`parse_api_keys`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--api-keys {path}: cannot read the keys file "
                          f"({type(exc).__name__}); give a UTF-8 text file with one "
                          "'client-name key' per line") from None
    keys = parse_api_keys(text, f"--api-keys {Path(path).name}")
    if not keys:
        raise ConfigError(f"--api-keys {path}: the file lists no client")
    return keys


class Clients:
    """The configured clients; :meth:`identify` maps a request's key to its client.

    Parameters
    ----------
    keys : mapping
        ``{client name: key}``; empty when the server has no keys (anonymous use).
    """

    def __init__(self, keys: Mapping[str, str]) -> None:
        for name, key in keys.items():
            if not key or any(c.isspace() for c in key):
                raise ConfigError(f"the API key of client {name!r} is empty or holds "
                                  "white space")
        self._keys = [(name, key.encode("utf-8")) for name, key in keys.items()]

    @property
    def required(self) -> bool:
        """Whether every request must carry a key."""
        return bool(self._keys)

    def identify(self, given: str | None) -> str | None:
        """Return the client whose key is ``given``, or ``None`` when no key matches.

        Every configured key is compared (in constant time), so the time taken does not
        depend on which key matched.
        """
        raw = (given or "").encode("utf-8")
        found = None
        for name, key in self._keys:
            if hmac.compare_digest(raw, key) and found is None:
                found = name
        return found
