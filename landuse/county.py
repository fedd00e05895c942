"""The prepared county: one township policy, class rows and zones, built once per run.

Every output of a run answers "which township is this patch in" the same way, and every
area figure is a sum over the same *class rows*. Both are decided here, once, in the
read/prepare phase (docs/domain.md §2, §2.4; docs/architecture.md):

- the **township policy** (``[options] township``): ``"zldwdm"`` (default; the township
  is ``ZLDWDM[:9]``, the 坐落单位代码 the official statistics aggregate by) or ``"xzq"`` (the
  XZQ 行政区 polygon containing the patch's representative point).
  :func:`assign_townships` writes the chosen code into the ``county`` / ``township`` /
  ``village`` columns of the land-use frame; :func:`township_polygons` builds the township
  polygons from the same policy (for mining rights, control-line pieces, land cover and the
  maps);
- the *class rows* (:func:`class_rows`): every patch gives one row for its own class
  (``DLBM``, ``TBDLMJ``) and one row for its deduction (``KCDLBM``, ``KCMJ``), both with the
  patch's ``CZCSXM``. Every official class area and every aggregate is a sum over these rows,
  so the deduction rule of docs/domain.md §2 is implemented only here;
- :class:`Prepared`: the class rows summed per zone, code and CZCSXM, and Σ TBMJ per zone;
- :class:`County`: everything one run reads, prepared once (both vintages, the layers,
  tables, the land cover (:class:`landuse.rasters.LandCover`), targets, provenance and the
  findings of reading).

Indicators, redlines, change, land cover, the survey tables and the report take a
:class:`County` (or its parts) and never re-read, re-normalise or re-validate; the public
indicator functions still take plain frames and prepare on the fly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse.errors import ConfigError, CRSError, SchemaError
from landuse.findings import Finding, get_findings
from landuse.rules import RuleSet, load_rules
from landuse.units import m2_to_ha

if TYPE_CHECKING:  # the run's read phase fills it; the county itself opens no raster
    from landuse.rasters import LandCover

__all__ = [
    "LEVELS",
    "TOWNSHIP_POLICIES",
    "By",
    "County",
    "Prepared",
    "TownshipPolicy",
    "Vintage",
    "assign_townships",
    "class_rows",
    "code_prefix",
    "factorised",
    "levels_for",
    "prepare",
    "prepare_county",
    "reported_zones",
    "township_polygons",
    "zone_columns",
    "zone_index",
    "zone_sums",
]

By = Literal["county", "township", "village"]
TownshipPolicy = Literal["zldwdm", "xzq"]
TOWNSHIP_POLICIES: tuple[str, ...] = ("zldwdm", "xzq")
LEVELS: tuple[str, ...] = ("county", "township", "village")
_LEVEL_LENGTH = {"county": 6, "township": 9, "village": 12}
_CLASS_FIELDS = ("DLBM", "TBDLMJ", "KCDLBM", "KCMJ", "CZCSXM")
_EXAMPLES = 5


def levels_for(by: str) -> tuple[str, ...]:
    """Zone levels reported for ``by``: the county always, then down to ``by``."""
    if by not in _LEVEL_LENGTH:
        raise ValueError(f"by must be one of {list(LEVELS)}, got {by!r}")
    return LEVELS[: LEVELS.index(by) + 1]



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


def reported_zones(rows: pd.DataFrame, levels: tuple[str, ...],
                   extra_zones: Iterable[str] = ()) -> pd.Index:
    """Zones reported for class rows: those present, plus ``extra_zones`` of a reported level.

    Only extra codes whose county is in the data are added (e.g. every XZQ township, so a
    township without a patch still gets its rows); county first, then by code.
    """
    zones = zone_index(rows, levels)
    counties = {z for z in zones if len(z) == 6}
    wanted = {_LEVEL_LENGTH[lv] for lv in levels}
    extra = {str(z) for z in extra_zones if len(str(z)) in wanted and str(z)[:6] in counties}
    if extra - set(zones):
        zones = pd.Index(sorted(set(zones) | extra, key=lambda z: (len(z), z)), name="zone",
                         dtype=object)
    return zones


def prepare(
    lu: pd.DataFrame | Prepared,
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

    A :class:`Prepared` is returned as it is (the run prepares each vintage once and
    hands the result to every indicator function); with other ``rules`` it is the same
    class rows under those rules. Its zone levels must be those of ``by``.
    """
    ruleset = load_rules(rules)
    levels = levels_for(by)
    if isinstance(lu, Prepared):
        if lu.levels != levels:
            raise ValueError(f"{what}: prepared for the levels {list(lu.levels)}, but "
                             f"by={by!r} asks for {list(levels)}; prepare the frame again")
        if lu.rules.label == ruleset.label:
            return lu
        return Prepared(rows=lu.rows, total_m2=lu.total_m2, zones=lu.zones,
                        levels=lu.levels, rules=ruleset)
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
    zones = reported_zones(rows, levels, extra_zones)
    zcols = zone_columns(lu, levels, what=what)
    total = zone_sums(zcols, tbmj.to_numpy(float), levels=levels, zones=zones)
    return Prepared(rows=rows, total_m2=total, zones=zones, levels=levels, rules=ruleset)




