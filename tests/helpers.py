"""Shared test helpers (style.md pattern 9: never mutate inputs, one helper asserts it).

Import as ``from tests.helpers import assert_not_mutated``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from geopandas.testing import assert_geodataframe_equal, assert_geoseries_equal

__all__ = ["assert_equal_deep", "assert_not_mutated"]


def assert_equal_deep(before: Any, after: Any, *, where: str = "argument") -> None:
    """Assert that ``after`` equals ``before`` exactly, including pandas ``attrs``.

    Handles GeoDataFrame, GeoSeries, DataFrame, Series, Index, numpy arrays, shapely
    geometries, mappings and sequences (recursively); anything else is compared with ``==``.
    """
    if isinstance(before, gpd.GeoDataFrame):
        assert isinstance(after, gpd.GeoDataFrame), f"{where}: type changed"
        assert_geodataframe_equal(before, after, check_like=False, check_less_precise=False)
        assert before.crs == after.crs, f"{where}: CRS changed {before.crs} -> {after.crs}"
        assert_equal_deep(dict(before.attrs), dict(after.attrs), where=f"{where}.attrs")
    elif isinstance(before, gpd.GeoSeries):
        assert_geoseries_equal(before, after)
        assert before.crs == after.crs, f"{where}: CRS changed"
        assert_equal_deep(dict(before.attrs), dict(after.attrs), where=f"{where}.attrs")
    elif isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(before, after)
        assert_equal_deep(dict(before.attrs), dict(after.attrs), where=f"{where}.attrs")
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(before, after)
        assert_equal_deep(dict(before.attrs), dict(after.attrs), where=f"{where}.attrs")
    elif isinstance(before, pd.Index):
        pd.testing.assert_index_equal(before, after)
    elif isinstance(before, np.ndarray):
        np.testing.assert_array_equal(before, after, err_msg=f"{where} was mutated")
    elif isinstance(before, Mapping):
        assert isinstance(after, Mapping), f"{where}: type changed"
        assert set(before) == set(after), f"{where}: keys changed {set(before) ^ set(after)}"
        for key in before:
            assert_equal_deep(before[key], after[key], where=f"{where}[{key!r}]")
    elif isinstance(before, list | tuple):
        assert len(before) == len(after), f"{where}: length changed"
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            assert_equal_deep(b, a, where=f"{where}[{i}]")
    elif hasattr(before, "equals_exact") and hasattr(before, "geom_type"):
        assert before.equals_exact(after, 0.0), f"{where}: geometry was mutated"
    else:
        assert before == after, f"{where} was mutated: {before!r} -> {after!r}"


def assert_not_mutated(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``func(*args, **kwargs)`` and assert no argument was changed by the call.

    Every positional and keyword argument is deep-copied before the call and compared
    with :func:`assert_equal_deep` afterwards (values, dtypes, index, CRS and ``attrs``).

    Returns
    -------
    Any
        Whatever ``func`` returned, so a test can go on checking it.
    """
    args_copy = copy.deepcopy(args)
    kwargs_copy = copy.deepcopy(kwargs)
    result = func(*args, **kwargs)
    for i, (before, after) in enumerate(zip(args_copy, args, strict=True)):
        assert_equal_deep(before, after, where=f"{getattr(func, '__name__', func)} arg {i}")
    for key, before in kwargs_copy.items():
        assert_equal_deep(before, kwargs[key], where=f"{getattr(func, '__name__', func)} {key}=")
    return result
