"""Mining rights (矿业权) against protected areas (自然保护地、饮用水水源保护区、风景名胜区).

The plan's rule (docs/domain.md §3): inside 自然保护区, 饮用水水源保护区 and 风景名胜区 no new
mining right may be granted, and existing ones withdraw in order; new rights also pass a
生态保护红线 review. Which categories and zones prohibit mining, the withdrawal priority and
the reasons are the rule table ``landuse/rules/mining_prohibited.csv``; the activities
自然资发〔2022〕142号 still permits inside the ecological redline (outside core zones) are
``landuse/rules/mining_exceptions_142.csv`` (disposition ``review``); a right whose
``valid_to`` lies before the evaluation date is ``expired`` (see
:mod:`landuse.redlines.tables` and docs/domain.md §7).

Geometry is exact: every (right, protected feature) pair is intersected with shapely in a
projected working CRS, after snapping both inputs to a grid of ``grid_size`` metres
(default 1 mm) so that results do not change when coordinates move by less than that.
Areas are planar, in m², in the working CRS (``area_basis = "planar"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from landuse.errors import GeometryError, SchemaError
from landuse.findings import attach_findings
from landuse.redlines._common import (
    NEAR_M,
    SLIVER_M2,
    SNAP_GRID_M,
    align_to,
    assign_township,
    describe,
    polygonal,
    require_columns,
    require_geometries,
    resolve_working_crs,
    snap,
)
from landuse.redlines._mining_rules import (
    DISPOSITION_STATUS,
    ECO_REDLINE,
    PROTECTED_FIELDS,
    disposition_of,
    expired_rights,
    judge_conflicts,
    reason_of,
    with_redline,
)
from landuse.redlines.tables import load_mining_exceptions, load_mining_rules, match_mining_rules

__all__ = [
    "DISPOSITION_STATUS",
    "ECO_REDLINE",
    "MINING_COLUMNS",
    "ProtectedIndex",
    "RightCheck",
    "check_new_right",
    "mining_conflicts",
]

RIGHT_FIELDS = ("licence_no", "right_type", "holder", "mineral", "stage")
STAGES = ("existing", "application")
MINING_COLUMNS = (
    "licence_no", "right_type", "holder", "mineral", "stage", "against_id", "against_name",
    "category", "subtype", "zone_type", "relation", "overlap_m2", "share", "distance_m",
    "right_area_m2", "prohibited", "priority", "disposition", "status", "rule", "basis",
    "reason", "area_basis", "township", "geometry",
)
_NUMERIC = ("overlap_m2", "share", "distance_m", "right_area_m2", "prohibited", "priority")
_RELATION_ORDER = {"inside": 0, "touching": 1, "near": 2}


def _check_options(sliver_m2: float, near_m: float) -> None:
    if sliver_m2 < 0:
        raise ValueError(f"sliver_m2 must be >= 0 m², got {sliver_m2}")
    if near_m < 0:
        raise ValueError(f"near_m must be >= 0 metres, got {near_m}")


@lru_cache(maxsize=32)
def _transformer(src: Any, dst: str) -> Transformer | None:
    """Return a transformer from ``src`` (CRS input) to ``dst`` (WKT); None if the same."""
    src_crs = CRS.from_user_input(src)
    if src_crs == CRS.from_wkt(dst):
        return None
    return Transformer.from_crs(src_crs, CRS.from_wkt(dst), always_xy=True)


class ProtectedIndex:
    """Protected areas prepared once for repeated overlap queries (the real state: a tree).

    Build it once per county and call :meth:`check` for each proposed right; building
    aligns the layer to a projected working CRS, snaps it to ``grid_size`` metres, matches
    every feature to the mining rule table and builds an STRtree. Nothing in the index
    changes after construction, so several threads may call :meth:`check` on one index at
    the same time (shapely releases the GIL in GEOS calls; the HTTP service does this).

    Parameters
    ----------
    protected : GeoDataFrame
        Columns ``id``, ``name``, ``category``, ``zone`` (``subtype`` optional), as returned by
        ``landuse.io.vector.read_protected_areas``; any CRS.
    working_crs : CRS-like, optional
        Projected CRS for areas (metres). Default: the layer's own CRS, which then must be
        projected.
    grid_size : float
        Snapping grid in metres (``shapely.set_precision``), default 0.001 (1 mm); 0 = none.
        Two geometries closer than 1.5 x ``grid_size`` (within one grid cell once
        snapped) count as touching.
    mining_rules : path or DataFrame, optional
        Another mining rule table (see :func:`landuse.redlines.tables.load_mining_rules`).

    Raises
    ------
    SchemaError
        Missing columns, or a (category, zone) without a rule.
    CRSError
        No CRS, or a geographic CRS and no ``working_crs``.
    """

    def __init__(
        self,
        protected: gpd.GeoDataFrame,
        *,
        working_crs: Any | None = None,
        grid_size: float = SNAP_GRID_M,
        mining_rules: str | Path | pd.DataFrame | None = None,
    ) -> None:
        fix = ("Read the layer with landuse.io.vector.read_protected_areas or map the fields "
               "(docs/contract.md §2.1).")
        require_columns(protected, PROTECTED_FIELDS, "protected areas (自然保护地)", fix)
        require_geometries(protected, "protected areas (自然保护地)", "id")
        self.crs: CRS = resolve_working_crs(protected, "protected areas (自然保护地)",
                                            working_crs)
        aligned, self.findings = align_to(protected, self.crs, "protected areas (自然保护地)")
        self.grid_size = float(grid_size)
        self.tolerance = self.grid_size * 1.5
        self.geoms: np.ndarray = snap(aligned.geometry.array, self.grid_size)
        # Not prepared: queries prepare their own (input) geometries, so nothing in the
        # index changes after construction and threads may query it at once.
        self.tree = shapely.STRtree(self.geoms)
        self.tree.query(shapely.Point(0, 0))  # build the tree now, not on a first query
        table = load_mining_rules(mining_rules)
        self.rules_source: str = table.attrs["source"]
        matched = match_mining_rules(protected["category"], protected["zone"], table,
                                     layer=describe(protected, "protected areas (自然保护地)"))
        subtype = (protected["subtype"] if "subtype" in protected
                   else pd.Series("", index=protected.index))
        self.table = pd.DataFrame({
            "against_id": protected["id"].astype(str).to_numpy(),
            "against_name": protected["name"].fillna("").astype(str).to_numpy(),
            "category": protected["category"].fillna("").astype(str).to_numpy(),
            "subtype": subtype.fillna("").astype(str).to_numpy(),
            "zone_type": protected["zone"].fillna("").astype(str).to_numpy(),
        }).join(matched)
        self._wkt = self.crs.to_wkt()
        self._label = self.crs.to_string()
        ids = self.table["against_id"].to_numpy(dtype=object)
        self._id_rank = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
        self._records: list[dict[str, Any]] = self.table.to_dict("records")

    def __len__(self) -> int:
        return len(self.geoms)

    def relate(
        self, geoms: np.ndarray, *, sliver_m2: float = SLIVER_M2, near_m: float = NEAR_M
    ) -> pd.DataFrame:
        """Relate snapped geometries in the working CRS to every protected feature.

        Returns one row per contact pair (``inside`` / ``touching``) and, for a geometry
        without contact, one ``near`` row to the nearest feature within ``near_m`` (ties:
        the smallest ``id``): columns ``pos`` (position in ``geoms``), ``ppos`` (protected
        position), ``relation``, ``overlap_m2``, ``distance_m``, ``geometry`` (the overlap;
        the shortest line for ``near``). Rows are ordered by ``pos``, then ``ppos``.
        """
        return pd.DataFrame(self._relate_arrays(np.asarray(geoms, dtype=object),
                                                sliver_m2=sliver_m2, near_m=near_m))

    def _relate_arrays(
        self, geoms: np.ndarray, *, sliver_m2: float, near_m: float
    ) -> dict[str, np.ndarray]:
        """Numpy core of :meth:`relate` (no pandas: :meth:`check` stays fast)."""
        _check_options(sliver_m2, near_m)
        reach = max(near_m, self.tolerance)
        gi, pi = self.tree.query(geoms, predicate="dwithin", distance=reach)
        order = np.lexsort((pi, gi))
        gi, pi = gi[order], pi[order]
        dist = shapely.distance(geoms[gi], self.geoms[pi])
        contact = dist <= self.tolerance
        cg, cp = gi[contact], pi[contact]
        inter = shapely.intersection(geoms[cg], self.geoms[cp],
                                     grid_size=self.grid_size or None)
        area = shapely.area(inter)
        inside = area >= sliver_m2 if sliver_m2 > 0 else area > 0
        evidence = np.empty(len(inter), dtype=object)
        evidence[:] = [polygonal(g) if keep else g for g, keep in zip(inter, inside, strict=True)]
        gap = shapely.is_empty(evidence)
        if gap.any():  # closer than the grid but not intersecting: the connecting line
            evidence[gap] = shapely.shortest_line(geoms[cg[gap]], self.geoms[cp[gap]])
        has_contact = np.zeros(len(geoms), dtype=bool)
        has_contact[cg] = True
        far = np.flatnonzero(~contact & ~has_contact[gi] & (dist <= near_m))
        far = far[np.lexsort((self._id_rank[pi[far]], dist[far], gi[far]))]
        first = np.ones(len(far), dtype=bool)
        first[1:] = gi[far][1:] != gi[far][:-1]
        far = far[first]
        ng, np_ = gi[far], pi[far]
        rel = np.empty(len(cg) + len(far), dtype=object)
        rel[: len(cg)] = np.where(inside, "inside", "touching")
        rel[len(cg):] = "near"
        geometry = np.empty(len(rel), dtype=object)
        geometry[: len(cg)] = evidence
        geometry[len(cg):] = shapely.shortest_line(geoms[ng], self.geoms[np_])
        pos = np.concatenate([cg, ng]).astype(np.int64)
        ppos = np.concatenate([cp, np_]).astype(np.int64)
        order = np.lexsort((ppos, pos))
        return {"pos": pos[order], "ppos": ppos[order], "relation": rel[order],
                "overlap_m2": np.concatenate([area, np.zeros(len(far))])[order],
                "distance_m": np.concatenate([dist[contact], dist[far]])[order],
                "geometry": geometry[order]}

    def _to_working(self, geometry: Any, crs: Any) -> BaseGeometry:
        if isinstance(geometry, str):
            geom = shapely.from_wkt(geometry)
        elif isinstance(geometry, Mapping):
            geom = shapely.geometry.shape(geometry)
        elif isinstance(geometry, BaseGeometry):
            geom = geometry
        else:
            raise GeometryError(
                f"check needs a shapely Polygon/MultiPolygon, WKT text or a GeoJSON geometry "
                f"dict; got {type(geometry).__name__}"
            )
        if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise GeometryError(
                f"a mining right must be a non-empty Polygon or MultiPolygon; got "
                f"{'an empty ' if geom.is_empty else 'a '}{geom.geom_type}"
            )
        key = crs if isinstance(crs, str | int) else CRS.from_user_input(crs).to_wkt()
        tr = _transformer(key, self._wkt)
        if tr is not None:
            geom = shapely.transform(
                geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
            )
            if not np.isfinite(shapely.get_coordinates(geom)).all():
                raise GeometryError(
                    f"the right's coordinates cannot be transformed from {crs} to "
                    f"{self._label}: are they really in {crs}? (e.g. projected metres "
                    "given as EPSG:4490 degrees)"
                )
        return geom

    def check(
        self,
        geometry: Any,
        *,
        crs: Any,
        stage: str = "application",
        sliver_m2: float = SLIVER_M2,
        near_m: float = NEAR_M,
    ) -> RightCheck:
        """Answer for one proposed (or existing) right whether it may be granted (or stay).

        Parameters
        ----------
        geometry : shapely Polygon/MultiPolygon, WKT str or GeoJSON dict
            The right's polygon.
        crs : CRS-like
            The CRS of ``geometry`` (required: never assumed); reprojected to the index's.
        stage : {"application", "existing"}
            ``application`` -> ``refuse`` on conflict; ``existing`` -> ``withdraw``.
        sliver_m2, near_m : float
            Overlap below ``sliver_m2`` (m²) is ``touching``; ``near`` within ``near_m`` (m).

        Returns
        -------
        RightCheck
            ``allowed`` is False exactly when the right overlaps (>= ``sliver_m2``) a
            category/zone that prohibits mining.
        """
        if stage not in STAGES:
            raise SchemaError(f"stage must be one of {list(STAGES)}, got {stage!r}")
        geom = snap(np.array([self._to_working(geometry, crs)], dtype=object),
                    self.grid_size)
        rel = self._relate_arrays(geom, sliver_m2=sliver_m2, near_m=near_m)
        area = float(shapely.area(geom[0]))
        contacts: list[dict[str, Any]] = []
        reasons: list[str] = []
        conflict = False
        nearest = None
        overlaps = []
        for k in range(len(rel["pos"])):
            info = self._records[rel["ppos"][k]]
            base = {c: info[c] for c in ("against_id", "against_name", "category", "subtype",
                                         "zone_type")}
            if rel["relation"][k] == "near":
                nearest = {**base, "distance_m": float(rel["distance_m"][k])}
                continue
            overlap = float(rel["overlap_m2"][k])
            row = {**base, "relation": rel["relation"][k], "overlap_m2": overlap,
                   "share": overlap / area if area else 0.0,
                   "prohibited": bool(info["prohibited"]),
                   "priority": None if pd.isna(info["priority"]) else float(info["priority"])}
            hit = row["relation"] == "inside" and row["prohibited"]
            conflict |= hit
            row["reason"] = reason_of({**row, "stage": stage, "reason_zh": info["reason_zh"],
                                     "reason_en": info["reason_en"]}, sliver_m2)
            if hit:
                reasons.append(f"{info['against_name']}（{info['against_id']}）: {row['reason']}")
            contacts.append(row)
            overlaps.append(polygonal(rel["geometry"][k]))
        union = float(shapely.union_all(overlaps).area) if overlaps else 0.0
        return RightCheck(
            allowed=not conflict, disposition=disposition_of(stage, conflict), stage=stage,
            area_m2=area, protected_area_m2=union, protected_share=union / area if area else 0.0,
            contacts=tuple(contacts), nearest=nearest, reasons=tuple(reasons),
            working_crs=self._label, rules=self.rules_source,
        )


@dataclass(frozen=True)
class RightCheck:
    """The answer for one right (see :meth:`ProtectedIndex.check`); ``to_dict`` for JSON."""

    allowed: bool
    disposition: str
    stage: str
    area_m2: float
    protected_area_m2: float
    protected_share: float
    contacts: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    nearest: dict[str, Any] | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)
    working_crs: str = ""
    rules: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (lists instead of tuples)."""
        d = asdict(self)
        d["contacts"] = [dict(c) for c in self.contacts]
        d["reasons"] = list(self.reasons)
        return d


