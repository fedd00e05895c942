"""Vacant land (空闲地, 三调 class 1201): the survey-side measure of unused construction land."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from landuse import units
from landuse.indicators._common import By, Prepared, make_indicator, prepare, safe_ratio
from landuse.rules import RuleSet

__all__ = ["vacant_land_share"]


def _vacant_share(p: Prepared) -> pd.Series:
    vacant = units.convert_area(p.area_m2("vacant_land"), "m2", "ha")
    urban_rural = units.convert_area(p.area_m2("urban_rural_construction_land"), "m2", "ha")
    value, reasons = safe_ratio(vacant, urban_rural, factor=100.0,
                                reason="zone {zone} has no urban-rural construction land")
    comps = pd.DataFrame({"vacant_land_ha": vacant,
                          "urban_rural_construction_land_ha": urban_rural})
    return make_indicator(value, indicator_id="vacant_land_share", components=comps,
                          reasons=reasons, rules=p.rules)


def vacant_land_share(
    lu: pd.DataFrame,
    *,
    by: By = "township",
    rules: str | Path | RuleSet | None = None,
) -> pd.Series:
    """空闲地占城镇村建设用地比例, %: vacant land within urban-rural construction land.

    Formula: 100 × area(``vacant_land``) / area(``urban_rural_construction_land``),
    official areas. Default rules (``sandiao-default@1``): ``vacant_land`` = DLBM 1201 with
    CZCSXM in {201, 201A, 202, 202A, 203, 203A, 204}, i.e. the 空闲地 that lies inside the
    urban-rural construction land (1201 is construction land, so the numerator is a part of
    the denominator; range 0–100). 1201 outside settlements (empty CZCSXM or 205) is not
    counted. Zones without urban-rural construction land are not computable.

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame (``CZCSXM`` required).
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (default ``sandiao-default@1``).

    Returns
    -------
    Series
        % indexed by ``zone``; components ``vacant_land_ha``,
        ``urban_rural_construction_land_ha``.
    """
    return _vacant_share(prepare(lu, by=by, rules=rules, what="vacant_land_share"))
