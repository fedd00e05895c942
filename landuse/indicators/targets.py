"""The plan's targets (规划目标): a TOML format, its loader, and the met / not_met status.

Format (one ``[[target]]`` table per target; see ``sample_data/targets.toml``)::

    [[target]]
    id = "development_intensity"   # an id of landuse/rules/indicators.csv
    op = "<="                      # <=, >=, <, >, ==
    value = 30                     # in `unit`
    unit = "%"                     # must equal the registry unit of `id`
    year = 2020                    # optional: the year the target is for
    source = "到2020年，...国土开发强度不超过30%..."   # the plan's sentence
    scope = "county"               # optional: "county" (default), "township", or a zone code
    value_original = 42.16         # optional: the figure as written in the plan
    unit_original = "万亩"          # optional: its unit
    basis = "tugui-basis@1"        # optional: the rule set (or proxy) the target was set on

``basis`` (docs/domain.md §7): a target set on another rule set's basis (e.g. the 土地利用总体
规划 basis ``tugui-basis@1``, TD/T 1024) judges only rows computed with that rule set;
other rows show it with status ``no_target`` and the mismatch as the reason. A
survey-side proxy (:data:`PROXIES`: ``stock_land_revitalised_area`` = ``survey_proxy``)
carries a target only when the target names that proxy as its basis.

When ``unit_original`` and ``unit`` are both area units (m², ha, 公顷, 亩, 万亩, km²), the
loader converts ``value_original`` with :mod:`landuse.units` and requires it to match
``value`` to the precision ``value`` is written with, so a mistyped conversion is caught.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from landuse import units
from landuse.errors import ConfigError, SchemaError
from landuse.indicators._common import registry
from landuse.indicators.registry import target_frame

__all__ = ["OPS", "PROXIES", "Target", "apply_targets", "load_targets"]

#: indicator id -> the basis name a target must give to judge this survey-side proxy
PROXIES: dict[str, str] = {"stock_land_revitalised_area": "survey_proxy"}

#: relative tolerance of the comparisons: float noise (30.000000000000004 for 30 %) is not
#: a miss; any real difference in the reported digits is far larger.
REL_TOL = 1e-9


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda a, b: a <= b or _close(a, b),
    ">=": lambda a, b: a >= b or _close(a, b),
    "<": lambda a, b: a < b and not _close(a, b),
    ">": lambda a, b: a > b and not _close(a, b),
    "==": _close,
}
_KEYS = {"id", "op", "value", "unit", "year", "base_year", "source", "scope",
         "value_original", "unit_original", "basis"}
_REQUIRED = ("id", "op", "value", "unit", "source")
_AREA_UNITS = {"m²": "m2", "m2": "m2", "ha": "ha", "公顷": "ha", "亩": "mu", "mu": "mu",
               "万亩": "wan_mu", "km²": "km2", "km2": "km2", "平方公里": "km2"}


@dataclass(frozen=True)
class Target:
    """One target of the plan for one indicator.

    ``scope`` is ``"county"``, ``"township"`` (every township row) or a zone code.
    ``base_year`` (for targets on a change, e.g. "单位GDP建设用地下降21%") is the year the
    change is measured from: such a target applies only to rows whose
    ``components["base_year"]`` is that year, so a one-year change is never judged against
    a five-year target.
    """

    id: str
    op: str
    value: float
    unit: str
    source: str
    year: int | None = None
    scope: str = "county"
    base_year: int | None = None
    value_original: float | None = None
    unit_original: str | None = None
    basis: str | None = None

    def holds(self, value: float) -> bool:
        """Whether ``value`` (in :attr:`unit`) satisfies the target."""
        return bool(OPS[self.op](float(value), float(self.value)))

    def as_row_target(self) -> dict[str, Any]:
        """Return the ``target`` object of an indicator row: op, value, year, source.

        ``base_year`` is included only for targets that have one.
        """
        out: dict[str, Any] = {"op": self.op, "value": self.value, "year": self.year,
                               "source": self.source}
        if self.base_year is not None:
            out["base_year"] = self.base_year
        if self.basis is not None:
            out["basis"] = self.basis
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return all fields as a dict."""
        return asdict(self)


def _decimals(value: float) -> int:
    exp = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -int(exp)) if isinstance(exp, int) else 0


