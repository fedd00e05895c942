"""The catalogue of bad inputs: each case breaks one thing in a copy of the county cut.

A case names the defect, how to make it (``build(folder)``) and what ``landuse check``
and ``landuse run`` must do with it: exit 2 with a message fragment, or exit 0 with a
finding code (and, where the case repairs something, a check of the corrected figure).
The expected outcomes are written from the defect, not from what the code does today.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from pyproj import Geod, Transformer

from tests.bad_inputs import mutate as m
from tests.bad_inputs.county import GPKG

Build = Callable[[Path], None]
Verify = Callable[[Path, Path], None]


@dataclass(frozen=True)
class Case:
    """One bad input and the outcome it must have (exit 2 + fragment, or 0 + finding)."""

    name: str
    what: str
    build: Build
    exit: int
    expect: str  # exit 2: a fragment of the message; exit 0: the finding code
    verify: Verify | None = None
    run_args: tuple[str, ...] = ()
    commands: tuple[str, ...] = ("check", "run")
    extra: dict = field(default_factory=dict)
    #: run with every input (False: land use and townships only, see county.config_text)
    full: bool | tuple[str, ...] = False


def _dltb(edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> Build:
    return lambda f: m.layer(f, "DLTB", edit)


def _lyr(name: str, edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame],
         file: str = GPKG) -> Build:
    return lambda f: m.layer(f, name, edit, file=file)


def _cfg(**kwargs: object) -> Build:
    return lambda f: m.config(f, **kwargs)


def _text(file: str, old: str, new: str) -> Build:
    return lambda f: m.replace_text(f / file, old, new)


def _csv(file: str, edit: Callable[[pd.DataFrame], pd.DataFrame], encoding: str = "utf-8"
         ) -> Build:
    return lambda f: m.csv_edit(f / file, edit, encoding=encoding)


def _trailing_commas(file: str) -> Build:
    def build(f: Path) -> None:
        head, *rows = (f / file).read_text(encoding="utf-8").splitlines()
        (f / file).write_text("\n".join([head, *[r + "," for r in rows]]) + "\n",
                              encoding="utf-8")
    return build


def _then(*steps: Build) -> Build:
    def build(f: Path) -> None:
        for step in steps:
            step(f)
    return build


def _shp(then: Callable[[Path], None] | None = None, **kwargs: object) -> Build:
    def build(f: Path) -> None:
        shp = m.shapefile(f, **kwargs)  # type: ignore[arg-type]
        if then is not None:
            then(shp)
    return build


def _set(col: str, value: object, n: int = 5) -> Build:
    return _dltb(m.rows(n, col, value))


def _gddb_zero_on_farmland(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Grade 7 on every farmland patch, but 0 (an export's "no grade") on the first 5."""
    gdf = gdf.copy()
    farm = gdf["DLBM"].astype(str).str.startswith("01")
    gdf["GDDB"] = np.where(farm, 7.0, np.nan)
    gdf.loc[gdf.index[farm][:5], "GDDB"] = 0.0
    return gdf


