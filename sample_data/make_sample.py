"""Make the synthetic sample county (modelled on Huantai 桓台县, 370321) used by landuse.

Everything this script writes is synthetic: seeded random geometry and attributes shaped
like a real 三调 (third national land survey) county database and its control lines.
Same seed, same data.

Usage::

    python sample_data/make_sample.py                      # the committed sample (~509 km²)
    python sample_data/make_sample.py --large --out sample_data/large/   # >= 200,000 patches

See ``sample_data/README.md`` for every layer and field.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _synth_attributes as attrs
import _synth_control as ctl
import _synth_geometry as sg
import _synth_layers as layers
import _synth_tables as tables

HERE = Path(__file__).resolve().parent
CRS_PROJ = CRS.from_epsg(4527)  # CGCS2000 3-degree GK zone 39, zone prefix in the easting
CRS_GEO = CRS.from_epsg(4490)
CENTRE_LONLAT = (118.04, 36.975)
TARGET_AREA_M2 = 509.0e6


@dataclass(frozen=True)
class Scale:
    """Size knobs: ``length`` scales the county; spacings are patch-seed spacings (m)."""

    length: float = 1.0
    rural_spacing: float = 600.0
    settlement_spacing: float = 260.0
    village_spacing: float = 1240.0
    min_patch_m2: float = 300.0
    segment_div: float = 7.0  # patch edges are densified to rural_spacing / segment_div


SAMPLE = Scale()
LARGE = Scale(length=2.0, rural_spacing=150.0, settlement_spacing=80.0, village_spacing=1240.0,
              min_patch_m2=50.0, segment_div=11.0)


def origin() -> tuple[float, float]:
    """Integer EPSG:4527 coordinates of the county centre (the local frame's origin)."""
    tr = Transformer.from_crs(CRS_GEO, CRS_PROJ, always_xy=True)
    e, n = tr.transform(*CENTRE_LONLAT)
    return float(round(e)), float(round(n))


def to_projected(geoms: np.ndarray, e0: float, n0: float) -> np.ndarray:
    """Move local-frame geometries to EPSG:4527 (a translation by whole metres)."""
    return shapely.transform(geoms, lambda xy: xy + np.array([e0, n0]))


def to_geographic(geoms: np.ndarray) -> np.ndarray:
    """EPSG:4527 -> EPSG:4490 (lon, lat order)."""
    tr = Transformer.from_crs(CRS_PROJ, CRS_GEO, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def ellipsoidal_area(geoms_proj: np.ndarray) -> np.ndarray:
    """Ellipsoidal area (m², CGCS2000 ellipsoid) of EPSG:4527 polygons via pyproj.Geod."""
    geod = CRS_GEO.get_geod()
    geo = shapely.orient_polygons(to_geographic(geoms_proj))
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in geo])


def make_outline(rng: np.random.Generator, scale: Scale, e0: float, n0: float) -> shapely.Polygon:
    """Irregular county outline scaled so its ellipsoidal area is 509 km² × length²."""
    theta = np.linspace(0, 2 * np.pi, 900, endpoint=False)
    r = np.ones_like(theta)
    for k, a in ((1, 0.05), (2, 0.13), (3, 0.07), (4, 0.035), (6, 0.02), (9, 0.012)):
        r += a * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    base = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    field = sg.NoiseField(rng, amplitude=0.006, wavelengths=(0.03, 0.4), n_waves=8)
    target = TARGET_AREA_M2 * scale.length**2
    radius = np.sqrt(target / np.pi)
    for _ in range(3):
        xy = base * radius
        xy = xy + field.disp(base) * radius
        poly = shapely.make_valid(shapely.Polygon(xy))
        area = ellipsoidal_area(to_projected(np.array([poly]), e0, n0))[0]
        radius *= np.sqrt(target / area)
    poly = shapely.set_precision(poly, sg.GRID)
    return poly