def _check_original(where: str, t: Mapping[str, Any], problems: list[str]) -> None:
    uo, u = t.get("unit_original"), t.get("unit")
    vo = t.get("value_original")
    if vo is None or uo is None or uo not in _AREA_UNITS or u not in _AREA_UNITS:
        return
    expected = units.convert_area(float(vo), _AREA_UNITS[uo], _AREA_UNITS[u])
    tol = 0.5 * 10 ** -_decimals(float(t["value"])) + 1e-9 * abs(expected)
    if abs(expected - float(t["value"])) > tol:
        problems.append(
            f"{where}: value_original = {vo} {uo} is {expected:.6g} {u}, but value = "
            f"{t['value']} {u}; correct one of them")


def load_targets(path_or_dict: str | Path | Mapping[str, Any]) -> list[Target]:
    """Load and validate targets from a TOML file or an already-parsed mapping.

    Parameters
    ----------
    path_or_dict : str, Path or mapping
        A TOML file with ``[[target]]`` tables, or a mapping ``{"target": [ {...}, ... ]}``
        (e.g. the ``[targets]`` table of the run config).

    Returns
    -------
    list of Target
        In file order.

    Raises
    ------
    ConfigError
        Unreadable TOML, unknown keys, a missing key, an unknown indicator id or operator,
        a non-numeric value, or a ``value_original`` that does not convert to ``value``;
        every problem is listed at once.
    SchemaError
        A target's ``unit`` differs from the registry unit of its indicator (names the
        target and both units).
    """
    if isinstance(path_or_dict, Mapping):
        data: Mapping[str, Any] = path_or_dict
        source = "targets"
    else:
        path = Path(path_or_dict)
        source = str(path)
        if not path.is_file():
            raise ConfigError(f"targets file {path} not found")
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"targets file {path} is not valid TOML: {exc}") from None
    problems: list[str] = []
    for key in sorted(set(data) - {"target"}):
        problems.append(f"unknown key {key!r} (a targets file holds [[target]] tables)")
    raw = data.get("target", [])
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise ConfigError(f"{source}: 'target' must be an array of tables ([[target]])")
    reg = registry()
    unit_problems: list[str] = []
    out: list[Target] = []
    for i, t in enumerate(raw, start=1):
        where = f"{source}: target #{i} ({t.get('id', '?')!r})"
        extra = sorted(set(t) - _KEYS)
        if extra:
            problems.append(f"{where}: unknown key(s) {extra}; allowed: {sorted(_KEYS)}")
        missing = [k for k in _REQUIRED if k not in t]
        if missing:
            problems.append(f"{where}: missing key(s) {missing}")
            continue
        if t["id"] not in reg.index:
            near = difflib.get_close_matches(str(t["id"]), list(reg.index), n=2, cutoff=0.6)
            hint = ("; did you mean " + " or ".join(
                f"{n!r} (unit {reg.loc[n, 'unit']})" for n in near) + "?") if near else ""
            problems.append(f"{where}: unknown indicator id{hint} Known ids: "
                            f"{', '.join(reg.index)}")
            continue
        if t["op"] not in OPS:
            problems.append(f"{where}: op {t['op']!r} is not one of {list(OPS)}")
        for key in ("value", "value_original"):
            v = t.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                problems.append(f"{where}: {key} = {v!r} is not a number")
        year = t.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            problems.append(f"{where}: year = {year!r} is not an integer year")
        base_year = t.get("base_year")
        if base_year is not None and (isinstance(base_year, bool)
                                      or not isinstance(base_year, int)):
            problems.append(f"{where}: base_year = {base_year!r} is not an integer year")
        scope = str(t.get("scope", "county"))
        if scope not in ("county", "township") and not (scope.isdigit() and len(scope) in
                                                          (6, 9, 12)):
            problems.append(f"{where}: scope {scope!r} is not 'county', 'township' or a "
                            "6/9/12-digit zone code")
        if t["unit"] != reg.loc[t["id"], "unit"]:
            unit_problems.append(
                f"{where}: unit {t['unit']!r} differs from the unit of {t['id']} in the "
                f"registry ({reg.loc[t['id'], 'unit']!r}); convert the value (keep the plan's "
                "figure in value_original / unit_original)")
        if not problems:
            _check_original(where, t, problems)
        if problems:
            continue
        out.append(Target(
            id=str(t["id"]), op=str(t["op"]), value=float(t["value"]), unit=str(t["unit"]),
            source=str(t["source"]), year=year, scope=scope, base_year=base_year,
            value_original=None if t.get("value_original") is None
            else float(t["value_original"]),
            unit_original=None if t.get("unit_original") is None else str(t["unit_original"]),
            basis=None if t.get("basis") is None else str(t["basis"]),
        ))
    if problems:
        raise ConfigError("invalid targets:\n  - " + "\n  - ".join(problems))
    if unit_problems:
        raise SchemaError("invalid target units:\n  - " + "\n  - ".join(unit_problems))
    return out