def check_new_right(
    geometry: Any,
    protected: gpd.GeoDataFrame | ProtectedIndex,
    *,
    crs: Any,
    stage: str = "application",
    sliver_m2: float = SLIVER_M2,
    near_m: float = NEAR_M,
    grid_size: float = SNAP_GRID_M,
    working_crs: Any | None = None,
    mining_rules: str | Path | pd.DataFrame | None = None,
) -> RightCheck:
    """Check one proposed mining right against the protected areas (for an approval step).

    Pass a prebuilt :class:`ProtectedIndex` as ``protected`` for repeated calls (the HTTP
    service does); with a GeoDataFrame an index is built for this one call (and
    ``grid_size``, ``working_crs``, ``mining_rules`` apply to it).

    Returns
    -------
    RightCheck
        ``allowed``, ``disposition`` (``refuse`` / ``withdraw`` / ``none``), the contacts with
        overlap (m², planar in the working CRS) and share of the right, the nearest feature
        when there is no contact, and the reasons.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pa = gpd.GeoDataFrame({"id": ["P1"], "name": ["湿地"], "category": ["自然保护区"],
    ...     "zone": ["核心保护区"]}, geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:4527")
    >>> r = check_new_right(shapely.box(50, 0, 150, 100), pa, crs="EPSG:4527")
    >>> r.allowed, r.disposition, r.protected_area_m2, r.protected_share
    (False, 'refuse', 5000.0, 0.5)
    """
    index = (protected if isinstance(protected, ProtectedIndex)
             else ProtectedIndex(protected, working_crs=working_crs, grid_size=grid_size,
                                 mining_rules=mining_rules))
    return index.check(geometry, crs=crs, stage=stage, sliver_m2=sliver_m2, near_m=near_m)


