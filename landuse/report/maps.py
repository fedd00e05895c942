"""Maps and charts for the report, drawn with matplotlib into inline PNG data URIs.

No pyplot state is used (figures are created with :class:`matplotlib.figure.Figure`), and
no remote tiles: the report opens offline. Chinese labels need a CJK font; when none is
installed (Debian: ``fonts-noto-cjk``) the labels fall back to English and codes instead
of drawing empty boxes, and :func:`cjk_font` returns ``None`` so the report can say so.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Final
from unicodedata import east_asian_width

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import font_manager, patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from landuse.report.labels import LABELS

__all__ = ["choropleth", "cjk_font", "class_area_chart", "figure_data_uri", "polygons_patch",
           "redline_map"]

_CJK_NAMES: Final = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                     "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
                     "Noto Serif CJK SC", "AR PL UMing CN")
_CJK_FILE_HINTS: Final = ("cjk", "wqy", "sourcehan", "simhei", "msyh", "pingfang", "uming")
SANDALEI_COLOURS: Final = {"农用地": "#7fbf7b", "建设用地": "#e08060", "未利用地": "#c2a5cf"}
_HALO: Final = [patheffects.withStroke(linewidth=2.5, foreground="white")]
SANDALEI_EN: Final = {"农用地": "agricultural", "建设用地": "construction", "未利用地": "unused"}


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Return the name of an installed font that draws Chinese, or ``None``.

    Fonts installed after matplotlib built its cache are registered on the fly
    (``font_manager.fontManager.addfont``).
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in _CJK_NAMES:
        if name in names:
            return name
    for path in font_manager.findSystemFonts():
        if any(h in path.lower().replace(" ", "") for h in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # unreadable font file: skip it
                continue
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_NAMES if n in names), None)


@contextmanager
def _style() -> Iterator[bool]:
    """Matplotlib settings for every figure; yields whether Chinese labels can be drawn."""
    font = cjk_font()
    rc: dict[str, Any] = {"font.size": 9, "axes.titlesize": 11, "axes.unicode_minus": False}
    if font is not None:
        rc["font.sans-serif"] = [font, "DejaVu Sans"]
        rc["font.family"] = "sans-serif"
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        yield font is not None


def figure_data_uri(fig: Figure, *, dpi: int = 110) -> str:
    """Render a figure as a ``data:image/png;base64,...`` URI (self-contained HTML)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _map_axes(fig: Figure, zones: gpd.GeoDataFrame, rect: tuple[float, float, float, float]
              ) -> Axes:
    """Return a map axes in a fixed rectangle of the figure (left, bottom, width, height).

    The figures use fixed rectangles rather than matplotlib's constrained layout: their
    parts never change, and the layout solver cost as much as drawing the map.
    """
    ax = fig.add_axes(rect)
    ax.set_aspect("equal")
    ax.set_axis_off()
    xmin, ymin, xmax, ymax = zones.total_bounds
    pad = 0.03 * max(xmax - xmin, ymax - ymin, 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    return ax


def _scale_bar(ax: Axes, zones: gpd.GeoDataFrame) -> None:
    """Draw a km scale bar (the working CRS is projected, in metres)."""
    xmin, ymin, xmax, _ = zones.total_bounds
    span = xmax - xmin
    target_km = max(span / 5.0 / 1000.0, 1e-3)  # about a fifth of the map's width
    decade = 10.0 ** np.floor(np.log10(target_km))
    km = max(m * decade for m in (1.0, 2.0, 5.0) if m * decade <= target_km)
    length = km * 1000.0
    x0, y0 = xmin, ymin - 0.015 * span
    ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=2)
    ax.text(x0 + length / 2, y0 - 0.012 * span, f"{km:g} km", ha="center", va="top", fontsize=7)


def _north_arrow(ax: Axes, chinese: bool) -> None:
    """Draw a north arrow in the top-left corner (grid north: the CRS is a GK projection)."""
    ax.annotate("北\nN" if chinese else "N", xy=(0.05, 0.97), xytext=(0.05, 0.84),
                xycoords="axes fraction", textcoords="axes fraction", ha="center", va="top",
                fontsize=8, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.4})


def _text(title: tuple[str, str], chinese: bool) -> str:
    """Chinese title over the wrapped English one, or the English one alone."""
    en = "\n".join(textwrap.wrap(title[1], 48))
    return f"{title[0]}\n{en}" if chinese else en


_UNIT_EN: Final = {"万元/亩": "10k yuan/mu", "m²/万元": "m²/10k yuan", "个": "count"}