# --- the township policy ----------------------------------------------------------------


def _containing_township(lu: pd.DataFrame, townships: pd.DataFrame) -> np.ndarray:
    """XZQ code of the township polygon containing each patch's representative point.

    ``None`` where no township contains it; the first township in layer order wins where
    township polygons overlap.
    """
    if "zone" not in townships.columns:
        raise SchemaError("townships: expected the frame of landuse.io.vector.read_townships "
                          "with a 'zone' column (XZQDM)")
    if townships.crs != lu.crs:
        raise CRSError(f"townships are in {townships.crs}, the land-use layer in {lu.crs}; "
                       "read both with the same working_crs")
    # a tree of the patch points, queried by each township polygon: a few complex polygons
    # against many points is much faster this way round
    pts = shapely.point_on_surface(np.asarray(lu.geometry.array, dtype=object))
    town_idx, pt_idx = shapely.STRtree(pts).query(
        np.asarray(townships.geometry.array, dtype=object), predicate="contains")
    order = np.lexsort((town_idx, pt_idx))
    town_idx, pt_idx = town_idx[order], pt_idx[order]
    first = np.r_[True, pt_idx[1:] != pt_idx[:-1]] if len(pt_idx) else np.zeros(0, bool)
    codes = np.full(len(lu), None, dtype=object)
    codes[pt_idx[first]] = townships["zone"].astype(str).to_numpy()[town_idx[first]]
    return codes


def _tbmj_ha(lu: pd.DataFrame, mask: np.ndarray) -> float:
    """Σ TBMJ of the masked patches in ha (NaN without TBMJ)."""
    if "TBMJ" not in lu.columns:
        return float("nan")
    return float(m2_to_ha(pd.to_numeric(lu["TBMJ"], errors="coerce").to_numpy()[mask].sum()))


def _ids(lu: pd.DataFrame, mask: np.ndarray) -> list[str]:
    ids = lu["BSM"] if "BSM" in lu.columns else pd.Series(lu.index, index=lu.index)
    return [str(v) for v in ids.to_numpy()[mask][:_EXAMPLES]]