def sort_conflicts(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort conflict rows into their one order (the serial run and the dask executor).

    By licence, then inside / touching / near, then the protected area; the index is kept,
    so the caller can reorder what belongs to the rows.
    """
    rank = frame["relation"].map(_RELATION_ORDER)
    return frame.assign(_rel=rank).sort_values(
        ["licence_no", "_rel", "against_id"], kind="stable").drop(columns="_rel")


def validate_rights(rights: gpd.GeoDataFrame) -> None:
    """Raise a SchemaError naming what a mining-rights frame lacks (fields, values)."""
    fix = ("Read the layer with landuse.io.vector.read_mining_rights or map the fields "
           "(docs/contract.md §2.1).")
    require_columns(rights, RIGHT_FIELDS, "mining rights (矿业权)", fix)
    require_geometries(rights, "mining rights (矿业权)", "licence_no")
    bad = sorted(set(rights["stage"].astype(str)) - set(STAGES))
    if bad:
        raise SchemaError(
            f"the {describe(rights, 'mining rights (矿业权)')} field stage holds {bad}; allowed: "
            f"{list(STAGES)} (existing = 已设矿业权, application = 申请)."
        )
    dup = rights["licence_no"].astype(str).duplicated()
    if dup.any():
        raise SchemaError(
            f"the {describe(rights, 'mining rights (矿业权)')} repeats licence_no "
            f"{sorted(set(rights.loc[dup, 'licence_no'].astype(str)))[:5]}; each right needs "
            "one feature (merge the parts into a MultiPolygon)."
        )


def mining_conflicts(
    rights: gpd.GeoDataFrame,
    protected: gpd.GeoDataFrame | None,
    *,
    ecological_redline: gpd.GeoDataFrame | None = None,
    evaluation_date: dt.date | str | None = None,
    sliver_m2: float = SLIVER_M2,
    near_m: float = NEAR_M,
    grid_size: float = SNAP_GRID_M,
    mining_rules: str | Path | pd.DataFrame | None = None,
    exceptions: str | Path | pd.DataFrame | None = None,
    townships: gpd.GeoDataFrame | None = None,
    working_crs: Any | None = None,
) -> gpd.GeoDataFrame:
    """Every mining right against every protected feature it touches, overlaps or nears.

    Parameters
    ----------
    rights : GeoDataFrame
        Mining rights: ``licence_no`` (unique), ``right_type``, ``holder``, ``mineral``,
        ``stage`` (``existing`` / ``application``), ``valid_to`` (optional); Polygon or
        MultiPolygon.
    protected : GeoDataFrame or None
        Protected areas: ``id``, ``name``, ``category``, ``zone`` (``subtype`` optional).
    ecological_redline : GeoDataFrame, optional
        The ecological redline (``read_control_line(kind="ecological_redline")``): its
        features are checked too, as ``category = "生态保护红线"`` (id ``line_id``, name
        ``HXMC``), the plan's redline review of mining rights.
    evaluation_date : date or str, optional
        A right whose ``valid_to`` lies before it gets disposition ``expired`` instead of
        ``withdraw`` (not counted by
        :func:`~landuse.redlines.summary.mining_rights_in_protected_areas`).
    sliver_m2 : float
        An overlap of at least this many m² is ``inside`` (a conflict when the rule table
        prohibits mining there); a smaller overlap, or edge/point contact, is ``touching``.
    near_m : float
        A right without contact gets one ``near`` row to the nearest protected feature
        when it is at most ``near_m`` metres away (``distance_m``); none beyond.
    grid_size : float
        Both layers are snapped to this grid (metres, default 1 mm) before the overlay;
        geometries closer than 1.5 x ``grid_size`` count as touching; 0 = no snapping.
    mining_rules : path or DataFrame, optional
        The mining rule table; default ``landuse/rules/mining_prohibited.csv`` (``rules``
        elsewhere always means the land-class rule set).
    exceptions : path or DataFrame, optional
        The 142号 exceptions; default ``landuse/rules/mining_exceptions_142.csv``.
    townships : GeoDataFrame, optional
        ``zone`` (9 digits) and geometry; each row gets the township its evidence overlaps
        most (for ``near`` rows: the right's).
    working_crs : CRS-like, optional
        Projected CRS for areas; default the rights' CRS (which must then be projected).
        Other layers are reprojected to it, with a Finding.

    Returns
    -------
    GeoDataFrame
        Columns :data:`MINING_COLUMNS`, rows sorted by ``licence_no``, relation, ``against_id``.
        ``overlap_m2`` is planar in the working CRS; ``share = overlap_m2 / right_area_m2``.
        ``disposition`` of an ``inside`` row of a prohibiting category/zone: ``expired``
        (``valid_to`` before ``evaluation_date``), else ``review`` when a 142号 exception
        matches (category, zone, stage, mineral, right_type), else ``withdraw`` (existing)
        / ``refuse`` (application); ``none`` for every other row. ``status`` follows
        :data:`DISPOSITION_STATUS` (withdraw/refuse = ``violation``); ``rule`` is the id of
        the deciding table row, ``basis`` its document. ``geometry`` is the overlap (line or
        point for edge/point contact; shortest line for ``near``). ``attrs``: ``findings``
        (reprojections), ``working_crs``, ``rules``, options.

    Raises
    ------
    SchemaError, CRSError, GeometryError
        Missing fields, unknown stage or (category, zone), duplicate licence numbers,
        missing/geographic CRS without ``working_crs``, null geometries.
    """
    _check_options(sliver_m2, near_m)
    validate_rights(rights)
    crs = resolve_working_crs(rights, "mining rights (矿业权)", working_crs)
    combined, found = with_redline(protected, ecological_redline, crs)
    index = ProtectedIndex(combined, working_crs=crs, grid_size=grid_size,
                           mining_rules=mining_rules)
    aligned, findings = align_to(rights, crs, "mining rights (矿业权)")
    findings = [*findings, *found, *index.findings]
    geoms = snap(aligned.geometry.array, grid_size)
    rel = index.relate(geoms, sliver_m2=sliver_m2, near_m=near_m)
    pos = rel["pos"].to_numpy()
    right_area = shapely.area(geoms)
    out = pd.DataFrame({c: rights[c].fillna("").astype(str).to_numpy()[pos]
                        for c in RIGHT_FIELDS})
    out["valid_to"] = (rights["valid_to"].to_numpy()[pos] if "valid_to" in rights
                       else pd.NaT)
    out = out.join(index.table.iloc[rel["ppos"].to_numpy()].reset_index(drop=True))
    out["relation"] = rel["relation"].to_numpy()
    out["overlap_m2"] = rel["overlap_m2"].to_numpy()
    out["right_area_m2"] = right_area[pos]
    out["share"] = np.divide(out["overlap_m2"], out["right_area_m2"],
                             out=np.zeros(len(out)), where=out["right_area_m2"] > 0)
    out["distance_m"] = rel["distance_m"].to_numpy()
    out["prohibited"] = out["prohibited"].astype(bool)
    judge_conflicts(out, expired_rights(out, evaluation_date), load_mining_exceptions(exceptions),
           sliver_m2, evaluation_date)
    out["area_basis"] = "planar"
    locator = rel["geometry"].to_numpy().copy()
    is_near = out["relation"].to_numpy() == "near"
    locator[is_near] = geoms[pos[is_near]]
    if townships is not None:
        require_columns(townships, ("zone",), "townships (乡镇)",
                        "Read it with landuse.io.vector.read_townships.")
        townships, tf = align_to(townships, crs, "townships (乡镇)")
        findings += tf
    out["township"] = assign_township(locator, townships)
    out = sort_conflicts(out)
    geometry = rel["geometry"].to_numpy()[out.index.to_numpy()]
    out = gpd.GeoDataFrame(out.reset_index(drop=True), geometry=list(geometry), crs=crs)
    out = out[list(MINING_COLUMNS)]
    text = [c for c in MINING_COLUMNS if c not in _NUMERIC and c != "geometry"]
    out = out.astype({c: str for c in text} | {c: float for c in _NUMERIC if c != "prohibited"}
                     | {"prohibited": bool})
    attach_findings(out, findings)
    out.attrs.update({"working_crs": crs.to_string(), "rules": index.rules_source,
                      "sliver_m2": sliver_m2, "near_m": near_m, "grid_size": grid_size,
                      "evaluation_date": (str(evaluation_date)[:10] if evaluation_date
                                          is not None else None)})
    return out
