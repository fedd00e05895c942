"""Make the previous survey vintage (2021) and the land-cover raster of the sample county.

Everything is synthetic and seeded: the 2021 vintage is derived from the 2022 DLTB layer
of ``huantai.gpkg`` (written by ``make_sample.py``) by undoing a year of plausible change:

* new factories (0601) and new roads (1003) were farmland in 2021; a factory next to a
  farmland patch was part of that patch in 2021 (one 2021 patch, split in 2022);
* village consolidation and farmland compensation: some 2022 farmland next to villages was
  rural homestead land (0702, CZCSXM 203) in 2021;
* stock land revitalised: some 2022 commercial / residential patches in towns were vacant
  land (1201) or old industrial land (0601) in 2021;
* boundary jitter: every 2021 coordinate is snapped to a 5 cm grid (re-digitising noise),
  so the vintages disagree along boundaries by up to 2.5 cm.

The 2021 layer keeps the schema of the 2022 one; TBMJ of merged patches is the sum of the
parts' TBMJ (ellipsoidal areas add up), KCMJ = TBMJ × KCXS and TBDLMJ = TBMJ − KCMJ.

It also rasterises the 2022 layer into ``landcover.tif`` (10 m, EPSG:4527, uint8, tiled,
deflate, nodata 0) with six classes described by ``landcover_classes.csv``.

Usage::

    python sample_data/make_vintage.py                     # the committed sample files
    python sample_data/make_vintage.py --current sample_data/large/large_county.gpkg \\
        --out sample_data/large/large_county_2021.gpkg --no-raster
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from affine import Affine
from rasterio.features import rasterize

HERE = Path(__file__).resolve().parent
FARMLAND = ("0101", "0102", "0103")
NAMES = {"0101": "水田", "0102": "水浇地", "0103": "旱地", "0702": "农村宅基地",
         "1201": "空闲地", "0601": "工业用地"}
FARM_FIELDS = ("GDLX", "GDPDJB", "TBXHDM", "ZZSXDM", "GDDB")
# target areas of each kind of change, as a share of the county's area (509 km² sample:
# factories ~ 75 ha, roads ~ 25 ha, consolidation ~ 110 ha, revitalised stock ~ 20 ha)
SHARES = {"factory": 1.5e-3, "road": 0.5e-3, "consolidation": 2.2e-3, "stock": 0.4e-3}
# land-cover classes: value, class, construction, name_zh
CLASSES = [(1, "cropland", False, "耕地"), (2, "tree_cover", False, "林地园地"),
           (3, "grassland", False, "草地"), (4, "water", False, "水域"),
           (5, "built_up", True, "建设用地"), (6, "other", False, "其他土地")]


def _codes(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "").map(lambda v: str(v).strip().upper())


def _pick(rng: np.random.Generator, idx: np.ndarray, area: np.ndarray, target: float) -> np.ndarray:
    """Random patches of ``idx`` until their area reaches ``target`` m²."""
    if idx.size == 0:
        return idx
    order = rng.permutation(idx)
    cum = np.cumsum(area[order])
    return order[: int(np.searchsorted(cum, target)) + 1]


def _set_code(df: pd.DataFrame, rows: np.ndarray, code: str, czcsxm: str | None,
              kcxs: float) -> None:
    df.loc[df.index[rows], "DLBM"] = code
    if "DLMC" in df:
        df.loc[df.index[rows], "DLMC"] = NAMES.get(code, "")
    if "CZCSXM" in df and czcsxm is not None:
        df.loc[df.index[rows], "CZCSXM"] = czcsxm
    if "KCXS" in df:
        df.loc[df.index[rows], "KCXS"] = kcxs
    if "KCDLBM" in df:
        df.loc[df.index[rows], "KCDLBM"] = "1203" if kcxs > 0 else ""


def derive_previous(cur: gpd.GeoDataFrame, *, seed: int, jitter_grid: float
                    ) -> tuple[gpd.GeoDataFrame, dict[str, float]]:
    """Return the previous vintage and the area (m²) of each kind of change."""
    rng = np.random.default_rng(seed)
    prev = cur.copy()
    dlbm, cz = _codes(cur["DLBM"]), _codes(cur.get("CZCSXM", pd.Series("", index=cur.index)))
    tbmj = cur["TBMJ"].to_numpy(float)
    total = tbmj.sum()
    farm = dlbm.isin(FARMLAND).to_numpy()
    farm_kcxs = float(np.median(cur.loc[farm, "KCXS"])) if "KCXS" in cur and farm.any() else 0.0
    geoms = np.asarray(cur.geometry.array, dtype=object)
    tree = shapely.STRtree(geoms)
    stats: dict[str, float] = {}
    used = np.zeros(len(cur), dtype=bool)

    # new factories and roads: farmland in 2021
    for kind, codes in (("factory", ("0601",)), ("road", ("1003",))):
        cand = np.flatnonzero(dlbm.isin(codes).to_numpy() & ~used)
        rows = _pick(rng, cand, tbmj, SHARES[kind] * total)
        used[rows] = True
        _set_code(prev, rows, "0102", "", farm_kcxs)
        stats[kind] = float(tbmj[rows].sum())
    # village consolidation: farmland next to villages was homestead land in 2021
    village = np.flatnonzero((dlbm == "0702").to_numpy() & cz.isin(["203"]).to_numpy())
    near = np.unique(tree.query(geoms[village], predicate="touches")[1]) if village.size else []
    cand = np.array([i for i in near if farm[i] and not used[i]], dtype=np.int64)
    rows = _pick(rng, cand, tbmj, SHARES["consolidation"] * total)
    used[rows] = True
    _set_code(prev, rows, "0702", "203", 0.0)
    stats["consolidation"] = float(tbmj[rows].sum())
    # stock land revitalised: town commerce / housing was vacant or old industry in 2021
    town = cz.isin(["201", "202"]).to_numpy()
    cand = np.flatnonzero(dlbm.isin(["05H1", "0701", "0508"]).to_numpy() & town & ~used)
    rows = _pick(rng, cand, tbmj, SHARES["stock"] * total)
    used[rows] = True
    half = rng.random(rows.size) < 0.5
    _set_code(prev, rows[half], "1201", None, 0.0)  # keeps the town's CZCSXM
    _set_code(prev, rows[~half], "0601", None, 0.0)
    stats["stock"] = float(tbmj[rows].sum())

    # donor farmland attributes for patches that are farmland only in 2021
    became_farm = _codes(prev["DLBM"]).isin(FARMLAND).to_numpy() & ~farm
    lost_farm = farm & ~_codes(prev["DLBM"]).isin(FARMLAND).to_numpy()
    if farm.any():
        donor = cur.loc[farm].iloc[0]
        for f in FARM_FIELDS:
            if f in prev:
                prev.loc[prev.index[became_farm], f] = donor[f]
                numeric = pd.api.types.is_numeric_dtype(prev[f])
                prev.loc[prev.index[lost_farm], f] = 0 if numeric else None
    # a new factory next to 2022 farmland was one farmland patch with it in 2021
    merged_into: dict[int, int] = {}
    factories = np.flatnonzero(used & dlbm.eq("0601").to_numpy())
    for i in factories:
        nb = [j for j in tree.query(geoms[i], predicate="touches")
              if farm[j] and not used[j] and j not in merged_into.values()]
        if nb and rng.random() < 0.6:
            merged_into[int(i)] = int(nb[0])
    keep = np.ones(len(prev), dtype=bool)
    new_geoms = geoms.copy()
    new_tbmj = tbmj.copy()
    for i, j in merged_into.items():
        new_geoms[j] = shapely.union(new_geoms[j], new_geoms[i])
        new_tbmj[j] += new_tbmj[i]
        keep[i] = False
    stats["merged_patches"] = float(len(merged_into))
    if jitter_grid > 0:
        new_geoms = shapely.make_valid(shapely.set_precision(new_geoms, jitter_grid))
        new_geoms = np.array([g if g.geom_type in ("Polygon", "MultiPolygon") else
                              shapely.unary_union([p for p in getattr(g, "geoms", [])
                                                   if p.geom_type in ("Polygon", "MultiPolygon")])
                              for g in new_geoms], dtype=object)
    prev = prev.set_geometry(gpd.GeoSeries(new_geoms, index=prev.index, crs=cur.crs))
    prev["TBMJ"] = np.round(new_tbmj, 2)
    if "KCXS" in prev:
        kcmj = np.round(prev["TBMJ"].to_numpy(float) * prev["KCXS"].to_numpy(float), 2)
        prev["KCMJ"] = kcmj
        prev["TBDLMJ"] = np.round(prev["TBMJ"].to_numpy(float) - kcmj, 2)
    prev = prev.loc[keep].reset_index(drop=True)
    return prev, stats


def write_landcover(cur: gpd.GeoDataFrame, tif: Path, csv: Path, *, pixel: float) -> None:
    """Rasterise the DLTB classes into six land-cover classes (pixel-centre rule)."""
    code = _codes(cur["DLBM"])
    from landuse.rules import code_table  # the package's own code table
    table = code_table()
    sandalei = code.map(table["sandalei"]).fillna("")
    level1 = code.map(table["level1"]).fillna("")
    value = np.full(len(cur), 6, dtype=np.uint8)
    value[(level1 == "01").to_numpy() | (code == "1203").to_numpy()] = 1
    value[level1.isin(["02", "03"]).to_numpy()] = 2
    value[code.isin(["0401", "0402", "0403", "0404"]).to_numpy()] = 3
    value[(level1 == "11").to_numpy() & (sandalei != "建设用地").to_numpy()] = 4
    value[(sandalei == "建设用地").to_numpy()] = 5
    x0, y0, x1, y1 = cur.total_bounds
    x0, y0 = np.floor(x0 / pixel) * pixel, np.floor(y0 / pixel) * pixel
    x1, y1 = np.ceil(x1 / pixel) * pixel, np.ceil(y1 / pixel) * pixel
    width, height = int(np.rint((x1 - x0) / pixel)), int(np.rint((y1 - y0) / pixel))
    transform = Affine(pixel, 0.0, x0, 0.0, -pixel, y1)
    data = rasterize(zip(cur.geometry.to_numpy(), value.tolist(), strict=True),
                     out_shape=(height, width), transform=transform, fill=0, dtype=np.uint8)
    profile = {"driver": "GTiff", "height": height, "width": width, "count": 1,
               "dtype": "uint8", "crs": cur.crs.to_wkt(), "transform": transform, "nodata": 0,
               "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate",
               "zlevel": 9}
    with rasterio.open(tif, "w", **profile) as dst:
        dst.write(data, 1)
    rows = [{"value": v, "class": c, "construction": "yes" if b else "no", "name_zh": z}
            for v, c, b, z in CLASSES]
    pd.DataFrame(rows).to_csv(csv, index=False, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--current", type=Path, default=HERE / "huantai.gpkg")
    parser.add_argument("--layer", default="DLTB")
    parser.add_argument("--out", type=Path, default=HERE / "huantai_2021.gpkg")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--jitter-grid", type=float, default=0.05,
                        help="snap 2021 coordinates to this grid (m); 0 = no jitter")
    parser.add_argument("--no-raster", action="store_true")
    parser.add_argument("--pixel", type=float, default=10.0)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    cur = pyogrio.read_dataframe(args.current, layer=args.layer)
    prev, stats = derive_previous(cur, seed=args.seed, jitter_grid=args.jitter_grid)
    if args.out.exists():
        args.out.unlink()
    pyogrio.write_dataframe(prev, args.out, layer=args.layer, driver="GPKG")
    print(f"[{time.perf_counter() - t0:6.1f}s] {len(prev)} patches (2022: {len(cur)}) "
          f"-> {args.out}")
    for k, v in stats.items():
        print(f"  {k:15s} {v / 1e4:10.2f} ha  {v / (1e4 / 15):10.1f} 亩" if k != "merged_patches"
              else f"  {k:15s} {int(v)}")
    if not args.no_raster:
        tif, csv = args.out.parent / "landcover.tif", args.out.parent / "landcover_classes.csv"
        write_landcover(cur, tif, csv, pixel=args.pixel)
        print(f"[{time.perf_counter() - t0:6.1f}s] {tif} ({tif.stat().st_size / 1e6:.2f} MB), "
              f"{csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
