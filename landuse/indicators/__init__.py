"""Indicators by county and township, one module per family.

Each indicator is a plain function returning a pandas object named after the indicator id
(docs/contract.md §3.3) and indexed by zone code; :func:`compute_indicators` assembles the rows of
``indicators.json``.

- :mod:`~landuse.indicators.classes`: the land-use status table (official areas).
- :mod:`~landuse.indicators.intensity`: development intensity, urban-industrial land, per capita.
- :mod:`~landuse.indicators.farmland`: farmland and permanent basic farmland.
- :mod:`~landuse.indicators.economy`: land per GDP and per value added.
- :mod:`~landuse.indicators.vacant`: 空闲地 share.
- :mod:`~landuse.indicators.supply_idle`: land supply and idle land (国土资源部令第53号).
- :mod:`~landuse.indicators.change`: change between survey vintages.
- :mod:`~landuse.indicators.landcover`: class areas from a land-cover raster.
- :mod:`~landuse.indicators.rows`, :mod:`~landuse.indicators.targets`: rows and targets.
"""

from __future__ import annotations

from landuse.indicators import (
    change,
    classes,
    economy,
    farmland,
    intensity,
    landcover,
    rows,
    supply_idle,
    targets,
    vacant,
)
from landuse.indicators.change import (
    changed_patches,
    construction_land_gdp_elasticity,
    construction_land_population_elasticity,
    farmland_change,
    new_construction_land,
    new_construction_land_area,
    new_construction_land_per_gdp_growth,
    rural_settlement_reduction_area,
    stock_land_revitalised_area,
    transition_flows,
    transition_matrix,
    transitions,
)
from landuse.indicators.classes import class_areas, sandalei_areas, wetland_area, wetland_areas
from landuse.indicators.economy import (
    construction_land_per_gdp_decline,
    gdp_per_construction_land,
    land_per_value_added,
)
from landuse.indicators.farmland import (
    farmland_area,
    high_standard_farmland_area,
    permanent_farmland_area,
    permanent_farmland_nonfarm_area,
    permanent_farmland_nonfarm_by_class,
)
from landuse.indicators.intensity import (
    construction_land_area,
    development_intensity,
    rural_settlement_area,
    total_area,
    urban_industrial_land_area,
    urban_industrial_land_per_capita,
    urban_rural_construction_land_area,
    urban_rural_construction_land_per_capita,
)
from landuse.indicators.landcover import (
    development_intensity_from_raster,
    landcover_areas,
)
from landuse.indicators.rows import compute_indicators, indicator_rows
from landuse.indicators.supply_idle import (
    classify_idle,
    idle_land_area,
    idle_land_ratio,
    idle_parcels,
    land_supply_rate,
    land_supply_rate_by_batch,
    stock_land_supply_share,
)
from landuse.indicators.targets import Target, apply_targets, load_targets
from landuse.indicators.vacant import vacant_land_share

__all__ = [
    "Target",
    "apply_targets",
    "change",
    "changed_patches",
    "class_areas",
    "classes",
    "classify_idle",
    "compute_indicators",
    "construction_land_area",
    "construction_land_gdp_elasticity",
    "construction_land_per_gdp_decline",
    "construction_land_population_elasticity",
    "development_intensity",
    "development_intensity_from_raster",
    "economy",
    "farmland",
    "farmland_area",
    "farmland_change",
    "gdp_per_construction_land",
    "high_standard_farmland_area",
    "idle_land_area",
    "idle_land_ratio",
    "idle_parcels",
    "indicator_rows",
    "intensity",
    "land_per_value_added",
    "land_supply_rate",
    "land_supply_rate_by_batch",
    "landcover",
    "landcover_areas",
    "load_targets",
    "new_construction_land",
    "new_construction_land_area",
    "new_construction_land_per_gdp_growth",
    "permanent_farmland_area",
    "permanent_farmland_nonfarm_area",
    "permanent_farmland_nonfarm_by_class",
    "rows",
    "rural_settlement_area",
    "rural_settlement_reduction_area",
    "sandalei_areas",
    "stock_land_revitalised_area",
    "stock_land_supply_share",
    "supply_idle",
    "targets",
    "total_area",
    "transition_flows",
    "transition_matrix",
    "transitions",
    "urban_industrial_land_area",
    "urban_industrial_land_per_capita",
    "urban_rural_construction_land_area",
    "urban_rural_construction_land_per_capita",
    "vacant",
    "vacant_land_share",
    "wetland_area",
    "wetland_areas",
]
