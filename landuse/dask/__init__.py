"""Province scale: the computations of ``landuse`` on dask-geopandas over dask.distributed.

Optional extra ``landuse[dask]`` (dask-geopandas, distributed). See ``docs/distributed.md``.

- :func:`tabulate_dask`, :func:`overlay_pieces_dask`: the overlay engine (table, pieces) on
  the partitions of the measured layer.
- :func:`indicators_dask`, :func:`prepare_dask`, :func:`class_areas_dask`: the indicator
  rows and class tables, sums of m² reduced before any ratio.
- :func:`redline_check_dask`: a control-line check run by partition.
- :func:`mining_conflicts_dask`: mining rights against protected areas, by partition.
- :func:`read_landuse_dask`: GeoParquet files (one per county) read lazily.
- :func:`landuse.dask.region.run_tasks`: the executor of a region run
  (:func:`landuse.run.region.run_region`: one annual run per county, a roll-up by city).
"""

from __future__ import annotations

from landuse.dask.engine import (
    class_areas_dask,
    compute_partitions,
    merge_findings,
    overlay_pieces_dask,
    partition,
    prepare_dask,
    private_copy,
    reduce_prepared,
    tabulate_dask,
)
from landuse.dask.indicators import indicator_series, indicators_dask
from landuse.dask.reading import read_landuse_dask
from landuse.dask.redlines import mining_conflicts_dask, redline_check_dask

__all__ = [
    "class_areas_dask",
    "compute_partitions",
    "indicator_series",
    "indicators_dask",
    "merge_findings",
    "mining_conflicts_dask",
    "overlay_pieces_dask",
    "partition",
    "prepare_dask",
    "private_copy",
    "read_landuse_dask",
    "redline_check_dask",
    "reduce_prepared",
    "tabulate_dask",
]
