"""Zones of the survey tables (county, townships, villages) and rounding by zone.

The township of a patch is the frame's ``township`` column as given (the run assigns it by
its one township policy); the village is the ``village`` column (ZLDWDM[:12]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from landuse.tables._rounding import controlled_round, round_half_up
from landuse.units import M2_PER_HA

__all__ = ["UNIT_M2", "Zones", "round_by_zone", "zones_of"]

#: one rounding unit of the tables: 0.01 公顷 = 100 m²
UNIT_M2 = M2_PER_HA / 100.0
UNASSIGNED = "(未分配 unassigned)"


@dataclass(frozen=True)
class Zones:
    """Zone of every patch, and the names of the zones."""

    county: str
    county_name: str
    township: np.ndarray
    village: np.ndarray
    names: dict[str, str]
    villages: bool

    def name(self, code: str) -> str:
        """Name of a zone code (the code itself when the inputs name none)."""
        return self.names.get(code) or (code if code else UNASSIGNED)


def zones_of(lu: pd.DataFrame, townships: pd.DataFrame | None, *, county: str,
             county_name: str, villages: bool) -> Zones:
    """Zone codes per patch and zone names (XZQMC for townships, ZLDWMC for villages)."""
    town = lu["township"].astype(str).to_numpy() if "township" in lu.columns else \
        np.full(len(lu), "", dtype=object)
    vil = lu["village"].astype(str).to_numpy() if "village" in lu.columns else \
        np.full(len(lu), "", dtype=object)
    names: dict[str, str] = {county: county_name}
    if townships is not None and "zone_name" in townships.columns:
        names.update(dict(zip(townships["zone"].astype(str), townships["zone_name"].astype(str),
                              strict=True)))
    if villages and "ZLDWMC" in lu.columns:
        first = pd.DataFrame({"v": vil, "n": lu["ZLDWMC"].astype(str).to_numpy()})
        first = first[(first["n"] != "") & (first["v"] != "")].drop_duplicates("v")
        names.update({v: n for v, n in zip(first["v"], first["n"], strict=True)
                      if v not in names})
    return Zones(county, county_name, np.asarray(town, dtype=object),
                 np.asarray(vil, dtype=object), names, villages)


def _pivot(frame: pd.DataFrame, index: Sequence[str], items: Sequence[object]) -> pd.DataFrame:
    table = frame.groupby([*index, "item"], sort=True)["m2"].sum().unstack("item", fill_value=0.0)
    return table.reindex(columns=list(items), fill_value=0.0)


def round_by_zone(zones: Zones, rows: np.ndarray, items: np.ndarray, m2: np.ndarray,
                  order: Sequence[object]) -> pd.DataFrame:
    """Area of each item in each zone, in 0.01-ha units, adding up at every level.

    Parameters
    ----------
    zones : Zones
    rows : ndarray of int
        Patch index of each contribution (a patch may contribute twice: its class area and
        its deduction).
    items : ndarray
        Item of each contribution (class code, (code, ownership) ...), one of ``order``.
    m2 : ndarray of float
        Area of each contribution, m².
    order : sequence
        Every item of the table in its official order (absent items get 0).

    Returns
    -------
    DataFrame
        ``zone``, ``zone_name``, ``level`` (county / township / village), ``item``,
        ``units`` (int, 0.01 ha), in zone then item order.
    """
    frame = pd.DataFrame({"township": zones.township[rows], "village": zones.village[rows],
                          "item": items, "m2": m2})
    # every zone of the county is listed, also where this table has nothing (a true zero)
    towns = pd.Index(sorted(set(zones.township)), name="township")
    town = _pivot(frame, ["township"], order).reindex(towns, fill_value=0.0) / UNIT_M2
    county_exact = town.sum(axis=0).to_numpy()
    total = round_half_up(float(county_exact.sum()))
    county = controlled_round(county_exact[:, None], np.array([total]))[:, 0]
    t_units = controlled_round(town.to_numpy(), county)
    heads: list[tuple[str, str, str]] = [(zones.county, zones.county_name, "county")]
    blocks = [county[None, :]]
    vil = None
    if zones.villages:
        pairs = pd.MultiIndex.from_frame(pd.DataFrame(
            {"township": zones.township, "village": zones.village}).drop_duplicates()
            .sort_values(["township", "village"]))
        vil = _pivot(frame, ["township", "village"], order).reindex(pairs, fill_value=0.0) / UNIT_M2
    for i, code in enumerate(town.index):
        heads.append((code, zones.name(code), "township"))
        blocks.append(t_units[i][None, :])
        if vil is not None:
            part = vil.loc[code]
            blocks.append(controlled_round(part.to_numpy(), t_units[i]))
            heads.extend((v, zones.name(v), "village") for v in part.index)
    units = np.vstack(blocks)
    k = len(order)
    head = np.array(heads, dtype=object)
    return pd.DataFrame({"zone": np.repeat(head[:, 0], k), "zone_name": np.repeat(head[:, 1], k),
                         "level": np.repeat(head[:, 2], k),
                         "item": np.tile(np.array(list(order), dtype=object), len(heads)),
                         "units": units.reshape(-1).astype("int64")})
