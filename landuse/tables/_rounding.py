"""Rounding of area tables to 0.01 公顷 so that every total adds up (docs/tables.md §2).

Controlled rounding (Cox & Ernst 1982): every figure is its exact value rounded down or up
to the next 0.01 ha (never further), the parts of every row add up to the row's total, the
rows of a level add up to the row of the level above, and among the roundings that do so
the one closest to the exact values is chosen (least Σ |rounded − exact|). The grand total
is the exact total rounded half up. The constraint matrix of one level is that of a
transportation problem (totally unimodular), so the linear programme HiGHS solves has an
integral optimum; ``scipy.optimize.milp`` is used with integrality for safety.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

__all__ = ["controlled_round", "round_half_up"]

#: values are in units of 0.01 ha (100 m²); fractions below this are floating-point noise
_EPS = 1e-6


def round_half_up(units: float) -> int:
    """Round a non-negative number of 0.01-ha units half up (the survey's rounding)."""
    return int(np.floor(round(units, 6) + 0.5))


def controlled_round(exact: np.ndarray, col_targets: np.ndarray) -> np.ndarray:
    """Round a table of exact areas to integers whose columns add to ``col_targets``.

    Parameters
    ----------
    exact : ndarray, shape (r, c)
        Exact areas in units of 0.01 ha (non-negative). Rows are the zones of one level,
        columns the items (land classes ...) of the table.
    col_targets : ndarray of int, shape (c,)
        The already rounded figures of the level above (each column's total); each must be
        the column's exact sum rounded down or up.

    Returns
    -------
    ndarray of int64, shape (r, c)
        Each cell is ``floor`` or ``ceil`` of its exact value; columns add to
        ``col_targets``; each row adds to ``floor`` or ``ceil`` of its exact sum (when no
        such rounding exists, which the transportation structure makes rare, the row bounds
        are widened by one unit at a time and the cells stay floor/ceil).

    Examples
    --------
    >>> controlled_round(np.array([[0.4, 0.4], [0.6, 0.6]]), np.array([1, 1])).tolist()
    [[0, 0], [1, 1]]
    """
    x = np.round(np.asarray(exact, dtype="float64"), 6)
    targets = np.asarray(col_targets, dtype="int64")
    fl = np.floor(x + _EPS)
    frac = np.where(x - fl > _EPS, x - fl, 0.0)
    base = fl.astype("int64")
    free_r, free_c = np.nonzero(frac > 0)
    need = targets - base.sum(axis=0)
    if len(free_r) == 0:
        if np.any(need != 0):
            raise ValueError("column targets differ from the exact integer column sums")
        return base
    n = len(free_r)
    r, c = x.shape
    ones = np.ones(n)
    col_rows = csr_matrix((ones, (free_c, np.arange(n))), shape=(c, n))
    row_rows = csr_matrix((ones, (free_r, np.arange(n))), shape=(r, n))
    row_exact = x.sum(axis=1)
    row_base = base.sum(axis=1)
    cost = 0.5 - frac[free_r, free_c]
    for widen in range(4):
        lo = np.floor(row_exact + _EPS) - row_base - widen
        hi = np.ceil(row_exact - _EPS) - row_base + widen
        res = milp(cost, constraints=[LinearConstraint(col_rows, need, need),
                                      LinearConstraint(row_rows, lo, hi)],
                   integrality=np.ones(n), bounds=Bounds(0, 1))
        if res.status == 0:
            out = base.copy()
            out[free_r, free_c] += np.round(res.x).astype("int64")
            return out
    raise ValueError("no controlled rounding found: column targets are not roundings of the "
                     "exact column sums")