def _pick(cands: list[Target], zone: str, year: int | None) -> Target | None:
    if not cands:
        return None
    specific = [t for t in cands if t.scope == zone]
    pool = specific or cands

    def rank(t: Target) -> tuple[int, int]:
        if year is None or t.year is None:
            return (2 if t.year is None else 1, -(t.year or 0))
        if t.year == year:
            return (0, 0)
        if t.year < year:
            return (1, year - t.year)
        return (3, t.year - year)

    return sorted(pool, key=rank)[0]


def apply_targets(
    rows: pd.DataFrame, targets: Sequence[Target], *, year: int | None = None,
    rules_label: str | None = None,
) -> pd.DataFrame:
    """Fill the target columns and ``status`` of indicator rows; returns a copy.

    The target is written as the flat columns of
    :data:`landuse.indicators.registry.TARGET_COLUMNS` (``target_op``, ``target_value``
    ...; docs/contract.md §4), from which ``indicators.json`` builds its ``target`` object
    (§3.1).

    A row matches a target with the same ``id`` whose ``scope`` is the row's zone code,
    or the row's scope (``county`` / ``township``); a zone-specific target wins. Among
    several (different years) the one for ``year`` wins, else the latest year before it,
    else one without a year, else the earliest later year (without ``year``: the latest).

    A target with a ``base_year`` matches only rows whose ``components["base_year"]``
    equals it (a change measured from another year has no target).

    A proxy id (:data:`PROXIES`) matches only targets whose ``basis`` names the proxy.
    A target whose ``basis`` is another rule set than ``rules_label`` (the rule set the
    rows were computed with) is shown but not judged: status ``no_target`` with the
    mismatch as ``reason`` (the value, on the run's basis, stays).

    Status: ``not_computable`` when the value is ``None`` (the target is still shown);
    ``met`` / ``not_met`` by the target's operator on the value (both in the registry
    unit, checked by :func:`load_targets`); ``no_target`` when no target matches.
    """
    out = rows.copy()
    by_id: dict[str, list[Target]] = {}
    for t in targets:
        by_id.setdefault(t.id, []).append(t)
    tgt_col: list[Any] = []
    status: list[str] = []
    reasons = (list(out["reason"]) if "reason" in out.columns else [None] * len(out))
    comps = out["components"] if "components" in out.columns else [None] * len(out)
    for k, (rid, scope, zone, value, comp) in enumerate(zip(
            out["id"], out["scope"], out["zone"], out["value"], comps, strict=True)):
        row_base = comp.get("base_year") if isinstance(comp, Mapping) else None
        cands = [t for t in by_id.get(rid, []) if t.scope in (zone, scope)
                 and (t.base_year is None or t.base_year == row_base)
                 and (rid not in PROXIES or t.basis == PROXIES[rid])]
        chosen = _pick(cands, str(zone), year)
        tgt_col.append(chosen.as_row_target() if chosen is not None else None)
        mismatch = (chosen is not None and chosen.basis is not None and rid not in PROXIES
                    and rules_label is not None and chosen.basis != rules_label)
        if mismatch:
            assert chosen is not None
            status.append("no_target")
            reasons[k] = (f"the target was set on the {chosen.basis} basis; this row is "
                          f"computed with the rule set {rules_label}. Run with [rules] = "
                          f"\"{chosen.basis}\" to judge it (docs/domain.md §7)")
        elif value is None or (isinstance(value, float) and not math.isfinite(value)):
            status.append("not_computable")
        elif chosen is None:
            status.append("no_target")
        else:
            status.append("met" if chosen.holds(value) else "not_met")
    flat = target_frame(tgt_col, out.index)
    for col in flat.columns:
        out[col] = flat[col]
    out["status"] = status
    if "reason" in out.columns or any(r is not None for r in reasons):
        out["reason"] = pd.Series(reasons, index=out.index, dtype=object)
    return out
