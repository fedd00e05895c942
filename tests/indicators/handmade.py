"""A hand-made county (EPSG:4527) whose every figure is worked out by hand in the tests.

Two townships of county 370321, patches as 10 m wide strips whose planar area equals TBMJ
(on the central meridian of zone 39, so planar ≈ ellipsoidal):

township A 370321100 (y 0..10)                     township B 370321101 (y 20..30)
  A1 0101 水田   x   0..100 TBMJ 1000 KCMJ 100 (1203)   B1 0702 宅基地 x  0..20  TBMJ 200 CZCSXM 203
  A2 0601 工业   x 100..130 TBMJ  300 CZCSXM 201        B2 0404 其他草地 x 20..60 TBMJ 400
  A3 0201K 果园  x 130..170 TBMJ  400 KCMJ 40 (1203)    B3 1003 公路   x 60..75  TBMJ 150
  A4 1201 空闲地 x 170..180 TBMJ  100 CZCSXM 202        B4 0102 水浇地 x 75..125 TBMJ 500 KCMJ 50
  A5 0603 盐田   x 180..200 TBMJ  200 CZCSXM 204        B5 1201 空闲地 x 125..130 TBMJ 50 (no CZ)
                                                    B6 1106 内陆滩涂 x 130..140 TBMJ 100
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

X0, Y0 = 39_500_000.0, 4_090_000.0
A, B, COUNTY = "370321100", "370321101", "370321"

# (BSM, DLBM, TBMJ, KCDLBM, KCMJ, CZCSXM, township, x0, x1, y0)
PATCHES = [
    ("A1", "0101", 1000.0, "1203", 100.0, "", A, 0, 100, 0),
    ("A2", "0601", 300.0, "", 0.0, "201", A, 100, 130, 0),
    ("A3", "0201K", 400.0, "1203", 40.0, "", A, 130, 170, 0),
    ("A4", "1201", 100.0, "", 0.0, "202", A, 170, 180, 0),
    ("A5", "0603", 200.0, "", 0.0, "204", A, 180, 200, 0),
    ("B1", "0702", 200.0, "", 0.0, "203", B, 0, 20, 20),
    ("B2", "0404", 400.0, "", 0.0, "", B, 20, 60, 20),
    ("B3", "1003", 150.0, "", 0.0, "", B, 60, 75, 20),
    ("B4", "0102", 500.0, "1203", 50.0, "", B, 75, 125, 20),
    ("B5", "1201", 50.0, "", 0.0, "", B, 125, 130, 20),
    ("B6", "1106", 100.0, "", 0.0, "", B, 130, 140, 20),
]


def strip(x0: float, x1: float, y0: float, y1: float | None = None):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + (y0 + 10 if y1 is None else y1))


def county() -> gpd.GeoDataFrame:
    """The normalised land-use frame of the hand-made county."""
    rows = []
    for bsm, dlbm, tbmj, kc, kcmj, cz, town, x0, x1, y0 in PATCHES:
        village = town + ("001" if town == A else "002")
        rows.append({
            "BSM": bsm, "DLBM": dlbm, "DLMC": "", "TBMJ": tbmj, "KCDLBM": kc,
            "KCXS": kcmj / tbmj, "KCMJ": kcmj, "TBDLMJ": tbmj - kcmj,
            "ZLDWDM": village + "0000000", "ZLDWMC": "", "QSDWDM": "", "QSXZ": "",
            "CZCSXM": cz, "county": town[:6], "township": town, "village": village,
            "geometry": strip(x0, x1, y0),
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4527")


def permanent_farmland() -> gpd.GeoDataFrame:
    """pf1 = all of A1; pf2 = left half of A3; pf3 = left half of B2; pf4 = all of B4."""
    return gpd.GeoDataFrame({
        "line_id": ["pf1", "pf2", "pf3", "pf4"],
        "DLBM": ["0101", "0101", "0102", "0102"],
        "YJJBNTMJ": [950.0, 210.0, 190.0, 480.0],
        "ZLDWDM": [A + "0010000000", A + "0010000000", B + "0020000000", B + "0020000000"],
    }, geometry=[strip(0, 100, 0), strip(130, 150, 0), strip(20, 40, 20), strip(75, 125, 20)],
        crs="EPSG:4527")


def high_standard_farmland() -> gpd.GeoDataFrame:
    """Two overlapping polygons over A1 (union x 0..75) and one over the left half of B4."""
    return gpd.GeoDataFrame({"id": [1, 2, 3]},
                            geometry=[strip(0, 50, 0), strip(25, 75, 0), strip(75, 100, 20)],
                            crs="EPSG:4527")


def socio(*, comparable_base: bool = True) -> pd.DataFrame:
    """Socio-economic frame (the shape read_socioeconomic returns)."""
    nan = float("nan")
    return pd.DataFrame({
        "year": [2020, 2022, 2022, 2022],
        "zone": [COUNTY, COUNTY, A, B],
        "population_total": [nan, 10.0, 6.0, 4.0],
        "population_urban": [nan, 4.0, 4.0, 0.0],
        "gdp_10k_yuan": [20.0, 30.0, nan, nan],
        "gdp_comparable_10k_yuan": [20.0 if comparable_base else nan, 27.0, nan, nan],
        "value_added_23_10k_yuan": [nan, 25.0, nan, nan],
    })
