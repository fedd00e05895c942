"""Redline checks: mining rights in protected areas, and the three control lines (三区三线).

- :mod:`~landuse.redlines.mining`: :func:`mining_conflicts`, :class:`ProtectedIndex`,
  :func:`check_new_right`.
- :mod:`~landuse.redlines.summary`: :func:`right_summary`,
  :func:`mining_rights_in_protected_areas` (indicator).
- :mod:`~landuse.redlines.control_lines`: :func:`eco_redline_construction`,
  :func:`farmland_nonfarm`, :func:`outside_urban_boundary`, :func:`line_conflicts`,
  :func:`summarise_by_township`.
- :mod:`~landuse.redlines.output`: :func:`redline_table` (``redlines.csv``) and
  :func:`redline_layers` (``redlines.gpkg``).
- :data:`SLIVER_M2`, :data:`NEAR_M`, :data:`SNAP_GRID_M`: the default tolerances of every
  check (the config's and the service's defaults too).
- :mod:`~landuse.redlines.tables`: the rule tables ``mining_prohibited.csv``,
  ``mining_exceptions_142.csv`` and ``control_line_rules.csv`` (the status of every finding).
"""

from __future__ import annotations

from landuse.redlines._common import NEAR_M, SLIVER_M2, SNAP_GRID_M
from landuse.redlines.control_lines import (
    eco_redline_construction,
    farmland_nonfarm,
    line_conflicts,
    outside_urban_boundary,
    summarise_by_township,
)
from landuse.redlines.mining import (
    ProtectedIndex,
    RightCheck,
    check_new_right,
    mining_conflicts,
)
from landuse.redlines.output import redline_layers, redline_table
from landuse.redlines.summary import mining_rights_in_protected_areas, right_summary
from landuse.redlines.tables import load_mining_rules, load_status_rules

__all__ = [
    "NEAR_M",
    "SLIVER_M2",
    "SNAP_GRID_M",
    "ProtectedIndex",
    "RightCheck",
    "check_new_right",
    "eco_redline_construction",
    "farmland_nonfarm",
    "line_conflicts",
    "load_mining_rules",
    "load_status_rules",
    "mining_conflicts",
    "mining_rights_in_protected_areas",
    "outside_urban_boundary",
    "redline_layers",
    "redline_table",
    "right_summary",
    "summarise_by_township",
]
