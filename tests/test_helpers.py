"""Tests of the shared test helpers: ``assert_not_mutated``, the session sample."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from tests.helpers import assert_equal_deep, assert_not_mutated


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"a": [1.0, 2.0]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
                            crs=4527)


def test_returns_result_when_inputs_untouched():
    assert assert_not_mutated(lambda df, *, k: len(df) + k, _frame(), k=3) == 5


@pytest.mark.parametrize(
    "mutate",
    [
        lambda df: df.__setitem__("a", 9.0),
        lambda df: df.attrs.__setitem__("x", 1),
        lambda df: df.set_crs(4548, allow_override=True, inplace=True),
        lambda df: df.__setitem__("geometry", df.geometry.translate(1.0)),
        lambda df: df.__setitem__("b", 1),
    ],
)
def test_detects_mutation_of_a_geodataframe(mutate):
    with pytest.raises(AssertionError):
        assert_not_mutated(mutate, _frame())


def test_detects_mutation_of_keyword_series_array_and_list():
    with pytest.raises(AssertionError):
        assert_not_mutated(lambda *, s: s.__setitem__(0, 5), s=pd.Series([1, 2]))
    with pytest.raises(AssertionError):
        assert_not_mutated(lambda a: a.__setitem__(0, 5), np.array([1, 2]))
    with pytest.raises(AssertionError):
        assert_not_mutated(lambda lst: lst.append(3), [1, 2])


def test_the_session_sample_hands_out_copies(sample):
    # tests/conftest.py: a test that changes its layer leaves the next test's untouched
    first = sample["XZQ"]
    pristine = sample["XZQ"]
    first["zone"] = "changed"
    first.attrs["findings"].append("changed")
    first.geometry = first.geometry.translate(1.0)
    again = sample["XZQ"]
    assert again is not pristine
    assert_equal_deep(pristine, again, where="sample['XZQ']")
    raw = sample.raw("XZQ")
    code = raw.loc[0, "XZQDM"]
    raw.loc[0, "XZQDM"] = "changed"
    assert sample.raw("XZQ").loc[0, "XZQDM"] == code != "changed"