def _first_with_kcmj(edit: Callable[[pd.DataFrame], None]) -> Build:
    """Edit the first 5 patches that have a deduction (KCMJ > 0)."""
    def e(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        gdf = gdf.copy()
        idx = gdf.index[gdf["KCMJ"] > 0][:5]
        sub = gdf.loc[idx].copy()
        edit(sub)
        gdf.loc[idx, sub.columns.drop("geometry")] = sub.drop(columns="geometry")
        return gdf
    return _dltb(e)


# ------------------------------------------------------------------ corrected figures

def _indicator(out: Path, ident: str) -> float:
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    row = next(r for r in doc["indicators"] if r["id"] == ident and r["scope"] == "county")
    return float(row["value"])


def _file_dltb(folder: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(folder / GPKG, layer="DLTB")


def _total_is_sum_of_tbmj(folder: Path, out: Path) -> None:
    """total_area (ha) = Σ TBMJ of the file (TBMJ untouched by the repair)."""
    expected = _file_dltb(folder)["TBMJ"].sum() / 10_000
    assert abs(_indicator(out, "total_area") - expected) < 1e-6 * expected


def _total_with_geodesic_area(folder: Path, out: Path) -> None:
    """A negative TBMJ is replaced by the ellipsoidal area of its polygon (pyproj.Geod)."""
    lu = _file_dltb(folder)
    neg = lu["TBMJ"] < 0
    geod = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid
    to_ll = Transformer.from_crs("EPSG:4527", "EPSG:4490", always_xy=True)
    areas = [abs(geod.geometry_area_perimeter(shapely.transform(g, lambda xy: np.column_stack(
        to_ll.transform(xy[:, 0], xy[:, 1]))))[0]) for g in lu.geometry[neg]]
    expected = (lu.loc[~neg, "TBMJ"].sum() + sum(areas)) / 10_000
    assert abs(_indicator(out, "total_area") - expected) < 1e-4, (
        _indicator(out, "total_area"), expected)


def _class_areas_add_up(folder: Path, out: Path) -> None:
    """After the repair every class area is ≥ 0 and they add up to Σ TBMJ."""
    areas = pd.read_csv(out / "class_areas.csv", dtype={"zone": str})
    county = areas[areas["zone"] == "370321"] if "zone" in areas else areas
    col = "area_ha" if "area_ha" in areas else next(c for c in areas if c.endswith("_ha"))
    assert (county[col] >= -1e-9).all()
    _total_is_sum_of_tbmj(folder, out)


def _stale_gone(folder: Path, out: Path) -> None:
    assert not list(out.parent.glob(f".{out.name}.tmp-*")), "stale temporary left"


def _make_stale(folder: Path) -> None:
    stale = folder / ".out.tmp-999999-dead"
    stale.mkdir()
    (stale / "indicators.json").write_text("half", encoding="utf-8")


def _raster(edit: Callable[[dict, np.ndarray], tuple[dict, np.ndarray]]) -> Build:
    def build(f: Path) -> None:
        path = f / "landcover.tif"
        with rasterio.open(path) as src:
            profile, data = src.profile, src.read(1)
        profile, data = edit(dict(profile), data)
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(data, 1)
    return build


def _raster_shift(profile: dict, data: np.ndarray) -> tuple[dict, np.ndarray]:
    t = profile["transform"]
    profile["transform"] = t.__class__(t.a, t.b, t.c + 1e9, t.d, t.e, t.f)
    return profile, data


def _raster_no_crs(profile: dict, data: np.ndarray) -> tuple[dict, np.ndarray]:
    profile["crs"] = None
    return profile, data


def _raster_float(profile: dict, data: np.ndarray) -> tuple[dict, np.ndarray]:
    profile["dtype"] = "float32"
    return profile, data.astype("float32")


def _sixth_degree(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Coordinates really in CGCS2000 6-degree zone 20 (EPSG:4498), declared EPSG:4527."""
    return gdf.to_crs("EPSG:4498").set_crs("EPSG:4527", allow_override=True)


def _null_geometries(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.set_geometry(gpd.GeoSeries([None] * len(gdf), index=gdf.index, crs=gdf.crs))


def _points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.set_geometry(gdf.geometry.representative_point())


def _overlap(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    extra = gdf.iloc[[0]].copy()
    extra["BSM"] = "9999999999999999"
    extra["geometry"] = extra.geometry.buffer(-1.0)
    extra["TBMJ"] = extra["TBDLMJ"] = extra.geometry.area
    extra["KCMJ"] = extra["KCXS"] = 0.0
    extra["KCDLBM"] = ""
    return pd.concat([gdf, extra], ignore_index=True)


def _bowtie(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    x0, y0, x1, y1 = gdf.geometry.iloc[0].bounds
    gdf.loc[gdf.index[0], "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0),
                                                         (x0, y1)])
    return gdf


def _real_zldwdm(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    gdf["ZLDWDM"] = gdf["ZLDWDM"].astype(float)
    return gdf


def _leading_zero_lost(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    gdf["DLBM"] = pd.to_numeric(gdf["DLBM"].str.replace(r"[A-Z]", "", regex=True))
    return gdf


def _drop_col(col: str) -> Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]:
    return lambda g: g.drop(columns=col)


def _sjnf(values: object) -> Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]:
    def e(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        gdf = gdf.copy()
        gdf["SJNF"] = values(len(gdf)) if callable(values) else values
        return gdf
    return e


def _hold_lock(folder: Path) -> None:
    """Marker: the test holds the output lock while the run starts (see test_catalogue)."""


def _year_rows(drop: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda d: d[d["year"] != str(drop)]


def _row0(col: str, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def e(d: pd.DataFrame) -> pd.DataFrame:
        d = d.copy()
        d.loc[d.index[0], col] = value
        return d
    return e


def _supply_first_supplied(col: str, value: Callable[[pd.Series], str]
                           ) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def e(d: pd.DataFrame) -> pd.DataFrame:
        d = d.copy()
        k = d.index[d["supplied_date"] != ""][0]
        d.loc[k, col] = value(d.loc[k])
        return d
    return e


_LUKEY = "[layers.landuse]"
_PREV = 'path = "previous.gpkg"\nlayer = "DLTB"\nyear = 2021'

CASES: list[Case] = [
    # ------------------------------------------------------------- CRS vs coordinates
    Case("crs_prefixed_declared_unprefixed", "eastings 39xxxxxx declared EPSG:4548",
         _dltb(m.shifted(declare="EPSG:4548")), 2, "they fit EPSG:4527"),
    Case("crs_shifted_1e9", "every coordinate shifted by 1e9 m", _dltb(m.shifted(1e9)), 2,
         "outside the area of use"),
    Case("crs_metres_declared_4490", "metre coordinates declared EPSG:4490",
         _dltb(m.shifted(declare="EPSG:4490")), 2, _LUKEY),
    Case("crs_unprefixed_declared_prefixed", "eastings without zone prefix declared EPSG:4527",
         _dltb(m.shifted(-39_000_000)), 2, "outside the area of use of the declared CRS"),
    Case("crs_wrong_zone", "zone-39 eastings declared zone 38 (EPSG:4526)",
         _dltb(m.shifted(declare="EPSG:4526")), 2, "they fit EPSG:4527"),
    Case("crs_6degree_declared_3degree", "6-degree zone 20 coordinates declared EPSG:4527",
         _dltb(_sixth_degree), 2, "they fit EPSG:4498"),
    Case("crs_swapped_xy", "x and y swapped", _dltb(m.shifted(swap=True)), 2,
         "outside the area of use"),
    Case("crs_townships_shifted", "township layer shifted north by 5000 km",
         _lyr("XZQ", m.shifted(dy=5e6)), 2, "[layers.townships]"),
    Case("crs_protected_metres_as_degrees", "protected areas in metres declared EPSG:4490",
         _lyr("ZRBHD", lambda g: g.to_crs("EPSG:4527").set_crs("EPSG:4490",
                                                               allow_override=True)),
         2, "[layers.protected_areas]", full=True),
    Case("crs_mining_declared_unprefixed", "mining rights 39xxxxxx declared EPSG:4548",
         _lyr("KYQ", m.shifted(declare="EPSG:4548")), 2, "[layers.mining_rights]", full=True),
    Case("crs_farmland_declared_unprefixed", "permanent farmland declared EPSG:4548",
         _lyr("YJJBNTBHTB", m.shifted(declare="EPSG:4548")), 2, "[layers.permanent_farmland]",
         full=True),
    Case("crs_redline_shifted", "ecological redline (degrees) shifted by 200°",
         _lyr("STBHHX", m.shifted(200.0)), 2, "[layers.ecological_redline]", full=True),
    Case("crs_previous_shifted", "previous vintage shifted by 1000 km",
         _lyr("DLTB", m.shifted(1e6), file="previous.gpkg"), 2, "[layers.landuse_previous]",
         full=True),
    Case("crs_missing", "land-use layer without CRS", _dltb(lambda g: g.set_crs(
        None, allow_override=True)), 2, "has no coordinate reference system"),
    Case("crs_raster_shifted", "land-cover raster shifted by 1e9 m", _raster(_raster_shift), 2,
         "[rasters.landcover]", full=True),
    Case("crs_raster_missing", "land-cover raster without CRS", _raster(_raster_no_crs), 2,
         "has no CRS", full=True),
    Case("crs_working_geographic", "options.working_crs geographic",
         _cfg(options='working_crs = "EPSG:4490"\n'), 2, "is not projected"),
    # ------------------------------------------------------------- Shapefile integrity
    Case("shp_no_cpg_gbk", "GBK Shapefile without .cpg (encoding detected)",
         _shp(cpg=None), 0, "encoding_detected", verify=_total_is_sum_of_tbmj),
    Case("shp_truncated_half", ".shp truncated to half", _shp(lambda p: m.truncate(p, keep=0.5)),
         2, "the .shp is truncated"),
    Case("shp_truncated_tail", ".shp missing its last 10 bytes",
         _shp(lambda p: m.truncate(p, keep=p.stat().st_size - 10)), 2, "the .shp is truncated"),
    Case("shp_dbf_missing", ".dbf missing", _shp(lambda p: p.with_suffix(".dbf").unlink()), 2,
         "the .dbf of DLTB.shp is missing"),
    Case("shp_shx_missing", ".shx missing", _shp(lambda p: p.with_suffix(".shx").unlink()), 2,
         "the .shx of DLTB.shp is missing"),
    Case("shp_dbf_truncated", ".dbf truncated to half",
         _shp(lambda p: m.truncate(p.with_suffix(".dbf"), keep=0.5)), 2, "the .dbf is truncated"),
    Case("shp_shx_truncated", ".shx cut to 100 records",
         _shp(lambda p: m.truncate(p.with_suffix(".shx"), keep=100 + 8 * 100)), 2,
         "the .shx indexes 100 records"),
    Case("shp_dbf_count_differs", ".dbf header says 10 records",
         _shp(lambda p: m.dbf_record_count(p.with_suffix(".dbf"), 10)), 2, "the .dbf holds 10"),
    Case("shp_empty_file", ".shp of 0 bytes", _shp(lambda p: m.truncate(p, keep=0)), 2,
         "not a Shapefile main file"),
    Case("shp_prj_missing", ".prj missing", _shp(lambda p: p.with_suffix(".prj").unlink()), 2,
         "has no coordinate reference system"),
    Case("shp_symlink_loop", "the .shp is a loop of symbolic links", _shp(m.symlink_loop), 2,
         "symbolic link"),
    Case("shp_all_null", "every geometry null", _shp(edit=_null_geometries), 2,
         "null or empty geometry"),
    Case("shp_cpg_latin1", ".cpg says ISO-8859-1 for GBK text", _shp(cpg="ISO-8859-1"), 2,
         "single-byte code page"),
    Case("shp_cpg_1252", ".cpg says 1252 for GBK text", _shp(cpg="1252"), 2,
         "single-byte code page"),
    Case("shp_cpg_8859_1", ".cpg says 8859_1 (ArcGIS) for GBK text", _shp(cpg="8859_1"), 2,
         "single-byte code page"),
    Case("shp_cpg_utf8_for_gbk", ".cpg says UTF-8 for GBK text", _shp(cpg="UTF-8"), 2,
         "do not decode"),
    Case("shp_cpg_gbk_for_utf8", ".cpg says GBK for UTF-8 text (valid bytes, wrong text)",
         _shp(encoding="UTF-8", cpg="GBK"), 2, "do not decode"),
    # ------------------------------------------------------------- other vector damage
    Case("gpkg_all_null", "GeoPackage layer with every geometry null",
         _dltb(_null_geometries), 2, "null or empty geometry"),
    Case("gpkg_points", "land-use layer of points", _dltb(_points), 2, "Point"),
    Case("gpkg_empty_layer", "land-use layer with 0 features", _dltb(lambda g: g.iloc[:0]), 2,
         "0 features"),
    Case("gpkg_truncated", "GeoPackage cut to a third",
         lambda f: m.truncate(f / "previous.gpkg", keep=0.3), 2, "previous.gpkg", full=True),
    Case("gpkg_not_sqlite", "a text file named .gpkg",
         lambda f: (f / "previous.gpkg").write_text("not a database", encoding="utf-8"), 2,
         "previous.gpkg", full=True),
    Case("gpkg_layer_missing", "config names an absent layer",
         _text("config.toml", 'layer = "GBZNT"', 'layer = "GBZNT_X"'), 2, "GBZNT_X", full=True),
    # ------------------------------------------------------------- impossible areas
    Case("kcmj_gt_tbmj", "KCMJ > TBMJ in 5 patches",
         _first_with_kcmj(lambda d: d.__setitem__("KCMJ", d["TBMJ"] * 2)), 2, "KCMJ > TBMJ"),
    Case("kcxs_gt_1", "KCXS 1.5", _set("KCXS", 1.5), 2, "KCXS outside [0, 1]"),
    Case("kcxs_negative", "KCXS -0.1", _set("KCXS", -0.1), 2, "KCXS outside [0, 1]"),
    Case("kcxs_percent", "KCXS written in percent (3.1 for 0.031)",
         _first_with_kcmj(lambda d: d.__setitem__("KCXS", d["KCXS"] * 100)), 2,
         "KCXS outside [0, 1]"),
    Case("tbmj_negative", "TBMJ negative", _set("TBMJ", lambda s: -s), 2, "TBMJ < 0"),
    Case("kcmj_negative", "KCMJ negative",
         _first_with_kcmj(lambda d: d.__setitem__("KCMJ", -d["KCMJ"])), 2, "KCMJ < 0"),
    Case("tbdlmj_negative", "TBDLMJ negative", _set("TBDLMJ", -5.0), 2, "TBDLMJ < 0"),
    Case("repair_kcmj_gt_tbmj", "KCMJ > TBMJ, repair_areas = true",
         _then(_first_with_kcmj(lambda d: d.__setitem__("KCMJ", d["TBMJ"] * 2)),
               _cfg(extra_landuse="repair_areas = true\n")), 0, "area_repaired",
         verify=_class_areas_add_up),
    Case("repair_tbmj_negative", "TBMJ negative, repair_areas = true",
         _then(_set("TBMJ", lambda s: -s), _cfg(extra_landuse="repair_areas = true\n")), 0,
         "area_repaired", verify=_total_with_geodesic_area),
    Case("repair_kcxs_gt_1", "KCXS 1.5, repair_areas = true",
         _then(_set("KCXS", 1.5), _cfg(extra_landuse="repair_areas = true\n")), 0,
         "area_repaired", verify=_total_is_sum_of_tbmj),
    Case("repair_not_bool", "repair_areas = \"yes\"",
         _cfg(extra_landuse='repair_areas = "yes"\n'), 2, "must be true or false"),
    # ------------------------------------------------------------- types and codes
    Case("zldwdm_real", "ZLDWDM stored as a Real field", _dltb(_real_zldwdm), 2,
         "19-digit codes"),
    Case("dlbm_unknown", "DLBM 9999", _set("DLBM", "9999"), 2, "'9999'"),
    Case("dlbm_empty", "DLBM empty", _set("DLBM", ""), 2, "empty DLBM"),
    Case("dlbm_leading_zero_lost", "DLBM stored as a number (0101 -> 101)",
         _dltb(_leading_zero_lost), 2, "leading zero"),
    Case("tbmj_text", "TBMJ holding text", _dltb(lambda g: g.assign(TBMJ=g["TBMJ"].astype(
        str).where(g.index > 2, "abc"))), 2, "TBMJ"),
    Case("dlbm_field_missing", "no DLBM field", _dltb(_drop_col("DLBM")), 2,
         "missing required field 'DLBM'"),
    Case("rename_absent", "fields renames DLBM to an absent field",
         _cfg(extra_landuse='fields = { DLBM = "nope" }\n'), 2, "the rename DLBM = 'nope'"),
    Case("rename_two_bad", "two renames to absent fields (both listed)",
         _cfg(extra_landuse='fields = { DLBM = "nope", TBMJ = "nada" }\n'), 2,
         "the rename TBMJ = 'nada'"),
    Case("rename_unknown_standard", "fields renames a name the reader does not use",
         _cfg(extra_landuse='fields = { FOO = "DLBM" }\n'), 2, "does not use"),
    Case("duplicate_bsm", "two patches share a BSM", _set("BSM", "3703210000000001", n=2), 0,
         "duplicate_bsm"),
    Case("tbdlmj_mismatch", "TBDLMJ ≠ TBMJ − KCMJ", _set("TBDLMJ", lambda s: s - 10.0), 0,
         "tbdlmj_mismatch"),
    Case("tbmj_off_geometry", "TBMJ and TBDLMJ 10 % above the polygon's area",
         _dltb(lambda g: g.assign(TBMJ=g["TBMJ"] * np.where(g.index < 5, 1.1, 1),
                                  TBDLMJ=g["TBDLMJ"] + g["TBMJ"] * np.where(g.index < 5, 0.1,
                                                                            0))),
         0, "tbmj_area_mismatch"),
    Case("kcmj_without_kcdlbm", "KCMJ > 0 without KCDLBM",
         _first_with_kcmj(lambda d: d.__setitem__("KCDLBM", "")), 0, "kcmj_without_kcdlbm"),
    Case("czcsxm_unknown", "CZCSXM 299", _set("CZCSXM", "299"), 0, "czcsxm_unknown"),
    Case("gddb_zero_on_farmland", "GDDB 0 (an export's 'no grade') on 5 farmland patches",
         _dltb(_gddb_zero_on_farmland), 0, "gddb_not_a_grade"),
    Case("zldwdm_short", "ZLDWDM of 12 digits", _set("ZLDWDM", lambda s: s.str[:12]), 0,
         "zldwdm_length"),
    Case("overlapping_patches", "a patch duplicated inside another", _dltb(_overlap), 0,
         "overlapping_patches"),
    Case("self_intersecting", "a bow-tie polygon", _dltb(_bowtie), 0, "geometry_repaired"),
    # ------------------------------------------------------------- years
    Case("sjnf_mixed", "SJNF holds 2021 and 2022",
         _dltb(_sjnf(lambda n: ["2021"] * 3 + ["2022"] * (n - 3))), 2, "several years"),
    Case("sjnf_vs_config", "SJNF 2021, [layers.landuse] year 2022", _dltb(_sjnf("2021")), 2,
         "SJNF (数据年份) says 2021"),
    Case("sjnf_not_year", "SJNF 'abc'", _dltb(_sjnf("abc")), 2, "not years"),
    Case("report_year_2021", "region.year 2021 on the 2022 survey", _cfg(year=2021), 2,
         "run with --year 2022"),
    Case("flag_year_2021", "--year 2021 on the 2022 survey", lambda f: None, 2,
         "run with --year 2022", run_args=("--year", "2021"), commands=("run",)),
    Case("previous_after_report", "previous vintage dated 2023",
         _text("config.toml", _PREV, _PREV.replace("2021", "2023")), 2, "not earlier", full=True),
    Case("previous_same_year", "previous vintage dated 2022",
         _text("config.toml", _PREV, _PREV.replace("2021", "2022")), 2, "not earlier", full=True),
    Case("survey_year_missing", "no SJNF and no [layers.landuse] year",
         _text("config.toml", "year = 2022\n\n[layers.townships]", "\n[layers.townships]"), 0,
         "survey_year_unknown"),
    Case("stats_without_report_year", "statistics table without 2022",
         _csv("stats.csv", _year_rows(2022)), 0, "socio_year_missing",
         full=("socioeconomic", "landuse_previous")),
    Case("stats_without_base_year", "statistics table without 2021",
         _csv("stats.csv", _year_rows(2021)), 0, "socio_year_missing",
         full=("socioeconomic", "landuse_previous")),
    Case("region_year_1980", "region.year 1980", _cfg(year=1980), 2, "region.year"),
    # ------------------------------------------------------------- socio-economic table
    Case("stats_urban_gt_total", "urban population above the total",
         _csv("stats.csv", _row0("population_urban", "99999999")), 2,
         "exceeds the total population", full=True),
    Case("stats_negative", "negative GDP", _csv("stats.csv", _row0("gdp_10k_yuan", "-5")), 2,
         "not a non-negative number", full=True),
    Case("stats_no_zone", "no zone column", _csv("stats.csv", lambda d: d.drop(columns="zone")),
         2, "missing column 'zone'", full=True),
    Case("stats_duplicate", "a (year, zone) row twice",
         _csv("stats.csv", lambda d: pd.concat([d, d.iloc[[0]]])), 2, "appears on lines",
         full=True),
    Case("stats_year_text", "year '二〇二二'", _csv("stats.csv", _row0("year", "二〇二二")), 2,
         "not a 4-digit year", full=True),
    Case("stats_zone_8", "zone code of 8 digits", _csv("stats.csv", _row0("zone", "37032110")),
         2, "not a 6-, 9- or 12-digit", full=True),
    Case("stats_trailing_comma", "a trailing comma on every data row (one field more than "
         "the header: pandas would shift every value one column left)", _trailing_commas(
             "stats.csv"), 2, "every row needs as many fields as the header", full=True),
    Case("classes_trailing_comma", "the land-cover classes with a trailing comma on every row",
         _trailing_commas("landcover_classes.csv"), 2, "as many fields as the header",
         full=True),
    Case("stats_empty", "statistics file of 0 bytes",
         lambda f: (f / "stats.csv").write_bytes(b""), 2, "stats.csv", full=True),
    Case("stats_binary", "statistics file of random bytes",
         lambda f: (f / "stats.csv").write_bytes(bytes(range(256)) * 4), 2,
         "neither UTF-8 nor GBK", full=True),
    Case("stats_wrong_suffix", "statistics as .dat",
         _then(lambda f: (f / "stats.csv").rename(f / "stats.dat"),
               _text("config.toml", '"stats.csv"', '"stats.dat"')), 2, "not a CSV or XLSX",
               full=True),
    # ------------------------------------------------------------- land-supply ledger
    Case("supply_before_approval", "supplied before approved",
         _csv("supply.csv", _supply_first_supplied("supplied_date", lambda r: "2001-01-01")),
         2, "supplied before it was approved", full=True),
    Case("supply_more_than_approved", "supplied area above the approved area",
         _csv("supply.csv", _supply_first_supplied(
             "supplied_area_ha", lambda r: str(float(r["approved_area_ha"]) * 2))), 2,
         "more than the approved area", full=True),
    Case("supply_share_gt_1", "developed_share 1.7", _csv("supply.csv", _row0(
        "developed_share", "1.7")), 2, "between 0 and 1", full=True),
    Case("supply_bad_date", "approved_date 2019-02-30", _csv("supply.csv", _row0(
        "approved_date", "2019-02-30")), 2, "YYYY-MM-DD", full=True),
    Case("supply_duplicate_id", "a parcel id twice", _csv("supply.csv", lambda d: pd.concat(
        [d, d.iloc[[0]]])), 2, "must be unique", full=True),
    Case("supply_unknown_type", "supply_type 租赁", _csv("supply.csv", _row0(
        "supply_type", "租赁")), 2, "expected one of", full=True),
    Case("supply_missing_column", "no approved_area_ha column", _csv(
        "supply.csv", lambda d: d.drop(columns="approved_area_ha")), 2, "approved_area_ha",
        full=True),
    Case("supply_negative_area", "approved area -3", _csv("supply.csv", _row0(
        "approved_area_ha", "-3")), 2, "non-negative number", full=True),
    # ------------------------------------------------------------- raster
    Case("raster_truncated", "land-cover raster truncated",
         lambda f: m.truncate(f / "landcover.tif", keep=0.5), 2, "landcover.tif", full=True),
    Case("raster_float", "land-cover raster of floats", _raster(_raster_float), 2,
         "integers", full=True),
    Case("classes_missing_column", "class table without construction",
         _csv("landcover_classes.csv", lambda d: d.drop(columns="construction")), 2,
         "construction", full=True),
    # ------------------------------------------------------------- other layers
    Case("townships_bad_code", "XZQDM of 6 digits", _lyr("XZQ", m.rows(2, "XZQDM", "370321")),
         2, "9-digit township codes"),
    Case("protected_unknown_category", "category 植物园", _lyr("ZRBHD", m.rows(
        1, "category", "植物园")), 2, "category values not understood", full=True),
    Case("mining_unknown_stage", "stage 'maybe'", _lyr("KYQ", m.rows(1, "stage", "maybe")), 2,
         "stage values not understood", full=True),
    Case("mining_bad_date", "valid_to 'soon'", _lyr("KYQ", m.rows(1, "valid_to", "soon")), 2,
         "not dates", full=True),
    Case("ghfqdm_unknown", "GHFQDM 07", _lyr("CZKFBJ", m.rows(1, "GHFQDM", "07")), 0,
         "ghfqdm_unknown", full=("urban_boundary",)),
    Case("jsnd_invalid", "JSND 3022", _lyr("GBZNT", m.rows(1, "JSND", 3022)), 0,
         "year_invalid", full=("high_standard_farmland",)),
    # ------------------------------------------------------------- config and output
    Case("config_unknown_key", "an unknown key", _text("config.toml", "sliver_m2 = 1.0",
                                                       "sliver_m2 = 1.0\nsilver = 2"), 2,
         "options.silver", full=True),
    Case("config_missing_file", "a path to an absent file", _text(
        "config.toml", '"stats.csv"', '"stat.csv"'), 2, "file not found", full=True),
    Case("config_not_toml", "config that is not TOML", lambda f: (f / "config.toml").write_text(
        "[region\nname = 1", encoding="utf-8"), 2, "not valid TOML"),
    Case("config_symlink_loop", "config path through a loop of symbolic links",
         _then(lambda f: m.symlink_loop(f / "loop.gpkg"),
               _text("config.toml", 'path = "previous.gpkg"', 'path = "loop.gpkg"')), 2,
         "symbolic link", full=True),
    Case("config_nul_in_path", "a config path with a NUL character (TOML \\u0000)",
         _text("config.toml", 'path = "previous.gpkg"', 'path = "previous\\u0000.gpkg"'), 2,
         "not a usable file name", full=True),
    Case("out_is_file", "--out is a file", lambda f: None, 2, "is not a folder",
         commands=("run",), extra={"out_file": True}),
    Case("stale_temporary", "a killed run's .out.tmp-* left beside --out", _make_stale, 0, "",
         verify=_stale_gone, commands=("run",)),
    Case("lock_held", "another run holds --out", _hold_lock, 2, "another landuse run",
         commands=("run",), extra={"hold_lock": True}),
]