def control_layers(rng: np.random.Generator, world: layers.World, dltb: gpd.GeoDataFrame,
                   dltb_local: np.ndarray, e0: float, n0: float) -> dict[str, gpd.GeoDataFrame]:
    """Every layer besides DLTB, in EPSG:4527 except STBHHX and ZRBHD (EPSG:4490)."""

    def proj(g: np.ndarray) -> np.ndarray:
        return to_projected(g, e0, n0)

    def geo(g: np.ndarray) -> np.ndarray:
        return to_geographic(to_projected(g, e0, n0))

    # XZQ and CJDCQ are dissolved from the patches, so they agree with DLTB exactly
    vil = world.villages.set_index("code")
    vcode = dltb["ZLDWDM"].str[:12].to_numpy()
    groups = pd.Series(np.arange(len(vcode))).groupby(vcode, sort=True).indices
    codes = np.array(sorted(groups))
    geoms = proj(np.array([shapely.coverage_union_all(dltb_local[groups[c]])
                           for c in codes], dtype=object))
    cj = gpd.GeoDataFrame({"ZLDWDM": [c + "0000000" for c in codes],
                           "ZLDWMC": vil.loc[codes, "name"].to_numpy(),
                           "XZQDM": [c[:9] for c in codes]}, geometry=geoms, crs=CRS_PROJ)
    tcodes = np.unique(cj["XZQDM"])
    names = dict(zip(vil["township"], vil["township_name"], strict=False))
    xzq = gpd.GeoDataFrame({"XZQDM": tcodes, "XZQMC": [names[t] for t in tcodes],
                            "KZMJ": attrs.control_areas(dltb, tcodes)},
                           geometry=[shapely.coverage_union_all(
                               cj.geometry.to_numpy()[cj["XZQDM"] == t]) for t in tcodes],
                           crs=CRS_PROJ)
    pa = ctl.protected_areas(rng, world)
    kyq = ctl.mining_rights(rng, world, pa)
    stb = ctl.ecological_redline(world, pa)
    stb["MJ"] = np.round(ellipsoidal_area(proj(stb.geometry.to_numpy())) / 1e4, 4)
    czk = ctl.urban_boundary(world)
    z = world.zones
    urban_proj = proj(np.array([shapely.union_all(
        z.loc[z["kind"].isin(["city", "town"])].geometry.to_numpy())]))[0]
    yj = ctl.permanent_farmland(rng, dltb, urban_proj, world.scale.length)
    gb = ctl.high_standard_farmland(rng, dltb, urban_proj, world.scale.length)
    return {
        "XZQ": xzq,
        "CJDCQ": cj,
        "STBHHX": ctl.transform_all(stb, geo, CRS_GEO),
        "YJJBNTBHTB": yj,
        "CZKFBJ": ctl.transform_all(czk, proj, CRS_PROJ),
        "ZRBHD": ctl.transform_all(pa, geo, CRS_GEO),
        "KYQ": ctl.transform_all(kyq, proj, CRS_PROJ),
        "GBZNT": gb,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="make the large benchmark county")
    parser.add_argument("--out", type=Path, default=None, help="output folder")
    parser.add_argument("--seed", type=int, default=370321)
    parser.add_argument("--no-copies", action="store_true", help="skip the SHP / GDB copies")
    args = parser.parse_args(argv)
    scale = LARGE if args.large else SAMPLE
    out = args.out or (HERE / "large" if args.large else HERE)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    e0, n0 = origin()
    county = make_outline(rng, scale, e0, n0)
    world = layers.build_world(rng, county, scale)
    print(f"[{time.perf_counter() - t0:6.1f}s] zones and lines built", flush=True)
    faces = layers.build_patches(rng, world, scale)
    print(f"[{time.perf_counter() - t0:6.1f}s] {len(faces)} patches", flush=True)
    dltb = attrs.assign_attributes(rng, world, faces, scale)
    local = dltb["geometry"].to_numpy()
    geoms_proj = to_projected(local, e0, n0)
    dltb = attrs.area_fields(dltb, ellipsoidal_area(geoms_proj))
    dltb = gpd.GeoDataFrame(dltb.drop(columns="geometry"), geometry=geoms_proj, crs=CRS_PROJ)
    dltb.insert(dltb.columns.get_loc("ZZSXDM") + 1, "FRDBS", attrs.flying_flags(dltb))
    print(f"[{time.perf_counter() - t0:6.1f}s] attributes", flush=True)
    validate(dltb, to_projected(np.array([county]), e0, n0)[0])
    extra = control_layers(rng, world, dltb, local, e0, n0)
    print(f"[{time.perf_counter() - t0:6.1f}s] control layers", flush=True)
    write_all(out, dltb.drop(columns="_tidx"), extra, large=args.large,
              copies=not (args.no_copies or args.large))
    summary = attrs.summary(dltb)
    if not args.large:
        stats = tables.write_tables(out, summary)
        c22 = stats.loc[(stats["year"] == 2022) & (stats["zone"] == "370321")].iloc[0]
        summary["population_urban_2022"] = float(c22["population_urban"])
    text = attrs.format_summary(summary, extra)
    print(text)
    if not args.large:
        update_readme(HERE / "README.md", text)
    print(f"[{time.perf_counter() - t0:6.1f}s] done -> {out}")
    return 0


