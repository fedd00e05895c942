"""``indicators.json`` and ``indicators.csv``: the rows of docs/contract.md §3.1, byte-stable.

The same rows give the same bytes: rows are sorted in the one row order of
:mod:`landuse.indicators.registry` (scope, zone, indicator order),
object keys are sorted, floats are rounded to 12 significant digits (so summation-order
noise in the last bits cannot change the file), and NaN/inf become ``null``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import jsonschema
import pandas as pd

from landuse.indicators.registry import (
    RECORD_KEYS,
    ROW_COLUMNS,
    TARGET_COLUMNS,
    clean_value,
    indicator_name_en,
    indicator_order,
    row_key,
    target_frame,
    target_object,
)

__all__ = [
    "RECORD_KEYS",
    "ROW_COLUMNS",
    "SCHEMA_ID",
    "TARGET_COLUMNS",
    "clean_value",
    "indicator_order",
    "indicators_document",
    "indicators_schema",
    "indicators_table",
    "records_from_rows",
    "rows_from_document",
    "validate_document",
    "write_csv",
    "write_json",
]

SCHEMA_ID: Final = "landuse/indicators@1"


def _count_or_value(value: Any, unit: str) -> Any:
    """Return counts (unit ``count``) as integers for JSON and CSV (``2``, not ``2.0``)."""
    if unit == "count" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def records_from_rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Convert indicator rows (docs/contract.md §3.1 columns) into sorted, JSON-clean dicts.

    Parameters
    ----------
    rows : DataFrame
        One row per (indicator, zone) with at least ``id``, ``scope``, ``zone``, ``value``,
        ``unit`` and ``status``; ``name_zh``, ``zone_name``, ``components``, the flat target
        columns (:data:`~landuse.indicators.registry.TARGET_COLUMNS`) and ``reason`` are
        filled with ``""``/``{}``/``None`` when absent.

    Returns
    -------
    list of dict
        Keys exactly :data:`~landuse.indicators.registry.RECORD_KEYS` (the target as one
        ``target`` object, or ``None``), rows ordered county first, then by zone code, then
        in the contract's indicator order.
    """
    if rows.empty:
        return []
    missing = [c for c in ("id", "scope", "zone", "value", "unit", "status") if c not in rows]
    if missing:
        raise ValueError(f"indicator rows lack the columns {missing}; they have {list(rows)}")
    out: list[dict[str, Any]] = []
    for rec in rows.to_dict(orient="records"):
        components = rec.get("components")
        target = target_object(rec)
        clean = {
            "id": str(rec["id"]),
            "name_zh": str(rec.get("name_zh") or ""),
            "scope": str(rec["scope"]),
            "zone": str(rec["zone"]),
            "zone_name": clean_value(rec.get("zone_name")),
            "value": _count_or_value(clean_value(rec["value"]), str(rec["unit"])),
            "unit": str(rec["unit"]),
            "components": clean_value(components) if isinstance(components, Mapping) else {},
            "target": clean_value(target) if target is not None else None,
            "status": str(rec["status"]),
            "reason": clean_value(rec.get("reason")) or None,
        }
        out.append(clean)
    out.sort(key=row_key)
    return out


def indicators_document(rows: pd.DataFrame, *, region_code: str, region_name: str, year: int,
                        provenance: Mapping[str, Any]) -> dict[str, Any]:
    """Assemble ``indicators.json`` (docs/contract.md §3.1, schema ``landuse/indicators@1``).

    Parameters
    ----------
    rows : DataFrame
        Indicator rows (see :func:`records_from_rows`).
    region_code, region_name : str
        The county's 6-digit code and name.
    year : int
        The report year.
    provenance : mapping
        ``landuse_version``, ``created``, ``rules``, ``area``, ``working_crs``, ``inputs``,
        ``warnings`` (and optionally ``findings``, ``options``, ``evaluation_date``).
    """
    return {
        "schema": SCHEMA_ID,
        "region": {"code": region_code, "name": region_name},
        "year": int(year),
        "provenance": clean_value(dict(provenance)),
        "indicators": records_from_rows(rows),
    }


@lru_cache(maxsize=1)
def indicators_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``indicators.json`` shipped in ``landuse/schemas``."""
    path = resources.files("landuse").joinpath("schemas", "indicators.schema.json")
    with path.open("r", encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def validate_document(doc: Mapping[str, Any]) -> None:
    """Validate an ``indicators.json`` document against the shipped schema.

    Raises
    ------
    jsonschema.ValidationError
        Naming the failing path; a failure here is a bug in ``landuse``, not in user data.
    """
    validator = jsonschema.Draft202012Validator(
        indicators_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(doc)


def dumps(doc: Mapping[str, Any]) -> str:
    """Serialise a document: sorted keys, 2-space indent, UTF-8 text (Chinese kept readable)."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n"


def write_json(doc: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``doc`` to ``path`` as UTF-8 JSON (see :func:`dumps`); returns the path."""
    path = Path(path)
    path.write_text(dumps(doc), encoding="utf-8", newline="\n")
    return path


def rows_from_document(doc: Mapping[str, Any]) -> pd.DataFrame:
    """Return the ``indicators`` array of a document as a DataFrame with :data:`ROW_COLUMNS`.

    The ``target`` object of each record becomes the flat target columns (the row table
    of ``RunResult.indicators``).
    """
    records = list(doc["indicators"])
    frame = pd.DataFrame(records, columns=list(RECORD_KEYS)).drop(columns="target")
    flat = target_frame([r.get("target") for r in records], frame.index)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    return pd.concat([frame, flat], axis=1)[list(ROW_COLUMNS)]


def indicators_table(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Flatten row records for CSV.

    The target becomes the flat columns of the row table
    (:data:`~landuse.indicators.registry.TARGET_COLUMNS`: ``target_op``, ``target_value``,
    ``target_year``, ``target_base_year``, ``target_basis``, ``target_source``; years as
    integers); components become sorted-key JSON text.
    """
    flat = []
    for rec in records:
        flat.append({
            "id": rec["id"], "name_zh": rec["name_zh"], "name_en": indicator_name_en(rec["id"]),
            "scope": rec["scope"], "zone": rec["zone"], "zone_name": rec["zone_name"],
            "value": rec["value"], "unit": rec["unit"], "status": rec["status"],
            "reason": rec.get("reason"),
            "components": json.dumps(rec.get("components") or {}, ensure_ascii=False,
                                     sort_keys=True),
        })
    cols = ["id", "name_zh", "name_en", "scope", "zone", "zone_name", "value", "unit", "status",
            "reason", *TARGET_COLUMNS, "components"]
    frame = pd.DataFrame(flat, columns=[c for c in cols if c not in TARGET_COLUMNS])
    targets = target_frame([rec.get("target") for rec in records], frame.index)
    frame = pd.concat([frame, targets], axis=1)[cols]
    # object, so that a count stays an integer beside the float values in the same column
    frame["value"] = pd.Series([r["value"] for r in flat], index=frame.index, dtype=object)
    return frame


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as UTF-8 CSV (no BOM, LF line ends); returns the path.

    People open ``indicators.xlsx``; the CSV files are for programs.
    """
    path = Path(path)
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