def choropleth(zones: gpd.GeoDataFrame, values: pd.Series, *, title: tuple[str, str], unit: str,
               labels: Mapping[str, str] | None = None, cmap: str = "YlOrRd") -> str:
    """Map one indicator by township as a PNG data URI.

    Parameters
    ----------
    zones : GeoDataFrame
        Township polygons with a ``zone`` column (projected CRS, metres).
    values : Series
        Indicator values indexed by zone code; zones without a value are hatched grey.
    title : (str, str)
        Map title in Chinese and English.
    unit : str
        The unit shown on the colour bar.
    labels : mapping, optional
        Zone code -> label drawn at each township (e.g. its name).
    cmap : str
        Matplotlib colour map.
    """
    with _style() as chinese:
        fig = Figure(figsize=(5.2, 4.6))
        ax = _map_axes(fig, zones, (0.02, 0.02, 0.80, 0.82))
        ax.set_anchor("E")  # next to the colour bar, whatever the county's shape
        vals = pd.to_numeric(zones["zone"].map(values), errors="coerce")
        have = vals.notna().to_numpy()
        if (~have).any():
            zones[~have].plot(ax=ax, color="#eeeeee", edgecolor="#999999", hatch="///",
                              linewidth=0.5)
        if have.any():
            finite = vals[have].to_numpy(dtype=float)
            lo, hi = float(finite.min()), float(finite.max())
            if hi <= lo:  # one value everywhere: centre it in the colour range
                pad = max(abs(lo) * 0.05, 1.0)
                lo, hi = lo - pad, hi + pad
            norm = Normalize(vmin=lo, vmax=hi)
            zones[have].assign(_v=finite).plot(ax=ax, column="_v", cmap=cmap, norm=norm,
                                               edgecolor="white", linewidth=0.8)
            bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap),
                               cax=fig.add_axes((0.86, 0.16, 0.035, 0.58)))
            bar.set_label(unit if chinese else _UNIT_EN.get(unit, unit))
        for zone, point in zip(zones["zone"], zones.geometry.representative_point(),
                               strict=True):
            text = (labels or {}).get(zone, zone) if chinese else zone[-3:]
            ax.annotate(text, (point.x, point.y), ha="center", va="center", fontsize=7,
                        color="#111111", path_effects=_HALO)
        _scale_bar(ax, zones)
        _north_arrow(ax, chinese)
        ax.set_title(_text(title, chinese))
        return figure_data_uri(fig)


#: one colour per redline check (face, edge), distinct from the protected-area green and the
#: mining-right blue
CHECK_COLOURS: Final = {
    "mining_protected": ("#d7191c", "#a50f15"),
    "eco_redline_construction": ("#8e44ad", "#5b2c6f"),
    "farmland_nonfarm": ("#fdae61", "#e66101"),
    "outside_urban_boundary": ("#a6611a", "#6b3e10"),
    "line_conflict": ("#e7298a", "#980043"),
}


def redline_map(zones: gpd.GeoDataFrame, *, protected: gpd.GeoDataFrame | None,
                rights: gpd.GeoDataFrame | None, conflicts: gpd.GeoDataFrame | None,
                violations: gpd.GeoDataFrame | None = None,
                title: tuple[str, str]) -> str:
    """Map protected areas, mining rights and their overlaps (the evidence) as a PNG data URI.

    Parameters
    ----------
    zones : GeoDataFrame
        Township polygons (background and extent).
    protected, rights, conflicts : GeoDataFrame or None
        Protected areas, mining-right polygons, and the conflict geometries (overlaps);
        all in the CRS of ``zones``.
    violations : GeoDataFrame or None
        Control-line violations (the parts of patches inside the ecological redline, in
        permanent farmland, outside the urban boundary ...), one colour per ``check``
        (:data:`CHECK_COLOURS`).
    title : (str, str)
        Map title in Chinese and English.
    """
    with _style() as chinese:
        fig = Figure(figsize=(7.0, 6.8))
        ax = _map_axes(fig, zones, (0.02, 0.22, 0.96, 0.68))
        xmin, ymin, xmax, ymax = zones.total_bounds
        tolerance = max(xmax - xmin, ymax - ymin) / 1000  # finer than a pixel at 110 dpi
        ax.add_patch(polygons_patch(zones.geometry.array, tolerance, facecolor="#f7f7f7",
                                    edgecolor="#aaaaaa", linewidth=0.6))
        handles = []

        def name(kind: str, value: str, zh: str, en: str) -> str:
            if kind:
                zh, en = LABELS["check"].get(value, (value, value))
            return f"{zh} {en}" if chinese else en

        layers: list[tuple[gpd.GeoDataFrame | None, str, str, str]] = [
            (protected, "#a6dba0", "#1b7837", name("", "", "保护地", "protected area"))]
        for frame in (violations, conflicts):
            if frame is None or frame.empty:
                continue
            checks = frame["check"] if "check" in frame.columns else pd.Series(
                "mining_protected", index=frame.index)
            for check in [c for c in CHECK_COLOURS if c in set(checks)]:
                face, edge = CHECK_COLOURS[check]
                layers.append((frame[checks == check], face, edge, name("check", check, "", "")))
        layers.insert(1, (rights, "none", "#2166ac", name("", "", "矿业权", "mining right")))
        for frame, face, edge, label in layers:
            if frame is None or frame.empty:
                continue
            patch = polygons_patch(frame.geometry.array, tolerance, facecolor=face,
                                   edgecolor=edge, linewidth=0.9, alpha=0.85)
            if patch is None:
                continue
            ax.add_patch(patch)
            handles.append(Patch(facecolor=face, edgecolor=edge, label=label))
        if handles:  # below the map, never over the county outline
            fig.legend(handles=handles, loc="lower center", ncols=1, fontsize=8.5,
                       frameon=False)
        _north_arrow(ax, chinese)
        _scale_bar(ax, zones)
        ax.set_title(_text(title, chinese))
        return figure_data_uri(fig)


