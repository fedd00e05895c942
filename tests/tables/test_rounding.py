"""Controlled rounding: the invariants on random tables, and small cases by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from landuse.tables._rounding import controlled_round, round_half_up


def test_by_hand():
    # 0.4 + 0.4 + 0.4 = 1.2 -> the column target 1 goes to exactly one cell
    out = controlled_round(np.array([[0.4], [0.4], [0.4]]), np.array([1]))
    assert sorted(out[:, 0].tolist()) == [0, 0, 1]
    # nearest where the totals allow it: 2.7 -> 3, 1.2 -> 1 (target 4)
    assert controlled_round(np.array([[2.7], [1.2]]), np.array([4]))[:, 0].tolist() == [3, 1]
    # integral cells are never moved
    assert controlled_round(np.array([[5.0, 0.5], [2.0, 0.5]]), np.array([7, 1])).tolist() in (
        [[5, 1], [2, 0]], [[5, 0], [2, 1]])
    # values carry 1e-4 m² at most (0.01 m² areas): beyond 1e-6 units is float noise
    assert round_half_up(0.5) == 1 and round_half_up(1.4999) == 1
    assert round_half_up(1.4999999999) == 2
    assert round_half_up(2.675) == 3


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.floats(0, 500, allow_nan=False).map(lambda v: round(v, 4))))
def test_invariants(exact):
    col_exact = exact.sum(axis=0)
    # any rounding of the column sums to adjacent integers that keeps their total adjacent
    targets = controlled_round(col_exact[:, None], np.array([round_half_up(col_exact.sum())]))
    out = controlled_round(exact, targets[:, 0])
    assert (out >= np.floor(exact + 1e-6) - 0).all()
    assert (np.abs(out - exact) < 1 + 1e-9).all()
    assert (out.sum(axis=0) == targets[:, 0]).all()
    rows = exact.sum(axis=1)
    assert (out.sum(axis=1) >= np.floor(rows + 1e-6) - 1).all()
    assert (out.sum(axis=1) <= np.ceil(rows - 1e-6) + 1).all()
    assert out.sum() == round_half_up(exact.sum())