def assign_townships(
    lu: pd.DataFrame,
    townships: pd.DataFrame | None = None,
    *,
    policy: TownshipPolicy = "zldwdm",
) -> gpd.GeoDataFrame:
    """Return a copy of ``lu`` whose ``county`` / ``township`` / ``village`` follow ``policy``.

    Parameters
    ----------
    lu : GeoDataFrame
        Normalised land-use frame (:func:`landuse.io.vector.read_landuse`).
    townships : GeoDataFrame, optional
        The XZQ layer (:func:`landuse.io.vector.read_townships`: ``zone``, ``zone_name``) in
        the same CRS. Required for ``policy="xzq"``; with ``"zldwdm"`` it is only compared.
    policy : {"zldwdm", "xzq"}, default "zldwdm"
        ``"zldwdm"``: the township is ``ZLDWDM[:9]`` (坐落单位代码; the official statistics
        aggregate by it); a patch without a 9-digit ZLDWDM takes the XZQ township
        containing it, when ``townships`` is given (finding ``township_from_xzq``).
        ``"xzq"``: the XZQ polygon containing the patch's representative
        point (the 三调 splits patches at township boundaries, so a patch lies in one
        township); a patch outside every township keeps ``ZLDWDM[:9]`` (finding
        ``patch_outside_townships``).

    Returns
    -------
    GeoDataFrame
        A copy with ``county`` (6 digits), ``township`` (9) and ``village`` (12; kept only
        where ``ZLDWDM[:9]`` is the assigned township, else ``""``) and
        ``attrs['township_policy']``. ``attrs['findings']`` gains, when ``townships`` is
        given, ``township_code_mismatch`` (patches whose ZLDWDM township is not the XZQ
        polygon containing them: count, area and the first BSMs) whatever the policy.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> lu = gpd.GeoDataFrame({"BSM": ["1"], "TBMJ": [1.0],
    ...                        "ZLDWDM": ["3703211000010000000"]},
    ...                       geometry=[box(0, 0, 1, 1)], crs="EPSG:4527")
    >>> assign_townships(lu)["township"].tolist()
    ['370321100']
    """
    if policy not in TOWNSHIP_POLICIES:
        raise ConfigError(f"township policy must be one of {list(TOWNSHIP_POLICIES)}, "
                          f"found {policy!r} (options.township)")
    if policy == "xzq" and townships is None:
        raise ConfigError('township = "xzq" needs the XZQ (行政区) townships layer '
                          "([layers.townships]); give it or use the default \"zldwdm\"")
    n = len(lu)
    if "ZLDWDM" in lu.columns:
        zl9 = factorised(lu["ZLDWDM"], functools.partial(code_prefix, n=9))
        zl12 = factorised(lu["ZLDWDM"], functools.partial(code_prefix, n=12))
    else:
        zl9 = zl12 = np.full(n, "", dtype=object)
    findings: list[Finding] = []
    src = dict(lu.attrs.get("source", {}) or {})
    where = ":".join(str(src[k]) for k in ("path", "layer") if src.get(k))
    township = zl9.astype(object)
    if townships is not None and n:
        codes = _containing_township(lu, townships)
        inside = np.array([c is not None for c in codes], dtype=bool)
        differ = inside & (zl9 != "") & (np.where(inside, codes, zl9) != zl9)
        if differ.any():
            area_ha = _tbmj_ha(lu, differ)
            used = ("the XZQ township is used (options.township = \"xzq\")"
                    if policy == "xzq" else
                    "the ZLDWDM township is used (options.township = \"zldwdm\")")
            findings.append(Finding(
                code="township_code_mismatch", count=int(differ.sum()), severity="warning",
                message=f"{int(differ.sum())} patch(es), {area_ha:.2f} ha, have a ZLDWDM "
                        "(坐落单位代码) township other than the XZQ (行政区) township "
                        f"containing them; {used}",
                source=where, examples=_ids(lu, differ)))
        no_code = np.array([len(str(z)) != 9 for z in zl9], dtype=bool)
        fill = no_code & inside
        if policy == "zldwdm" and fill.any():
            area_ha = _tbmj_ha(lu, fill)
            findings.append(Finding(
                code="township_from_xzq", count=int(fill.sum()), severity="warning",
                message=f"{int(fill.sum())} patch(es), {area_ha:.2f} ha, have no 9-digit "
                        "ZLDWDM (坐落单位代码) township; the XZQ (行政区) township containing "
                        "them is used. Fill ZLDWDM to make the figures official",
                source=where, examples=_ids(lu, fill)))
            township = np.where(fill, codes, zl9).astype(object)
        if policy == "xzq":
            outside = ~inside
            if outside.any():
                findings.append(Finding(
                    code="patch_outside_townships", count=int(outside.sum()),
                    message=f"{int(outside.sum())} patch(es) lie outside every township of "
                            "the XZQ layer (行政区); their township is taken from ZLDWDM[:9]",
                    source=where, examples=_ids(lu, outside)))
            township = np.where(inside, codes, zl9).astype(object)
    county = np.array([str(t)[:6] for t in township], dtype=object) if n else township
    village_ok = np.array([str(v)[:9] for v in zl12], dtype=object) == township if n \
        else np.zeros(0, bool)
    out = lu.copy()
    out["township"] = pd.Series(township, index=lu.index, dtype=object)
    out["county"] = pd.Series(county, index=lu.index, dtype=object)
    out["village"] = pd.Series(np.where(village_ok, zl12, ""), index=lu.index, dtype=object)
    out.attrs = {**lu.attrs, "township_policy": policy,
                 "findings": [*get_findings(lu), *findings]}
    return out


