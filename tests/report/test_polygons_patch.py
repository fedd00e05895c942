"""The redline map draws a layer as one compound path: holes stay holes, parts stay parts."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.path import Path
from shapely.geometry import MultiPolygon, Polygon, box

from landuse.report.maps import polygons_patch


def _pixel(fig: Figure, ax, x: float, y: float) -> tuple[int, int, int]:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    img = np.asarray(canvas.buffer_rgba())
    px, py = ax.transData.transform((x, y))
    return tuple(int(v) for v in img[img.shape[0] - 1 - int(py), int(px), :3])


def test_holes_and_parts_of_one_compound_path() -> None:
    # a 10 x 10 square with a 4 x 4 hole, both rings clockwise (under the non-zero fill
    # rule the hole would be filled unless the rings are re-oriented), and a separate
    # 2 x 2 square; None and empty are skipped
    shell = [(0, 0), (0, 10), (10, 10), (10, 0)]  # clockwise
    hole = [(3, 3), (3, 7), (7, 7), (7, 3)]  # clockwise too
    geoms = [Polygon(shell, [hole]), None, Polygon(),
             MultiPolygon([box(20, 0, 22, 2)])]
    patch = polygons_patch(geoms, 0.0, facecolor="#ff0000", edgecolor="none")
    assert patch is not None
    path = patch.get_path()
    # three rings: 5 + 5 + 5 vertices (each ring closed), one MOVETO and one CLOSEPOLY each
    assert len(path.vertices) == 15
    assert (path.codes == Path.MOVETO).sum() == 3
    assert (path.codes == Path.CLOSEPOLY).sum() == 3
    fig = Figure(figsize=(3, 1), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-1, 23)
    ax.set_ylim(-1, 11)
    ax.set_axis_off()
    ax.add_patch(patch)
    red, white = (255, 0, 0), (255, 255, 255)
    assert _pixel(fig, ax, 1.5, 1.5) == red  # in the square, outside the hole
    assert _pixel(fig, ax, 5.0, 5.0) == white  # in the hole
    assert _pixel(fig, ax, 21.0, 1.0) == red  # the separate part
    assert _pixel(fig, ax, 15.0, 5.0) == white  # between them


def test_nothing_to_draw() -> None:
    assert polygons_patch([None, Polygon()], 1.0) is None
