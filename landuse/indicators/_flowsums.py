"""Fast masks and zone sums over change flows (private; used by balance and evaluation).

:func:`landuse.indicators.change._member` and ``_zone_sum`` map every flow row through the
rule set and group by zone strings on each call. A county's flows have 10⁵–10⁶ rows but
only a few hundred distinct (code, CZCSXM) pairs and a few dozen zones, so here both are
factorised once: a mask is computed on the distinct pairs and broadcast, and a zone sum is
one ``np.bincount`` per level. Results are the same as ``_member`` / ``_zone_sum`` (tested).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landuse.rules import RuleSet

__all__ = ["FlowSums"]


class FlowSums:
    """Factorised change flows: ``member(side, aggregate)`` and ``sum_m2(mask)``."""

    def __init__(self, flows: pd.DataFrame, rules: RuleSet) -> None:
        self.rules = rules
        self.area_m2 = flows["area_m2"].to_numpy(np.float64)
        levels = [lv for lv in flows.attrs.get("levels", ["county"]) if lv in flows.columns]
        self._zones: list[tuple[np.ndarray, np.ndarray]] = []
        for lv in levels:
            codes, uniques = pd.factorize(flows[lv].astype(str).to_numpy(dtype=object),
                                          sort=True)
            self._zones.append((codes, np.asarray(uniques, dtype=object)))
        self.zones = pd.Index([z for _, u in self._zones for z in u], name="zone",
                              dtype=object)
        self._pairs: dict[str, tuple[np.ndarray, pd.DataFrame]] = {}
        for side in ("from", "to"):
            code_i, code_u = pd.factorize(flows[f"{side}_code"].astype(object).to_numpy())
            if f"{side}_czcsxm" in flows:
                cz_i, cz_u = pd.factorize(flows[f"{side}_czcsxm"].astype(object).to_numpy())
            else:
                cz_i, cz_u = np.zeros(len(flows), dtype=np.int64), np.array([""], dtype=object)
            # one integer per (code, CZCSXM) pair; the distinct pairs are few
            pair, idx = np.unique(code_i.astype(np.int64) * len(cz_u) + cz_i,
                                  return_inverse=True)
            uniq = pd.DataFrame({"code": pd.Series(np.asarray(code_u, dtype=object)[
                pair // len(cz_u)], dtype=object), "czcsxm": pd.Series(np.asarray(
                    cz_u, dtype=object)[pair % len(cz_u)], dtype=object)})
            self._pairs[side] = (idx.reshape(-1), uniq)
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
