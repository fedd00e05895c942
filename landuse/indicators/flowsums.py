"""Fast masks and zone sums over change flows (private; used by balance and evaluation).

:func:`landuse.indicators.change._member` and ``_zone_sum`` map every flow row through the
rule set and group by zone strings on each call. A county's flows have 10⁵–10⁶ rows but
only a few hundred distinct (code, CZCSXM) pairs and a few dozen zones, so here both are
factorised once: a mask is computed on the distinct pairs and broadcast, and a zone sum is
one ``np.bincount`` per level. Results are the same as ``_member`` / ``_zone_sum`` (tested).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from landuse.rules import RuleSet, load_rules

__all__ = ["FlowSums", "as_sums", "code_pairs"]


def code_pairs(codes: pd.Series, czcsxm: pd.Series | None) -> tuple[np.ndarray, pd.DataFrame]:
    """Distinct (code, CZCSXM) pairs and each row's position among them.

    A county has 10⁵–10⁶ rows but a few hundred pairs: a rule-set mask computed on the
    pairs (``uniq["code"]``, ``uniq["czcsxm"]``) and indexed with the positions equals the
    mask of every row. Missing values are ``""``.
    """
    code_i, code_u = pd.factorize(codes, use_na_sentinel=False)
    if czcsxm is not None:
        cz_i, cz_u = pd.factorize(czcsxm, use_na_sentinel=False)
    else:
        cz_i, cz_u = np.zeros(len(codes), dtype=np.int64), np.array([""], dtype=object)

    def text(u: object) -> np.ndarray:
        arr = np.asarray(u, dtype=object)
        return np.array(["" if v is None or v != v else str(v) for v in arr], dtype=object)

    n = max(len(cz_u), 1)
    idx, pair = pd.factorize(code_i.astype(np.int64) * n + cz_i)  # hashing, no sort
    uniq = pd.DataFrame({"code": pd.Series(text(code_u)[pair // n], dtype=object),
                         "czcsxm": pd.Series(text(cz_u)[pair % n], dtype=object)})
    return idx.reshape(-1), uniq


class FlowSums:
    """Factorised change flows: ``member(side, aggregate)`` and ``sum_m2(mask)``."""

    def __init__(self, flows: pd.DataFrame, rules: RuleSet) -> None:
        self.flows = flows
        self.rules = rules
        self.area_m2 = flows["area_m2"].to_numpy(np.float64)
        levels = [lv for lv in flows.attrs.get("levels", ["county"]) if lv in flows.columns]
        self._zones: list[tuple[np.ndarray, np.ndarray]] = []
        for lv in levels:
            # factorising the column itself (arrow-backed str) is much faster than an
            # object array of it
            codes, uniques = pd.factorize(flows[lv], sort=True)
            self._zones.append((codes, np.asarray(uniques, dtype=object).astype(str)
                                .astype(object)))
        self.zones = pd.Index([z for _, u in self._zones for z in u], name="zone",
                              dtype=object)
        self._pairs: dict[str, tuple[np.ndarray, pd.DataFrame]] = {}
        for side in ("from", "to"):
            cz = flows[f"{side}_czcsxm"] if f"{side}_czcsxm" in flows else None
            self._pairs[side] = code_pairs(flows[f"{side}_code"], cz)
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def member(self, side: str, aggregate: str) -> np.ndarray:
        """Rows whose ``side`` (from/to) class is in ``aggregate`` (and has a code)."""
        key = (side, aggregate)
        if key not in self._cache:
            idx, uniq = self._pairs[side]
            m = self.rules.mask(aggregate, uniq["code"], uniq["czcsxm"]) & (
                uniq["code"] != "").to_numpy()
            self._cache[key] = m[idx]
        return self._cache[key]

    def codes(self, side: str) -> tuple[np.ndarray, np.ndarray]:
        """Each row's ``side`` code as a position into the returned distinct codes."""
        idx, uniq = self._pairs[side]
        pos, codes = pd.factorize(uniq["code"].to_numpy(dtype=object))
        return pos[idx], np.asarray(codes, dtype=object)

    def zone_levels(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per zone level: each row's position and the level's sorted zone codes."""
        return list(self._zones)

    def code_is(self, side: str, code: str) -> np.ndarray:
        """Rows whose ``side`` code equals ``code``."""
        idx, uniq = self._pairs[side]
        return (uniq["code"] == code).to_numpy()[idx]

    def sum_m2(self, mask: np.ndarray, weights: np.ndarray | None = None) -> pd.Series:
        """Σ area_m2 (or Σ ``weights``) of the masked rows per zone (county first), m²."""
        w = np.where(mask, self.area_m2 if weights is None else weights, 0.0)
        parts = [np.bincount(codes, weights=w, minlength=len(u)) for codes, u in self._zones]
        values = np.concatenate(parts) if parts else np.zeros(0)
        return pd.Series(values, index=self.zones, dtype=float)


def as_sums(flows: pd.DataFrame | FlowSums, rules: str | Path | RuleSet | None) -> FlowSums:
    """``flows`` factorised once (a :class:`FlowSums` is passed through; its rules must match)."""
    if isinstance(flows, FlowSums):
        if rules is not None and load_rules(rules).label != flows.rules.label:
            raise ValueError(f"the FlowSums were made with the rules {flows.rules.label}, not "
                             f"{load_rules(rules).label}; make them with the same rules")
        return flows
    return FlowSums(flows, load_rules(rules))
