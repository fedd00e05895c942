"""Shared machinery of the indicator families (private).

Everything that more than one indicator family needs lives here once:

- the indicator registry (``landuse/rules/indicators.csv``: id, names, unit);
- the zone levels (county 6 digits, township 9, village 12, from ``ZLDWDM``);
- the *class rows* frame: every patch gives one row for its own class
  (``DLBM``, ``TBDLMJ``) and one row for its deduction (``KCDLBM``, ``KCMJ``), both with
  the patch's ``CZCSXM``. Every official class area and every aggregate is a sum over
  these rows, so the deduction rule of domain.md §2 is implemented only here;
- zone sums (additive over townships by construction) and safe ratios that never divide
  by zero and say why a value is not computable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from landuse.errors import SchemaError
from landuse.rules import RuleSet, load_rules

__all__ = [
    "LEVELS",
    "By",
    "Prepared",
    "class_rows",
    "code_prefix",
    "factorised",
    "levels_for",
    "make_indicator",
    "prepare",
    "registry",
    "safe_ratio",
    "scope_of",
    "socio_series",
    "zone_index",
    "zone_sums",
]

By = Literal["county", "township", "village"]
LEVELS: tuple[str, ...] = ("county", "township", "village")
_LEVEL_LENGTH = {"county": 6, "township": 9, "village": 12}
_SCOPE_BY_LENGTH = {6: "county", 9: "township", 12: "village"}
_CLASS_FIELDS = ("DLBM", "TBDLMJ", "KCDLBM", "KCMJ", "CZCSXM")


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


def levels_for(by: str) -> tuple[str, ...]:
    """Zone levels reported for ``by``: the county always, then down to ``by``."""
    if by not in _LEVEL_LENGTH:
        raise ValueError(f"by must be one of {list(LEVELS)}, got {by!r}")
    return LEVELS[: LEVELS.index(by) + 1]


def scope_of(zone: str) -> str:
    """Scope of a zone code from its length: 6 county, 9 township, 12 village."""
    try:
        return _SCOPE_BY_LENGTH[len(zone)]
    except KeyError:
        raise SchemaError(
            f"zone code {zone!r} has {len(zone)} characters; expected 6 (county), "
            "9 (township) or 12 (village) digits"
        ) from None


def _norm_code(value: str) -> str:
    """One code normalised like :func:`landuse.rules.normalise_codes` (strip, upper)."""
    return value.strip().upper()


def _factor(values: pd.Series, func: Callable[[str], str]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values mapped by ``func`` and the position of each row among them.

    Missing values map to ``""`` (the last entry). A county has a few hundred distinct
    codes among 10⁵–10⁶ patches: mapping only the distinct values is much faster than a
    Python call per row.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([func(str(u)) for u in uniques] + [""], dtype=object)
    return np.where(codes < 0, len(mapped) - 1, codes), mapped


def code_prefix(value: str, *, n: int) -> str:
    """Return the first ``n`` characters of a stripped location code."""
    return value.strip()[:n]


def factorised(values: pd.Series, func: Callable[[str], str]) -> np.ndarray:
    """``func`` applied to every value (through :func:`_factor`); object array."""
    idx, mapped = _factor(values, func)
    return mapped[idx]


def zone_columns(frame: pd.DataFrame, levels: Iterable[str], *, what: str) -> pd.DataFrame:
    """Return the zone code columns ``levels`` of a land-use frame (derived from ZLDWDM).

    The normalised frame of :func:`landuse.io.vector.read_landuse` carries ``county``,
    ``township`` and ``village``; a frame without them gets them from ``ZLDWDM``.
    Patches without a code at a requested level are an error naming how many there are.
    """
    out = {}
    for level in levels:
        n = _LEVEL_LENGTH[level]
        if level in frame.columns:
            idx, mapped = _factor(frame[level], str.strip)
        elif "ZLDWDM" in frame.columns:
            idx, mapped = _factor(frame["ZLDWDM"], functools.partial(code_prefix, n=n))
        else:
            raise SchemaError(
                f"{what}: the layer has neither a {level!r} column nor ZLDWDM (坐落单位代码, "
                "location unit code); map the field with fields = { ZLDWDM = '...' }"
            )
        col = mapped[idx]
        bad = np.array([len(m) != n for m in mapped], dtype=bool)[idx]
        if bad.any():
            examples = sorted(set(col[bad][:5]))
            raise SchemaError(
                f"{what}: {int(bad.sum())} patch(es) have no {n}-digit "
                f"{level} code (ZLDWDM 坐落单位代码 too short or empty; e.g. {examples}). "
                f"Fill ZLDWDM or report with by='county'."
            )
        out[level] = col
    return pd.DataFrame({k: pd.Series(v, index=frame.index, dtype=object)
                         for k, v in out.items()})


def class_rows(
    frame: pd.DataFrame, *, levels: Iterable[str], what: str = "land use"
) -> pd.DataFrame:
    """Return the long *class rows* frame of a land-use frame (official area rule).

    Each patch gives a row ``(code=DLBM, area_m2=TBDLMJ, czcsxm=CZCSXM)`` and, when it has
    a deduction (``KCMJ`` > 0), a row ``(code=KCDLBM, area_m2=KCMJ, czcsxm=CZCSXM)``.
    Both rows carry the zone columns ``levels``, the patch's own code ``patch_code`` and
    ``deduction`` (True for the KCMJ row). Σ ``area_m2`` = Σ TBDLMJ + Σ KCMJ = Σ TBMJ.

    A deduction with an empty ``KCDLBM`` keeps its area under the code ``""`` (reported
    as unclassified by :func:`landuse.indicators.classes.class_areas`), never dropped.
    """
    missing = [c for c in _CLASS_FIELDS if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{what}: missing field(s) {missing} of the 三调 DLTB layer (found: "
            f"{list(frame.columns)}); read it with landuse.io.vector.read_landuse or map the fields"
        )
    zones = zone_columns(frame, levels, what=what)
    dlbm = factorised(frame["DLBM"], _norm_code)
    kc = factorised(frame["KCDLBM"], _norm_code)
    cz = factorised(frame["CZCSXM"], _norm_code)
    tbdlmj = pd.to_numeric(frame["TBDLMJ"], errors="coerce").to_numpy(dtype=float)
    kcmj = pd.to_numeric(frame["KCMJ"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if np.isnan(tbdlmj).any():
        raise SchemaError(
            f"{what}: {int(np.isnan(tbdlmj).sum())} patch(es) have no numeric TBDLMJ "
            "(图斑地类面积); the reader fills it as TBMJ − KCMJ"
        )
    has_kc = kcmj != 0.0
    n_kc = int(has_kc.sum())
    data = {
        "code": np.concatenate([dlbm, kc[has_kc]]),
        "area_m2": np.concatenate([tbdlmj, kcmj[has_kc]]),
        "czcsxm": np.concatenate([cz, cz[has_kc]]),
        "patch_code": np.concatenate([dlbm, dlbm[has_kc]]),
        "deduction": np.concatenate([np.zeros(len(dlbm), bool), np.ones(n_kc, bool)]),
    }
    for level in zones.columns:
        col = zones[level].to_numpy(dtype=object)
        data[level] = np.concatenate([col, col[has_kc]])
    for name in ("code", "czcsxm", "patch_code", *zones.columns):
        data[name] = pd.array(data[name], dtype=object)
    return pd.DataFrame(data)


def zone_index(frame: pd.DataFrame, levels: Iterable[str]) -> pd.Index:
    """Sorted zone codes present in ``frame`` for ``levels`` (county rows first)."""
    codes: list[str] = []
    for level in levels:
        codes.extend(sorted(pd.unique(frame[level].astype(str))))
    return pd.Index(codes, name="zone", dtype=object)


def zone_sums(
    frame: pd.DataFrame,
    values: str | pd.Series | np.ndarray,
    *,
    levels: Iterable[str],
    zones: pd.Index | None = None,
) -> pd.Series:
    """Sum ``values`` of ``frame`` per zone code for each level, zeros where absent.

    Sums of the township rows equal the county row by construction (same rows).
    """
    levels = tuple(levels)
    vals = frame[values] if isinstance(values, str) else pd.Series(np.asarray(values, float),
                                                                     index=frame.index)
    parts = []
    for level in levels:
        parts.append(vals.groupby(frame[level].astype(str), sort=True).sum())
    out = pd.concat(parts) if parts else pd.Series(dtype=float)
    out.index = pd.Index(out.index.astype(str), name="zone", dtype=object)
    idx = zones if zones is not None else zone_index(frame, levels)
    return out.reindex(idx, fill_value=0.0).astype(float)


def safe_ratio(
    numerator: pd.Series,
    denominator: pd.Series,
    *,
    factor: float = 1.0,
    reason: str,
) -> tuple[pd.Series, dict[str, str]]:
    """``factor × numerator / denominator`` per zone, NaN with a reason where not computable.

    A zone is not computable when either side is missing or the denominator is not
    strictly positive; ``reason`` is formatted with ``zone`` and ``denominator``.
    """
    num, den = numerator.align(denominator, join="outer")
    ok = num.notna() & den.notna() & (den > 0)
    value = pd.Series(np.nan, index=num.index, dtype=float)
    value[ok] = factor * num[ok] / den[ok]
    reasons = {str(z): reason.format(zone=z, denominator=den.get(z)) for z in num.index[~ok]}
    return value, reasons


def make_indicator(
    values: pd.Series,
    *,
    indicator_id: str,
    components: pd.DataFrame | None = None,
    reasons: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    area: str = "official",
) -> pd.Series:
    """Name a result Series after its indicator and attach components and reasons.

    ``attrs``: ``indicator`` (id), ``unit`` (registry), ``rules`` (rule-set label),
    ``area`` (the area basis), ``components`` (DataFrame by zone), ``reasons``
    (zone -> why the value is not computable). Non-finite values become NaN.
    """
    entry = registry_entry(indicator_id)
    out = pd.Series(values.to_numpy(dtype=float), index=pd.Index(values.index.astype(str),
                    name="zone", dtype=object), name=indicator_id)
    out[~np.isfinite(out.to_numpy())] = np.nan
    out.attrs = {
        "indicator": indicator_id,
        "unit": entry["unit"],
        "rules": (rules or load_rules()).label,
        "area": area,
        "components": components if components is not None else pd.DataFrame(index=out.index),
        "reasons": dict(reasons or {}),
    }
    return out


@dataclass(frozen=True)
class Prepared:
    """A land-use frame reduced once to what the area indicators need.

    ``rows`` are the class rows (:func:`class_rows`) summed per zone, code and CZCSXM,
    ``total_m2`` is Σ TBMJ per zone,
    ``zones`` the zone codes reported (county first), ``rules`` the rule set.
    """

    rows: pd.DataFrame
    total_m2: pd.Series
    zones: pd.Index
    levels: tuple[str, ...]
    rules: RuleSet
    _cache: dict[str, pd.Series] = field(default_factory=dict, compare=False, repr=False)

    def area_m2(self, aggregate: str) -> pd.Series:
        """Σ class-row area (m²) of a rule-set aggregate per zone (a copy; computed once)."""
        if aggregate not in self._cache:
            mask = self.rules.mask(aggregate, self.rows["code"], self.rows["czcsxm"])
            vals = np.where(mask, self.rows["area_m2"].to_numpy(float), 0.0)
            self._cache[aggregate] = zone_sums(self.rows, vals, levels=self.levels,
                                               zones=self.zones)
        return self._cache[aggregate].copy()


def prepare(
    lu: pd.DataFrame,
    *,
    by: str = "township",
    rules: str | Path | RuleSet | None = None,
    what: str = "land use",
    extra_zones: Iterable[str] = (),
) -> Prepared:
    """Build the :class:`Prepared` form of a land-use frame (class rows and Σ TBMJ).

    ``extra_zones`` (e.g. every township of the XZQ layer) are reported even when no
    patch lies in them (areas 0, ratios not computable); only codes of a reported level
    whose county is in the data are added.
    """
    ruleset = load_rules(rules)
    levels = levels_for(by)
    if "TBMJ" not in lu.columns:
        raise SchemaError(f"{what}: the land-use layer has no TBMJ (图斑面积, patch area, m²)")
    tbmj = pd.to_numeric(lu["TBMJ"], errors="coerce")
    if tbmj.isna().any():
        raise SchemaError(
            f"{what}: {int(tbmj.isna().sum())} patch(es) have no numeric TBMJ (图斑面积); "
            "read the layer with landuse.io.vector.read_landuse, which fills it"
        )
    full = class_rows(lu, levels=levels, what=what)
    # one row per (zone, code, CZCSXM): every aggregate is a sum over these, so the masks
    # and group sums below run on a few thousand rows instead of one per patch
    keys = [*levels, "code", "czcsxm"]
    rows = full.groupby(keys, sort=True)["area_m2"].sum().reset_index()
    for col in keys:
        rows[col] = rows[col].astype(object)
    zones = zone_index(rows, levels)
    counties = {z for z in zones if len(z) == 6}
    wanted = {_LEVEL_LENGTH[lv] for lv in levels}
    extra = {str(z) for z in extra_zones if len(str(z)) in wanted and str(z)[:6] in counties}
    if extra - set(zones):
        zones = pd.Index(sorted(set(zones) | extra, key=lambda z: (len(z), z)), name="zone",
                         dtype=object)
    zcols = zone_columns(lu, levels, what=what)
    total = zone_sums(zcols, tbmj.to_numpy(float), levels=levels, zones=zones)
    return Prepared(rows=rows, total_m2=total, zones=zones, levels=levels, rules=ruleset)


def socio_series(
    socio: pd.DataFrame | None,
    column: str,
    *,
    year: int | None,
    zones: pd.Index,
    label: str,
) -> tuple[pd.Series, dict[str, str]]:
    """Values of a socio-economic column for ``year`` per zone, NaN with a reason if missing.

    ``socio`` is the frame of :func:`landuse.io.tables.read_socioeconomic`
    (columns ``year``, ``zone`` and the value columns).
    """
    out = pd.Series(np.nan, index=zones, dtype=float)
    if socio is None:
        return out, {str(z): f"no socio-economic table was given, so {label} is unknown"
                     for z in zones}
    if year is None:
        return out, {str(z): f"no year was given to look up {label}" for z in zones}
    if column not in socio.columns:
        return out, {str(z): f"the socio-economic table has no column {column} ({label})"
                     for z in zones}
    sub = socio[socio["year"].astype(int) == int(year)]
    vals = pd.Series(pd.to_numeric(sub[column], errors="coerce").to_numpy(float),
                     index=sub["zone"].astype(str).to_numpy())
    vals = vals[~vals.index.duplicated()]
    out = vals.reindex(zones).astype(float)
    out.index = zones
    reasons = {str(z): f"the socio-economic table has no {label} ({column}) for zone {z} "
               f"in {year}" for z in zones[out.isna().to_numpy()]}
    return out, reasons
