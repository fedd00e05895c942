"""Shared machinery of the indicator families (private).

Everything that more than one indicator family needs lives here once:

- zone scopes, safe ratios that never divide by zero and say why a value is not
  computable, and socio-economic look-ups.

The zone levels, the class rows and their per-zone reduction (:class:`Prepared`) belong to
the prepared county, :mod:`landuse.county`; they are re-exported here for the families.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from landuse.county import (
    LEVELS,
    By,
    Prepared,
    class_rows,
    code_prefix,
    factorised,
    levels_for,
    prepare,
    zone_columns,
    zone_index,
    zone_sums,
)
from landuse.errors import SchemaError
from landuse.indicators.registry import registry, registry_entry
from landuse.rules import RuleSet, load_rules

__all__ = [
    "LEVELS",
    "By",
    "Prepared",
    "class_rows",
    "code_prefix",
    "factorised",
    "levels_for",
    "make_indicator",
    "prepare",
    "registry",
    "safe_ratio",
    "scope_of",
    "socio_series",
    "zone_columns",
    "zone_index",
    "zone_sums",
]

_SCOPE_BY_LENGTH = {6: "county", 9: "township", 12: "village"}


def scope_of(zone: str) -> str:
    """Scope of a zone code from its length: 6 county, 9 township, 12 village."""
    try:
        return _SCOPE_BY_LENGTH[len(zone)]
    except KeyError:
        raise SchemaError(
            f"zone code {zone!r} has {len(zone)} characters; expected 6 (county), "
            "9 (township) or 12 (village) digits"
        ) from None


def safe_ratio(
    numerator: pd.Series,
    denominator: pd.Series,
    *,
    factor: float = 1.0,
    reason: str,
) -> tuple[pd.Series, dict[str, str]]:
    """``factor × numerator / denominator`` per zone, NaN with a reason where not computable.

    A zone is not computable when either side is missing or the denominator is not
    strictly positive; ``reason`` is formatted with ``zone`` and ``denominator``.
    """
    num, den = numerator.align(denominator, join="outer")
    ok = num.notna() & den.notna() & (den > 0)
    value = pd.Series(np.nan, index=num.index, dtype=float)
    value[ok] = factor * num[ok] / den[ok]
    reasons = {str(z): reason.format(zone=z, denominator=den.get(z)) for z in num.index[~ok]}
    return value, reasons


def make_indicator(
    values: pd.Series,
    *,
    indicator_id: str,
    components: pd.DataFrame | None = None,
    reasons: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    area: str = "official",
) -> pd.Series:
    """Name a result Series after its indicator and attach components and reasons.

    ``attrs``: ``indicator`` (id), ``unit`` (registry), ``rules`` (rule-set label),
    ``area`` (the area basis), ``components`` (DataFrame by zone), ``reasons``
    (zone -> why the value is not computable). Non-finite values become NaN.
    """
    entry = registry_entry(indicator_id)
    out = pd.Series(values.to_numpy(dtype=float), index=pd.Index(values.index.astype(str),
                    name="zone", dtype=object), name=indicator_id)
    out[~np.isfinite(out.to_numpy())] = np.nan
    out.attrs = {
        "indicator": indicator_id,
        "unit": entry["unit"],
        "rules": (rules or load_rules()).label,
        "area": area,
        "components": components if components is not None else pd.DataFrame(index=out.index),
        "reasons": dict(reasons or {}),
    }
    return out


def socio_series(
    socio: pd.DataFrame | None,
    column: str,
    *,
    year: int | None,
    zones: pd.Index,
    label: str,
) -> tuple[pd.Series, dict[str, str]]:
    """Values of a socio-economic column for ``year`` per zone, NaN with a reason if missing.

    ``socio`` is the frame of :func:`landuse.io.tables.read_socioeconomic`
    (columns ``year``, ``zone`` and the value columns).
    """
    out = pd.Series(np.nan, index=zones, dtype=float)
    if socio is None:
        return out, {str(z): f"no socio-economic table was given, so {label} is unknown"
                     for z in zones}
    if year is None:
        return out, {str(z): f"no year was given to look up {label}" for z in zones}
    if column not in socio.columns:
        return out, {str(z): f"the socio-economic table has no column {column} ({label})"
                     for z in zones}
    sub = socio[socio["year"].astype(int) == int(year)]
    vals = pd.Series(pd.to_numeric(sub[column], errors="coerce").to_numpy(float),
                     index=sub["zone"].astype(str).to_numpy())
    vals = vals[~vals.index.duplicated()]
    out = vals.reindex(zones).astype(float)
    out.index = zones
    reasons = {str(z): f"the socio-economic table has no {label} ({column}) for zone {z} "
               f"in {year}" for z in zones[out.isna().to_numpy()]}
    return out, reasons
