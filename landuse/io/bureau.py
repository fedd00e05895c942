"""Readers of the bureau's duty tables: 补充耕地, 增减挂钩 and 亩均效益 (企业) tables.

Each table is a CSV (UTF-8, UTF-8 with BOM, or GBK) or an XLSX sheet with one row per
project or enterprise, English or Chinese headers (case, spaces and a bracketed unit are
ignored), read and validated with the land-supply ledger's machinery
(:mod:`landuse.io.ledger`). Every problem is listed once with its line (CSV) or row (XLSX),
column, value and fix, then one :class:`~landuse.errors.SchemaError` is raised.

An area header whose bracketed unit is 亩 or 平方米 / m² is converted to hectares through
:mod:`landuse.units`; so is a floor-area header in 亩 or ha (to m²).

=====================  ===================================================================
table                  columns (Chinese headers accepted: :data:`TABLE_SPECS`)
=====================  ===================================================================
farmland_supplement    ``project_id``, ``year``, ``zone`` (optional), ``area_ha``,
                       ``paddy_area_ha`` (optional), ``grade`` (等别 1–15, optional),
                       ``verified_date`` (optional)
linkage                ``project_id``, ``year``, ``zone`` (拆旧区 township), ``new_zone``
                       (建新区 township, optional), ``approved_area_ha``,
                       ``reclaimed_area_ha`` (verified), ``used_area_ha``,
                       ``verified_date`` (optional)
enterprises            ``enterprise_id``, ``name`` (optional), ``year``, ``zone``,
                       ``land_area_ha``, ``tax_10k_yuan``, ``output_10k_yuan``, and
                       optionally ``floor_area_m2``, ``footprint_m2``,
                       ``investment_10k_yuan``, ``employees``, ``parcel_id``
=====================  ===================================================================
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from landuse import units
from landuse.errors import SchemaError
from landuse.findings import Finding, attach_findings
from landuse.io.ledger import (
    _cells,
    _dates,
    _match_headers,
    _norm,
    _numbers,
    _text,
)
from landuse.io.tables import read_table_cells
from landuse.rules import is_grade

__all__ = ["TABLE_SPECS", "read_enterprises", "read_farmland_supplement", "read_linkage"]


@dataclass(frozen=True)
class Column:
    """One column of a bureau table: its kind, accepted headers and whether it is required.

    ``kind``: ``id`` (text, non-empty, unique), ``text``, ``zone`` (6/9/12-digit code or
    empty), ``year`` (4 digits), ``date``, ``area_ha``, ``area_m2``, ``money`` (万元),
    ``count``, ``grade`` (耕地等别, 1–15).
    """

    kind: str
    headers: tuple[str, ...]
    required: bool = True


def _spec(**cols: Column) -> dict[str, Column]:
    return cols


#: table role -> column -> :class:`Column` (the accepted Chinese headers).
TABLE_SPECS: Final[dict[str, dict[str, Column]]] = {
    "farmland_supplement": _spec(
        project_id=Column("id", ("项目编号", "项目代码", "补充耕地项目编号", "备案编号")),
        year=Column("year", ("年度", "年份", "验收年度", "立项年度")),
        zone=Column("zone", ("行政区代码", "乡镇代码", "所在乡镇代码"), required=False),
        area_ha=Column("area_ha", ("新增耕地面积", "补充耕地面积", "新增耕地")),
        paddy_area_ha=Column("area_ha", ("其中水田面积", "新增水田面积", "水田面积", "其中水田"),
                             required=False),
        grade=Column("grade", ("质量等别", "耕地质量等别", "等别", "新增耕地等别", "GDDB"),
                     required=False),
        verified_date=Column("date", ("验收日期", "验收时间", "报备日期"), required=False),
    ),
    "linkage": _spec(
        project_id=Column("id", ("项目编号", "挂钩项目编号", "项目代码")),
        year=Column("year", ("批准年度", "年度", "年份")),
        zone=Column("zone", ("拆旧区乡镇代码", "拆旧乡镇代码", "行政区代码", "乡镇代码")),
        new_zone=Column("zone", ("建新区乡镇代码", "建新乡镇代码"), required=False),
        approved_area_ha=Column("area_ha", ("批准规模", "批准面积", "下达指标", "拆旧批准面积")),
        reclaimed_area_ha=Column("area_ha", ("验收复垦面积", "已验收复垦面积", "拆旧复垦面积",
                                             "复垦面积")),
        used_area_ha=Column("area_ha", ("建新已使用面积", "建新使用面积", "已使用指标",
                                        "建新区面积")),
        verified_date=Column("date", ("验收日期", "复垦验收日期", "验收时间"), required=False),
    ),
    "enterprises": _spec(
        enterprise_id=Column("id", ("企业编号", "统一社会信用代码", "宗地编号", "企业代码")),
        name=Column("text", ("企业名称", "单位名称"), required=False),
        year=Column("year", ("年度", "年份", "评价年度")),
        zone=Column("zone", ("行政区代码", "乡镇代码", "所在乡镇代码")),
        land_area_ha=Column("area_ha", ("用地面积", "占地面积", "土地面积")),
        tax_10k_yuan=Column("money", ("税收", "实缴税金", "税收实际贡献", "实缴税收")),
        output_10k_yuan=Column("money", ("产值", "工业总产值", "营业收入", "主营业务收入")),
        floor_area_m2=Column("area_m2", ("建筑面积", "总建筑面积"), required=False),
        footprint_m2=Column("area_m2", ("建筑基底面积", "建筑占地面积", "基底面积"),
                            required=False),
        investment_10k_yuan=Column("money", ("固定资产投资", "投资额", "累计投资"),
                                   required=False),
        employees=Column("count", ("从业人员", "职工人数", "从业人数", "年平均职工人数"),
                         required=False),
        parcel_id=Column("text", ("地块编号", "电子监管号", "供地地块编号"), required=False),
    ),
}

_AREA_UNITS: Final = {"亩": "mu", "mu": "mu", "公顷": "ha", "ha": "ha", "hm2": "ha",
                      "hm²": "ha", "平方米": "m2", "m2": "m2", "m²": "m2", "㎡": "m2"}
_UNIT_WORDS: Final = {"area_ha": "hectares", "area_m2": "square metres", "money": "万元",
                      "count": "persons", "grade": "等别 1 to 15"}


def _mapping(raw: pd.DataFrame, spec: dict[str, Column], path: Path, role: str
             ) -> tuple[dict[str, str], dict[str, float]]:
    """Header -> column and column -> area factor (from a bracketed unit)."""
    lookup = {}
    for col, c in spec.items():
        lookup[_norm(col)[0]] = col
        lookup.update({_norm(h)[0]: col for h in c.headers})
    rename: dict[str, str] = {}
    factors: dict[str, float] = {}
    problems = []
    for h, std, unit, earlier in _match_headers(raw.columns, lookup):
        if earlier is not None:
            problems.append(f"columns {h!r} and {earlier!r} both mean {std}; keep one")
            continue
        rename[h] = std
        kind = spec[std].kind
        u = _AREA_UNITS.get(unit.strip().lower().replace(" ", ""))
        if kind in ("area_ha", "area_m2") and u is not None:
            factors[std] = units.convert_area(1.0, u, "ha" if kind == "area_ha" else "m2")
        elif kind in ("area_ha", "area_m2") and unit and u is None:
            problems.append(f"column {h!r}: unknown area unit {unit!r}; use 公顷, 亩 or 平方米")
        elif kind == "money" and unit and unit.strip() != "万元":
            problems.append(f"column {h!r}: money is read in 万元, the header says {unit!r}; "
                            "convert the column to 万元")
    missing = [c for c, s in spec.items() if s.required and c not in rename.values()]
    if missing:
        accepted = "; ".join(f"{c} ({'/'.join(spec[c].headers[:3])})" for c in missing)
        problems.append(f"lacks the column(s) {accepted}; found {[str(c) for c in raw.columns]}."
                        " Rename the headers as in docs/evaluation.md")
    if problems:
        raise SchemaError(f"{role} table {path}: " + "; ".join(problems))
    return rename, factors


def _grades(col: pd.Series, name: str, problems: list, lines: np.ndarray) -> pd.Series:
    vals = _numbers(col, name, problems, lines, share=False, unit=_UNIT_WORDS["grade"])
    bad = vals.notna() & ~is_grade(vals.to_numpy())
    for k in np.flatnonzero(bad.to_numpy()):
        problems.append((lines[k], name, float(vals.iat[k]), "耕地质量等别 (quality grade) runs "
                         "from 1 (best) to 15 (GB/T 28407); check the value"))
    return vals.where(~bad)


def _parse(df: pd.DataFrame, spec: dict[str, Column], factors: dict[str, float],
           lines: np.ndarray, problems: list) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col, c in spec.items():
        if col not in df:
            if c.kind in ("id", "text", "zone"):
                out[col] = pd.Series([""] * len(df), dtype=str)
            elif c.kind == "date":
                out[col] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
            else:
                out[col] = np.full(len(df), np.nan)
            continue
        if c.kind in ("id", "text", "zone", "year"):
            text = pd.Series([_text(v) for v in _cells(df[col])], dtype=str)
            if c.kind == "year":
                ok = text.str.fullmatch(r"\d{4}").to_numpy()
                for k in np.flatnonzero(~ok):
                    problems.append((lines[k], col, text.iat[k], "write a 4-digit year"))
                out[col] = np.where(ok, text.where(ok, "0"), "0").astype(np.int64)
            else:
                out[col] = text
        elif c.kind == "date":
            out[col] = _dates(df[col], col, problems, lines)
        elif c.kind == "grade":
            out[col] = _grades(df[col], col, problems, lines)
        else:
            out[col] = _numbers(df[col], col, problems, lines, share=False,
                                factor=factors.get(col, 1.0), unit=_UNIT_WORDS[c.kind])
        if c.required and c.kind not in ("id", "year"):
            flagged = {ln for ln, name, _, _ in problems if name == col}
            empty = (out[col] == "") if out[col].dtype == object else out[col].isna()
            for k in np.flatnonzero(empty.to_numpy()):
                if lines[k] not in flagged:  # a bad value is already listed
                    problems.append((lines[k], col, "", f"{col} is required on every row"))
    return out


def _checks(out: pd.DataFrame, spec: dict[str, Column], lines: np.ndarray,
            problems: list) -> None:
    for col, c in spec.items():
        if c.kind == "id":
            ids = out[col]
            for k in np.flatnonzero((ids == "").to_numpy()):
                problems.append((lines[k], col, "", f"every row needs a {col}"))
            dup = ids.duplicated(keep="first") & (ids != "")
            if "year" in out:
                dup = out.duplicated([col, "year"], keep="first") & (ids != "")
            for k in np.flatnonzero(dup.to_numpy()):
                problems.append((lines[k], col, ids.iat[k], "ids must be unique (per year); "
                                 "merge or renumber the rows"))
        if c.kind == "zone":
            ok = out[col].str.fullmatch(r"(\d{6}|\d{9}|\d{12})?").to_numpy()
            for k in np.flatnonzero(~ok):
                problems.append((lines[k], col, out[col].iat[k], "a 6-digit county or 9-digit "
                                 "township code, or empty"))


def _consistency(role: str, out: pd.DataFrame, lines: np.ndarray, problems: list) -> None:
    """Row rules of each table: parts never exceed their whole."""
    pairs = {"farmland_supplement": [("paddy_area_ha", "area_ha", "其中水田 is part of 新增耕地")],
             "linkage": [("reclaimed_area_ha", "approved_area_ha",
                          "verified reclamation cannot exceed the approved 拆旧 area")],
             "enterprises": [("footprint_m2", "land_area_ha",
                              "the building footprint cannot exceed the land area")]}
    for part, whole, why in pairs.get(role, []):
        w = out[whole] * (units.M2_PER_HA if part.endswith("_m2") else 1.0)
        bad = (out[part] > w * (1 + 1e-9)).to_numpy()
        for k in np.flatnonzero(bad):
            problems.append((lines[k], part, float(out[part].iat[k]), f"{why} ({whole} = "
                             f"{out[whole].iat[k]:g}); check both cells"))


def read_bureau_table(path: str | os.PathLike[str], role: str, *,
                      encoding: str | None = None) -> pd.DataFrame:
    """Read and validate one of the bureau's duty tables (see the module docstring).

    Parameters
    ----------
    path : path-like
        CSV (UTF-8, UTF-8 with BOM, or GBK) or XLSX (first sheet), header in the first row.
    role : {"farmland_supplement", "linkage", "enterprises"}
        Which table (:data:`TABLE_SPECS`).
    encoding : str, optional
        For CSV; default: BOM -> UTF-8, else strict UTF-8, else GBK.

    Returns
    -------
    pandas.DataFrame
        The columns of the role's spec in its order: ids, names and zone codes as str ('' when
        empty), ``year`` int64, dates datetime64 (NaT when empty), areas in ha
        (``*_area_ha``) or m² (``*_m2``), money in 万元, counts and grades as float (NaN
        when empty). ``attrs["source"]`` (role, path, encoding, sha256, rows, columns) and
        ``attrs["findings"]`` (unused columns, info).

    Raises
    ------
    InputFileError
        The file cannot be read or decoded.
    SchemaError
        Missing columns or bad values, each listed with its line or row, column, value and fix.
    """
    if role not in TABLE_SPECS:
        raise ValueError(f"role must be one of {sorted(TABLE_SPECS)}, got {role!r}")
    spec = TABLE_SPECS[role]
    path = Path(path)
    raw, enc, data, word = read_table_cells(path, encoding, what=f"{role} table",
                                       key=f"tables.{role}")
    rename, factors = _mapping(raw, spec, path, role)
    df = raw.rename(columns=rename)
    lines = np.arange(len(df)) + 2
    problems: list[tuple[Any, str, Any, str]] = []
    out = _parse(df, spec, factors, lines, problems)
    _checks(out, spec, lines, problems)
    flagged = {(ln, col) for ln, col, _, _ in problems}
    cross: list[tuple[Any, str, Any, str]] = []
    _consistency(role, out, lines, cross)
    problems += [p for p in cross if (p[0], p[1]) not in flagged]
    if problems:
        problems.sort(key=lambda p: (p[0], p[1]))
        shown = "\n".join(f"  {word} {ln}, {col}: {val!r}: {fix}"
                          for ln, col, val, fix in problems[:25])
        more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
        raise SchemaError(f"{role} table {path}: {len(problems)} bad value(s):\n{shown}{more}")
    findings = []
    ignored = [str(c) for c in raw.columns if c not in rename]
    if ignored:
        findings.append(Finding("columns_ignored", f"{role} table {path}: columns not used: "
                                f"{ignored}", len(ignored), "info", str(path), ignored[:5]))
    out.attrs["source"] = {"role": role, "path": str(path), "encoding": enc,
                           "sha256": hashlib.sha256(data).hexdigest(), "rows": len(out),
                           "columns": {str(k): v for k, v in rename.items()}}
    attach_findings(out, findings)
    return out


def read_farmland_supplement(path: str | os.PathLike[str], *,
                             encoding: str | None = None) -> pd.DataFrame:
    """Read the 补充耕地 project ledger (``[tables.farmland_supplement]``)."""
    return read_bureau_table(path, "farmland_supplement", encoding=encoding)


def read_linkage(path: str | os.PathLike[str], *, encoding: str | None = None) -> pd.DataFrame:
    """Read the 增减挂钩 project table (``[tables.linkage]``)."""
    return read_bureau_table(path, "linkage", encoding=encoding)


def read_enterprises(path: str | os.PathLike[str], *,
                     encoding: str | None = None) -> pd.DataFrame:
    """Read the industrial enterprise table for 亩均效益 (``[tables.enterprises]``)."""
    return read_bureau_table(path, "enterprises", encoding=encoding)
