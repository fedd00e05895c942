"""Data-quality findings: what was repaired, dropped or looked suspicious.

Readers and checks return findings instead of printing them; the annual run writes
them into ``indicators.json`` (``provenance.warnings``) and the report.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from landuse.errors import LanduseWarning

__all__ = ["Finding", "attach_findings", "get_findings"]

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
        """Emit this finding as a :class:`~landuse.errors.LanduseWarning` and return it."""
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
