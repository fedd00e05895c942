"""Data-quality findings: what was repaired, dropped or looked suspicious.

One channel: readers and checks return their findings with their result
(``result.attrs["findings"]``); the annual run collects them from there and writes them
into ``indicators.json`` (``provenance.findings``), the CLI summary and the report. For
interactive use (a notebook) the public functions also emit each ``warning`` finding as a
:class:`~landuse.errors.LanduseWarning`; the run switches that off with :func:`quiet`, so
nothing is caught and matched again by its text.
"""

from __future__ import annotations

import contextvars
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from landuse.errors import LanduseWarning

__all__ = ["Finding", "attach_findings", "get_findings", "quiet"]

_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("landuse_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """Within this block :meth:`Finding.warn` emits nothing (the caller reads the results).

    Used by the annual run, which takes every finding from the results it computes.
    """
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)

Severity = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class Finding:
    """One data-quality finding.

    Parameters
    ----------
    code : str
        Stable machine-readable id, e.g. ``"geometry_repaired"`` or ``"tbdlmj_mismatch"``.
    message : str
        What was found, in words, naming the file/layer/field and the fix.
    count : int
        How many features or rows are affected.
    severity : {"info", "warning", "error"}
        ``warning`` for computable-but-suspicious, ``info`` for documented repairs.
    source : str
        The file and layer (or table) the finding is about.
    examples : list
        A few identifiers (BSM, row numbers) of affected features, for follow-up.
    """

    code: str
    message: str
    count: int = 0
    severity: Severity = "warning"
    source: str = ""
    examples: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)

    def warn(self, stacklevel: int = 3) -> Finding:
        """Emit this finding as a :class:`~landuse.errors.LanduseWarning` and return it.

        Nothing is emitted inside :func:`quiet` (the run reads the findings from the
        results instead).
        """
        if not _QUIET.get():
            warnings.warn(self.message, LanduseWarning, stacklevel=stacklevel)
        return self


def attach_findings(obj: Any, findings: list[Finding]) -> None:
    """Append findings to ``obj.attrs['findings']`` (a pandas object)."""
    existing = list(obj.attrs.get("findings", []))
    existing.extend(findings)
    obj.attrs["findings"] = existing


def get_findings(obj: Any) -> list[Finding]:
    """Return the findings attached to a pandas object by a reader (empty list if none)."""
    return list(getattr(obj, "attrs", {}).get("findings", []))
