"""The indicator table's one definition: registry, row schema, row order and value cleaning.

Everything that decides what an indicator row *is* lives here once, so that
``RunResult.indicators``, ``indicators.json``, ``indicators.csv``, the workbook and the
report cannot disagree:

- the registry ``landuse/rules/indicators.csv`` (id, names, unit, family, additivity and,
  for ratios, the numerator, denominator and factor a city roll-up recomputes them from);
- :data:`ROW_COLUMNS`, the columns of a row (docs/contract.md §3.1 and §4), with the target
  as flat columns (:data:`TARGET_COLUMNS`, :func:`target_frame`), and
  :data:`RECORD_KEYS`, the keys of a row of ``indicators.json``, whose ``target`` object
  :func:`target_object` builds from those columns;
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
    "RECORD_KEYS",
    "ROW_COLUMNS",
    "SCOPE_ORDER",
    "TARGET_COLUMNS",
    "TARGET_FIELDS",
    "clean_value",
    "indicator_name_en",
    "indicator_order",
    "registry",
    "registry_entry",
    "row_key",
    "sort_rows",
    "target_frame",
    "target_object",
]

#: the keys of a row's ``target`` object in ``indicators.json`` (docs/contract.md §3.1);
#: ``base_year`` and ``basis`` appear in the object only for targets that have them
TARGET_FIELDS: Final = ("op", "value", "year", "base_year", "basis", "source")
#: the flat target columns of the row table, one per :data:`TARGET_FIELDS`
TARGET_COLUMNS: Final = tuple(f"target_{k}" for k in TARGET_FIELDS)
#: their dtypes: numbers float64 (NaN without a target), years nullable Int64 (<NA>),
#: text object (None)
_TARGET_DTYPES: Final = {"target_op": "object", "target_value": "float64",
                         "target_year": "Int64", "target_base_year": "Int64",
                         "target_basis": "object", "target_source": "object"}
_OPTIONAL_TARGET_FIELDS: Final = ("base_year", "basis")
#: the columns of the row table (``RunResult.indicators``; docs/contract.md §4)
ROW_COLUMNS: Final = ("id", "name_zh", "scope", "zone", "zone_name", "value", "unit",
                      "components", *TARGET_COLUMNS, "status", "reason")
#: the keys of a row of ``indicators.json`` (docs/contract.md §3.1)
RECORD_KEYS: Final = ("id", "name_zh", "scope", "zone", "zone_name", "value", "unit",
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


def target_frame(targets: Sequence[Mapping[str, Any] | None],
                 index: pd.Index | None = None) -> pd.DataFrame:
    """Return the flat target columns (:data:`TARGET_COLUMNS`) of rows, with their dtypes.

    Parameters
    ----------
    targets : sequence of mapping or None
        One target object per row (keys of :data:`TARGET_FIELDS`), ``None`` where the row
        has no target.
    index : Index, optional
        The rows' index (default 0..n-1).

    Examples
    --------
    >>> t = target_frame([{"op": "<=", "value": 30, "year": 2020, "source": "plan"}, None])
    >>> t[["target_op", "target_value", "target_year"]]
      target_op  target_value  target_year
    0        <=          30.0         2020
    1      None           NaN         <NA>
    >>> t.dtypes["target_value"], t.dtypes["target_year"]
    (dtype('float64'), Int64Dtype())
    """
    idx = pd.RangeIndex(len(targets)) if index is None else index
    cols = {}
    for key, col in zip(TARGET_FIELDS, TARGET_COLUMNS, strict=True):
        vals = [None if t is None else t.get(key) for t in targets]
        dtype = _TARGET_DTYPES[col]
        if dtype == "object":
            cols[col] = pd.Series(vals, index=idx, dtype=object)
        else:
            num = [np.nan if v is None else v for v in vals]
            cols[col] = pd.Series(num, index=idx, dtype="float64").astype(dtype)
    return pd.DataFrame(cols, index=idx)


def target_object(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the ``target`` object of ``indicators.json`` from a row's flat target columns.

    ``None`` when the row has no target (no ``target_op``); ``base_year`` and ``basis`` are
    included only when set. Values are plain Python (``year`` an int).

    Examples
    --------
    >>> target_object({"target_op": ">=", "target_value": 21.0, "target_year": 2020,
    ...                "target_base_year": 2015, "target_basis": None,
    ...                "target_source": "plan"})
    {'op': '>=', 'value': 21.0, 'year': 2020, 'source': 'plan', 'base_year': 2015}
    """
    op = clean_value(row.get("target_op"))
    if op is None:
        return None
    out: dict[str, Any] = {}
    for key in ("op", "value", "year", "source", *_OPTIONAL_TARGET_FIELDS):
        val = clean_value(row.get(f"target_{key}"), digits=None)
        if key in ("year", "base_year") and val is not None:
            val = int(val)
        if key in _OPTIONAL_TARGET_FIELDS and val is None:
            continue
        out[key] = val
    return out