def township_polygons(
    lu: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame | None = None,
    *,
    policy: TownshipPolicy = "zldwdm",
) -> gpd.GeoDataFrame:
    """Township polygons of the policy: ``zone``, ``zone_name``, geometry, sorted by zone.

    With ``policy="xzq"`` they are the XZQ polygons. With ``"zldwdm"`` they are the union
    of the patches of each township (``lu`` must already carry the policy's ``township``,
    see :func:`assign_townships`), so that a mining right or a control-line piece gets
    the township that the patches under it are counted in; names come from ``townships``
    when given.
    """
    names = ({str(z): str(n) for z, n in zip(townships["zone"], townships["zone_name"],
                                             strict=True)}
             if townships is not None and "zone_name" in townships.columns else {})
    if policy == "xzq":
        if townships is None:
            raise ConfigError('township = "xzq" needs the XZQ (行政区) townships layer')
        out = townships[["zone", "zone_name", "geometry"]].sort_values("zone")
        return out.reset_index(drop=True)
    parts = lu.loc[lu["township"].astype(str) != "", ["township", "geometry"]]
    try:  # fast when the patches form a clean coverage, as a 三调 layer should
        dissolved = parts.dissolve(by="township", method="coverage").reset_index()
    except shapely.errors.GEOSException:  # not noded (e.g. repaired patches): general union
        dissolved = parts.dissolve(by="township").reset_index()
    zones = dissolved["township"].astype(str)
    return gpd.GeoDataFrame({"zone": zones, "zone_name": zones.map(lambda z: names.get(z, z)),
                             "geometry": dissolved.geometry}, crs=lu.crs)


# --- the prepared county ------------------------------------------------------------------


@dataclass
class Vintage:
    """One survey vintage, prepared: the frame (township by policy) and its class rows."""

    landuse: gpd.GeoDataFrame
    prepared: Prepared
    year: int | None = None


@dataclass
class County:
    """Every input of one run, read and prepared once (the run's only model of the county).

    Attributes
    ----------
    landuse : GeoDataFrame
        The report year's normalised DLTB frame, ``township`` by the policy.
    working_crs : str
        The projected CRS every layer was read into.
    layers, tables : dict
        Every other layer (townships, control lines, protected areas, mining rights,
        ``landuse_previous``, ``land_supply_parcels`` ...) and table, by config role.
    sources : list of dict
        Provenance of every input file (one hash per file).
    findings : list of Finding
        The findings of reading and preparing.
    policy : {"zldwdm", "xzq"}
        The township policy.
    rules : RuleSet
        The aggregate rule set.
    prepared, previous : Prepared, Vintage or None
        The class-row reduction of the report year (by township, every XZQ township
        reported), and the previous vintage prepared the same way.
    targets : list or None
        The parsed targets.
    landcover : LandCover or None
        The land-cover raster source and its class table, opened and read in the read
        phase (:func:`landuse.rasters.open_landcover`).
    """

    landuse: gpd.GeoDataFrame
    working_crs: str
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    policy: TownshipPolicy = "zldwdm"
    rules: RuleSet | None = None
    prepared: Prepared | None = None
    previous: Vintage | None = None
    targets: Any = None
    landcover: LandCover | None = None
    code: str = ""
    name: str = ""
    _zones: gpd.GeoDataFrame | None = field(default=None, repr=False)

    @property
    def townships(self) -> gpd.GeoDataFrame | None:
        """The XZQ layer, when configured."""
        return self.layers.get("townships")

    @property
    def zones(self) -> gpd.GeoDataFrame:
        """Township polygons of the policy (:func:`township_polygons`), built once."""
        if self._zones is None:
            self._zones = township_polygons(self.landuse, self.townships, policy=self.policy)
        return self._zones

    @property
    def zone_names(self) -> dict[str, str]:
        """Zone code -> name: the county's, then the XZQ townships'."""
        names = {self.code: self.name} if self.code else {}
        towns = self.townships
        if towns is not None:
            names.update({str(z): str(n) for z, n in zip(towns["zone"], towns["zone_name"],
                                                         strict=True)})
        return names


def prepare_county(county: County, *, previous_year: int | None = None) -> County:
    """Assign townships by the county's policy and build the class rows of both vintages.

    Called once by the run's read phase; returns ``county`` completed in place.
    """
    towns = county.townships
    rules = county.rules or load_rules()
    county.rules = rules
    extra = towns["zone"].astype(str).tolist() if towns is not None else []
    lu = assign_townships(county.landuse, towns, policy=county.policy)
    county.findings.extend(get_findings(lu)[len(get_findings(county.landuse)):])
    county.landuse = lu
    county.prepared = prepare(lu, rules=rules, what="land use", extra_zones=extra)
    prev = county.layers.get("landuse_previous")
    if prev is not None:
        before = len(get_findings(prev))
        prev = assign_townships(prev, towns, policy=county.policy)
        county.findings.extend(get_findings(prev)[before:])
        county.layers["landuse_previous"] = prev
        county.previous = Vintage(prev, prepare(prev, rules=rules, what="previous vintage",
                                               extra_zones=extra), previous_year)
    return county