def validate(dltb: gpd.GeoDataFrame, county: shapely.Polygon) -> None:
    """Fail loudly unless the patches are a valid coverage of exactly the county."""
    g = dltb.geometry.to_numpy()
    problems = []
    if not shapely.is_valid(g).all():
        problems.append(f"{int((~shapely.is_valid(g)).sum())} invalid patches")
    if not shapely.coverage_is_valid(g):
        problems.append("patches overlap or do not share edges exactly")
    total = float(shapely.area(g).sum())
    if abs(total - county.area) > 1e-6 * county.area:
        problems.append(f"sum of patch areas {total:.1f} m² != county area {county.area:.1f} m²")
    union = shapely.coverage_union_all(g)
    if abs(union.area - county.area) > 1e-6 * county.area:
        problems.append(f"union area {union.area:.1f} m² != county area {county.area:.1f} m²")
    if (dltb["TBDLMJ"] - (dltb["TBMJ"] - dltb["KCMJ"])).abs().max() > 0.005:
        problems.append("TBDLMJ != TBMJ - KCMJ")
    if not dltb["BSM"].is_unique:
        problems.append("duplicate BSM")
    if problems:
        raise RuntimeError("sample county failed validation: " + "; ".join(problems))


def update_readme(path: Path, text: str) -> None:
    """Put the summary between the README's summary markers (if the README has them)."""
    if not path.exists():
        return
    start, end = "<!-- summary:start -->", "<!-- summary:end -->"
    readme = path.read_text(encoding="utf-8")
    if start not in readme or end not in readme:
        return
    head, rest = readme.split(start, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(f"{head}{start}\n```\n{text}\n```\n{end}{tail}", encoding="utf-8")


def write_all(out: Path, dltb: gpd.GeoDataFrame, extra: dict[str, gpd.GeoDataFrame], *,
              large: bool, copies: bool) -> None:
    """Write the GeoPackage (and GeoParquet / SHP / GDB copies)."""
    name = "large_county" if large else "huantai"
    gpkg = out / f"{name}.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    pyogrio.write_dataframe(dltb, gpkg, layer="DLTB", driver="GPKG")
    for layer, gdf in extra.items():
        pyogrio.write_dataframe(gdf, gpkg, layer=layer, driver="GPKG", append=False)
    if large:
        dltb.to_parquet(out / f"{name}_DLTB.parquet")
    if copies:
        write_shapefile_gbk(out / "huantai_shp", dltb)
        gdb = out / "huantai.gdb"
        if gdb.exists():
            shutil.rmtree(gdb)
        pyogrio.write_dataframe(dltb, gdb, layer="DLTB", driver="OpenFileGDB")
        pyogrio.write_dataframe(extra["XZQ"], gdb, layer="XZQ", driver="OpenFileGDB",
                                promote_to_multi=True)


def write_shapefile_gbk(folder: Path, dltb: gpd.GeoDataFrame) -> None:
    """Write DLTB as a GBK Shapefile with neither a .cpg nor a code-page mark in the .dbf.

    That is how many county deliveries look: GDAL then assumes ISO-8859-1 and returns
    mojibake unless the reader detects or is told the encoding.
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shp = folder / "DLTB.shp"
    pyogrio.write_dataframe(dltb, shp, driver="ESRI Shapefile", encoding="GBK",
                            layer_options={"RESIZE": "YES"})
    cpg = shp.with_suffix(".cpg")
    if cpg.exists():
        cpg.unlink()
    dbf = shp.with_suffix(".dbf")
    with dbf.open("r+b") as fh:  # byte 29 = language driver id; 0 = not stated
        fh.seek(29)
        fh.write(b"\x00")


if __name__ == "__main__":
    raise SystemExit(main())
