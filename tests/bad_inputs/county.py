"""A small cut of the sample county, written as a complete run folder (config + inputs).

The catalogue of bad inputs (``cases.py``) starts every case from a copy of this folder.
The cut keeps the land-use patches whose centroid lies in a 3 km square in the middle of
the county (about 400 patches), the previous vintage and the permanent farmland in the
same square, and every small layer and table as it is, so that ``landuse run`` on the cut
takes a few seconds and still exercises every reader.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import shapely

__all__ = ["SAMPLE", "build_base", "config_text"]

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
GPKG = "county.gpkg"
#: layers kept whole (they are small)
WHOLE = ("XZQ", "KYQ", "ZRBHD", "STBHHX", "CZKFBJ", "GBZNT")
SIDE_M = 3000.0


def _box(dltb: gpd.GeoDataFrame) -> shapely.Polygon:
    x0, y0, x1, y1 = dltb.total_bounds
    ox, oy = x0 + (x1 - x0) * 0.45, y0 + (y1 - y0) * 0.45
    return shapely.box(ox, oy, ox + SIDE_M, oy + SIDE_M)


def config_text(*, landuse_path: str = GPKG, landuse_layer: str | None = "DLTB",
                extra_landuse: str = "", year: int = 2022, options: str = "",
                full: bool | tuple[str, ...] = False) -> str:
    """The run config of the cut (contract §2); arguments replace single entries.

    ``full=False`` (lean): the land-use layer and the townships only, for the cases about
    the land-use layer (a run takes half the time); ``full=True``: every input; a tuple
    of roles (``("urban_boundary",)``): those besides the lean ones.
    """
    layer = f'layer = "{landuse_layer}"\n' if landuse_layer else ""
    head = f"""[region]
name = "桓台县"
code = "370321"
year = {year}

[layers.landuse]
path = "{landuse_path}"
{layer}scheme = "sandiao"
year = 2022
{extra_landuse}
[layers.townships]
path = "{GPKG}"
layer = "XZQ"
"""
    tail = f"""
[options]
area = "official"
sliver_m2 = 1.0
evaluation_date = "2022-12-31"
{options}"""
    if full is False:
        return head + tail
    blocks = FULL_LAYERS.split("\n\n[")
    if full is not True:
        blocks = [b for b in blocks if b.split("]")[0].split(".")[-1] in full]
    return head + "\n[" + "\n\n[".join(b.lstrip("\n[") for b in blocks) + tail


FULL_LAYERS = f"""
[layers.ecological_redline]
path = "{GPKG}"
layer = "STBHHX"

[layers.permanent_farmland]
path = "{GPKG}"
layer = "YJJBNTBHTB"

[layers.urban_boundary]
path = "{GPKG}"
layer = "CZKFBJ"

[layers.protected_areas]
path = "{GPKG}"
layer = "ZRBHD"

[layers.mining_rights]
path = "{GPKG}"
layer = "KYQ"

[layers.high_standard_farmland]
path = "{GPKG}"
layer = "GBZNT"

[layers.landuse_previous]
path = "previous.gpkg"
layer = "DLTB"
year = 2021

[rasters.landcover]
path = "landcover.tif"
classes = "landcover_classes.csv"

[tables.socioeconomic]
path = "stats.csv"

[tables.land_supply]
path = "supply.csv"

[targets]
path = "targets.toml"
"""


def build_base(folder: Path) -> Path:
    """Write the cut into ``folder`` (created); return the config's path."""
    folder.mkdir(parents=True, exist_ok=True)
    src = SAMPLE / "huantai.gpkg"
    dltb = gpd.read_file(src, layer="DLTB")
    box = _box(dltb)
    keep = dltb.geometry.centroid.within(box)
    dltb[keep].reset_index(drop=True).to_file(folder / GPKG, layer="DLTB")
    for name in WHOLE:
        gpd.read_file(src, layer=name).to_file(folder / GPKG, layer=name)
    farm = gpd.read_file(src, layer="YJJBNTBHTB")
    farm[farm.geometry.intersects(box)].reset_index(drop=True).to_file(
        folder / GPKG, layer="YJJBNTBHTB")
    prev = gpd.read_file(SAMPLE / "huantai_2021.gpkg", layer="DLTB")
    prev[prev.geometry.centroid.within(box)].reset_index(drop=True).to_file(
        folder / "previous.gpkg", layer="DLTB")
    for name in ("landcover.tif", "landcover_classes.csv", "stats.csv", "supply.csv",
                 "targets.toml"):
        shutil.copyfile(SAMPLE / name, folder / name)
    config = folder / "config.toml"
    config.write_text(config_text(), encoding="utf-8")
    return config
