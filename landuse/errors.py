"""The exception tree and the warning class of ``landuse``.

Every error a user can cause with their data derives from :class:`LanduseError`
and also from the matching builtin (``ValueError`` or ``TypeError``), so code that
already catches ``ValueError`` keeps working. Messages name the file, layer, field
or line involved, the values found and the fix.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "ConfigError",
    "GeometryError",
    "InputFileError",
    "LanduseError",
    "LanduseWarning",
    "SchemaError",
]


class LanduseError(Exception):
    """Base class of every error raised by ``landuse`` about its inputs."""


class SchemaError(LanduseError, ValueError):
    """A field is missing, has the wrong type, or holds codes outside the rule tables."""


class CRSError(LanduseError, ValueError):
    """A layer has no CRS, an unusable CRS, or layers disagree without a working CRS."""


class GeometryError(LanduseError, ValueError):
    """Geometries are of the wrong type, empty, null or cannot be repaired."""


class InputFileError(LanduseError, ValueError):
    """A file or layer is missing, unreadable or malformed (names the file and line)."""


class ConfigError(LanduseError, ValueError):
    """The run configuration is invalid (lists every problem at once)."""


class LanduseWarning(UserWarning):
    """Something was computable but suspicious; it is also counted in the run's findings."""
