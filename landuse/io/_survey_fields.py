"""Normalisation of the optional DLTB survey fields the summary tables read (docs/tables.md).

GDLX (耕地类型), GDPDJB (耕地坡度级别), TBXHDM (图斑细化代码), ZZSXDM (种植属性代码) and FRDBS
(飞入地标识). Variants seen in real deliveries are read: GDPDJB as text (``"2"``) or a
number (``2``, ``2.0``), GDLX as the code (``TT`` / ``PD``) or the name (``梯田`` / ``坡地``),
FRDBS as ``1`` / ``0`` or ``是`` / ``否`` (kept as ``1`` / ``0``). A value that is none of
these becomes ``''`` and is counted in a ``warning`` finding naming the field, the values
and example BSMs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landuse.findings import Finding

__all__ = ["SURVEY_FIELDS", "normalise_survey_fields"]

#: optional DLTB fields the summary tables read ('' in the frame when absent)
SURVEY_FIELDS = ("GDLX", "GDPDJB", "TBXHDM", "ZZSXDM", "FRDBS")

_GDLX = {"TT": "TT", "梯田": "TT", "PD": "PD", "坡地": "PD"}
_GDPDJB = {str(g): str(g) for g in range(1, 6)}
_FRDBS = {"1": "1", "是": "1", "Y": "1", "0": "0", "否": "0", "N": "0"}
_WHAT = {"GDLX": "耕地类型 farmland type (TT 梯田 / PD 坡地)",
         "GDPDJB": "耕地坡度级别 slope grade (1–5)",
         "FRDBS": "飞入地标识 flying-land flag (1 / 0)"}


def _mapped(values: pd.Series, table: dict[str, str], field: str, ids: pd.Series,
            source: str, findings: list[Finding]) -> pd.Series:
    key = values.str.strip().str.upper().str.replace(r"\.0+$", "", regex=True)
    out = key.map(table)
    bad = out.isna() & (key != "")
    if bad.any():
        found = sorted(set(values[bad]))[:5]
        findings.append(Finding(
            f"{field.lower()}_unknown",
            f"{source}: {int(bad.sum())} patches have a {field} ({_WHAT[field]}) that is none of "
            f"{sorted(set(table))}: {found}; they are left out of the tables that read {field}. "
            "Correct the values in the source",
            int(bad.sum()), "warning", source, sorted(ids[bad].astype(str))[:5]))
    return out.fillna("").astype("str")


def normalise_survey_fields(frame: pd.DataFrame, ids: pd.Series, source: str,
                            findings: list[Finding]) -> dict[str, pd.Series]:
    """Return the normalised survey fields of ``frame`` (text columns, '' when absent).

    Parameters
    ----------
    frame : DataFrame
        The read land-use frame; each of :data:`SURVEY_FIELDS` is a str column or absent.
    ids : Series
        BSM of each row (for the examples of a finding).
    source : str
        File and layer, for the messages.
    findings : list of Finding
        Appended to (a ``warning`` per field with unreadable values).
    """
    empty = pd.Series(np.full(len(frame), "", dtype=object), index=frame.index, dtype="str")
    out: dict[str, pd.Series] = {}
    for name in SURVEY_FIELDS:
        values = frame[name] if name in frame.columns else empty
        if name == "GDLX":
            out[name] = _mapped(values, _GDLX, name, ids, source, findings)
        elif name == "GDPDJB":
            out[name] = _mapped(values, _GDPDJB, name, ids, source, findings)
        elif name == "FRDBS":
            out[name] = _mapped(values, _FRDBS, name, ids, source, findings)
        else:
            out[name] = values.str.strip().str.upper().astype("str")
    return out
