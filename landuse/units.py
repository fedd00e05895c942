"""Area units used by the Chinese land statistics, in one place.

1 亩 (mu) = 10000/15 m² ≈ 666.667 m²; 1 公顷 (ha) = 15 亩 = 10 000 m²;
1 km² = 100 ha = 1500 亩; 1 万亩 = 10 000 亩 = 666.667 ha.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "M2_PER_HA",
    "M2_PER_KM2",
    "M2_PER_MU",
    "M2_PER_WAN_MU",
    "convert_area",
    "ha_to_m2",
    "ha_to_mu",
    "m2_to_ha",
    "m2_to_mu",
    "mu_to_ha",
]

M2_PER_HA: Final = 10_000.0
M2_PER_MU: Final = 10_000.0 / 15.0
M2_PER_KM2: Final = 1_000_000.0
M2_PER_WAN_MU: Final = 10_000.0 * M2_PER_MU

_FACTORS: Final = {
    "m2": 1.0,
    "ha": M2_PER_HA,
    "mu": M2_PER_MU,
    "km2": M2_PER_KM2,
    "wan_mu": M2_PER_WAN_MU,
}


def convert_area(value, from_unit: str, to_unit: str):
    """Convert an area (scalar, array or Series) between units.

    Units: ``m2``, ``ha``, ``mu`` (亩), ``km2``, ``wan_mu`` (万亩).

    Examples
    --------
    >>> round(convert_area(2530, "mu", "ha"), 2)
    168.67
    >>> convert_area(1, "km2", "mu")
    1500.0
    """
    try:
        factor = _FACTORS[from_unit] / _FACTORS[to_unit]
    except KeyError as exc:
        raise ValueError(
            f"unknown area unit {exc.args[0]!r}; use one of {sorted(_FACTORS)}"
        ) from None
    return value * factor


def m2_to_ha(value):
    """Square metres to hectares."""
    return value / M2_PER_HA


def ha_to_m2(value):
    """Hectares to square metres."""
    return value * M2_PER_HA


def m2_to_mu(value):
    """Square metres to 亩."""
    return value / M2_PER_MU


def ha_to_mu(value):
    """Hectares to 亩 (×15)."""
    return value * 15.0


def mu_to_ha(value):
    """亩 to hectares (÷15)."""
    return value / 15.0