def polygons_patch(geoms: Any, tolerance: float, **style: Any) -> PathPatch | None:
    """Draw polygons as one compound path (one patch), or ``None`` when there is none.

    ``geopandas.GeoDataFrame.plot`` builds one patch per polygon in Python; a county's
    redline layer has thousands. Here the rings are simplified to ``tolerance`` (topology
    kept, so no polygon vanishes), oriented (exteriors counter-clockwise, holes clockwise,
    which the non-zero fill rule draws as holes) and joined into one path with
    vectorised coordinate arrays.
    """
    g = np.asarray(geoms, dtype=object)
    g = g[~(shapely.is_missing(g) | shapely.is_empty(g))]
    g = shapely.get_parts(g)
    g = g[np.isin(shapely.get_type_id(g), (3,))]  # polygons (parts of multipolygons too)
    if len(g) == 0:
        return None
    if tolerance > 0:
        g = shapely.simplify(g, tolerance, preserve_topology=True)
    g = shapely.orient_polygons(g, exterior_cw=False)
    rings = shapely.get_rings(g)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
    first = np.r_[True, ring[1:] != ring[:-1]]
    codes[first] = MplPath.MOVETO
    codes[np.r_[first[1:], True]] = MplPath.CLOSEPOLY
    return PathPatch(MplPath(xy, codes), **style)


def class_area_chart(level1: pd.DataFrame, *, title: tuple[str, str]) -> str:
    """Bar chart of county area by first-level class, coloured by 三大类, as a PNG data URI.

    Parameters
    ----------
    level1 : DataFrame
        Columns ``level1`` (code), ``name_zh``, ``sandalei``, ``area_ha``; one row per class.
    title : (str, str)
        Chart title in Chinese and English.
    """
    with _style() as chinese:
        data = level1.sort_values("area_ha", ascending=True)
        names = [f"{c} {n}" if chinese else str(c) for c, n in
                 zip(data["level1"], data["name_zh"], strict=True)]
        # fixed margins in inches (no layout solver): the labels' width from their
        # characters (a CJK character is one em of the 9 pt font, others about half)
        width, height = 6.4, 0.32 * len(data) + 1.4
        em = 9 / 72
        label_in = max((sum(1.0 if east_asian_width(ch) in "WF" else 0.6 for ch in n)
                        for n in names), default=0.0) * em
        left, right, top, bottom = label_in + 0.2, 0.65, 0.62, 0.5
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((left / width, bottom / height, 1 - (left + right) / width,
                           1 - (top + bottom) / height))
        colours = [SANDALEI_COLOURS.get(s, "#999999") for s in data["sandalei"]]
        ax.barh(names, data["area_ha"], color=colours)
        for y, v in enumerate(data["area_ha"]):
            ax.text(v, y, f" {v:,.0f}", va="center", fontsize=7)
        ax.set_xlabel("面积 area (ha)" if chinese else "area (ha)")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(handles=[Patch(color=c, label=(f"{k} {SANDALEI_EN[k]}" if chinese
                                                 else SANDALEI_EN[k]))
                           for k, c in SANDALEI_COLOURS.items()], loc="lower right",
                  fontsize=7)
        ax.set_title(_text(title, chinese))
        return figure_data_uri(fig)
