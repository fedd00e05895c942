"""The indicator table's one definition: registry, row schema, row order and value cleaning.

Everything that decides what an indicator row *is* lives here once, so that
``RunResult.indicators``, ``indicators.json``, ``indicators.csv``, the workbook and the
report cannot disagree:

- the registry ``landuse/rules/indicators.csv`` (id, names, unit, family, additivity and,
  for ratios, the numerator, denominator and factor a city roll-up recomputes them from);
- :data:`ROW_COLUMNS`, the columns of a row (docs/contract.md §3.1);
- :func:`sort_rows` / :func:`row_key`, the one row order: county, township, village; then
  by zone code; then in registry order;
- :func:`clean_value`, how a value becomes plain, stable JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, Final

import numpy as np
import pandas as pd

from landuse.errors import SchemaError

__all__ = [
    "ROW_COLUMNS",
    "SCOPE_ORDER",
    "clean_value",
    "indicator_name_en",
    "indicator_order",
    "registry",
    "registry_entry",
    "row_key",
    "sort_rows",
]

ROW_COLUMNS: Final = ("id", "name_zh", "scope", "zone", "zone_name", "value", "unit",
                      "components", "target", "status", "reason")
SCOPE_ORDER: Final = {"county": 0, "township": 1, "village": 2}
_SIGNIFICANT: Final = 12


@lru_cache(maxsize=1)
def _registry() -> pd.DataFrame:
    path = resources.files("landuse.rules").joinpath("indicators.csv")
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df["order"] = np.arange(len(df))
    return df.set_index("id")


def registry() -> pd.DataFrame:
    """Return the indicator registry indexed by id (columns name_zh, name_en, unit, ...).

    Examples
    --------
    >>> registry().loc["development_intensity", "unit"]
    '%'
    """
    return _registry().copy()


def registry_entry(indicator_id: str) -> pd.Series:
    """Return one registry row or raise a :class:`SchemaError` naming the known ids."""
    reg = _registry()
    if indicator_id not in reg.index:
        raise SchemaError(
            f"unknown indicator id {indicator_id!r}: it is not in landuse/rules/indicators.csv "
            f"(known ids: {', '.join(reg.index)}). Add it to the registry with its unit."
        )
    return reg.loc[indicator_id]


def indicator_order() -> list[str]:
    """Return the indicator ids in registry order (the contract's order, then the others)."""
    return list(_registry().index)


def indicator_name_en(indicator_id: str) -> str:
    """English name of an indicator from the registry (the id when not registered)."""
    reg = _registry()
    if indicator_id in reg.index:
        return str(reg.loc[indicator_id, "name_en"])
    return indicator_id.replace("_", " ")


def row_key(rec: Mapping[str, Any]) -> tuple[Any, ...]:
    """Sort key of one row: scope (county first), zone code, registry order, id."""
    order = _registry()["order"]
    ident = str(rec["id"])
    return (SCOPE_ORDER.get(str(rec["scope"]), 9), str(rec["zone"]),
            int(order.get(ident, len(order))), ident)


def sort_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Return ``rows`` in the one row order (:func:`row_key`), index reset."""
    if rows.empty:
        return rows.reset_index(drop=True)
    keys = [row_key(r) for r in rows[["id", "scope", "zone"]].to_dict(orient="records")]
    pos = sorted(range(len(keys)), key=keys.__getitem__)
    return rows.iloc[pos].reset_index(drop=True)


def clean_value(value: Any, *, digits: int | None = _SIGNIFICANT) -> Any:
    """Turn a value into plain, stable JSON.

    numpy scalars become Python ones, NaN/inf/NA become None, floats are rounded to
    ``digits`` significant digits (12 for the files, so summation-order noise in the last
    bits cannot change them; ``None`` keeps full precision, as ``RunResult`` does),
    mappings and sequences are cleaned recursively (keys as str).

    Examples
    --------
    >>> clean_value({"b": np.float64(1 / 3), "a": float("nan")})
    {'b': 0.333333333333, 'a': None}
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        if not math.isfinite(f):
            return None
        if digits is None:
            return f
        r = float(f"{f:.{digits}g}")
        return 0.0 if r == 0 else r
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): clean_value(v, digits=digits) for k, v in value.items()}
    if isinstance(value, Sequence | np.ndarray | pd.Series):
        return [clean_value(v, digits=digits) for v in value]
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to indicators.json")
