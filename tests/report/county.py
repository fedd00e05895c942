"""A tiny hand-made county for the run, CLI and report tests (built in code, EPSG:4527).

Two townships of 1 km x 1 km (100 ha each) side by side, each cut into four 500 m x 500 m
patches of 25 ha (TBMJ = 250 000 m²; at the central meridian of zone 39 the planar and
ellipsoidal areas agree to far better than the readers' 0.5 % tolerance):

=========  =====================  ======================================================
township   patch (BSM, DLBM)      notes
=========  =====================  ======================================================
A 100      A1 0101 水田            KCDLBM 1203, KCMJ 10 000 m² -> farmland 24 ha, 田坎 1 ha
A 100      A2 0702 农村宅基地       CZCSXM 203 (rural settlement)
A 100      A3 0601 工业用地         CZCSXM 201 (urban-industrial)
A 100      A4 0301 乔木林地
B 101      B1 0101 水田            no deduction -> farmland 25 ha
B 101      B2 1201 空闲地           CZCSXM 202 (vacant land in a town)
B 101      B3 0702 农村宅基地       CZCSXM 202 (town land: urban-industrial)
B 101      B4 1101 河流水面
=========  =====================  ======================================================

Worked by hand: total 200 ha; construction land = A2 + A3 + B2 + B3 = 100 ha, so
development intensity = 50 % (county), 50 % (A), 50 % (B); farmland 49 ha (A 24, B 25).
Urban-industrial land = A3 + B2 + B3 = 75 ha; with an urban population of 5 000 in the
county that is 750 000 m² / 5 000 = 150 m²/person.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

CRS = "EPSG:4527"
X0, Y0 = 39_499_000.0, 4_090_000.0
COUNTY = "370321"
TOWN_A, TOWN_B = "370321100", "370321101"

PATCHES = [  # bsm, township, col, row, DLBM, KCDLBM, KCMJ, CZCSXM
    ("A1", TOWN_A, 0, 0, "0101", "1203", 10_000.0, ""),
    ("A2", TOWN_A, 1, 0, "0702", "", 0.0, "203"),
    ("A3", TOWN_A, 0, 1, "0601", "", 0.0, "201"),
    ("A4", TOWN_A, 1, 1, "0301", "", 0.0, ""),
    ("B1", TOWN_B, 2, 0, "0101", "", 0.0, ""),
    ("B2", TOWN_B, 3, 0, "1201", "", 0.0, "202"),
    ("B3", TOWN_B, 2, 1, "0702", "", 0.0, "202"),
    ("B4", TOWN_B, 3, 1, "1101", "", 0.0, ""),
]


def cell(col: float, row: float, w: float = 1.0, h: float = 1.0):
    """A box in 500 m grid units from the county's south-west corner."""
    return box(X0 + 500 * col, Y0 + 500 * row, X0 + 500 * (col + w), Y0 + 500 * (row + h))


def dltb() -> gpd.GeoDataFrame:
    rows = []
    for bsm, town, col, row, code, kc, kcmj, cz in PATCHES:
        tbmj = 250_000.0
        rows.append({"BSM": bsm, "DLBM": code, "DLMC": "", "TBMJ": tbmj, "KCDLBM": kc,
                     "KCXS": kcmj / tbmj, "KCMJ": kcmj, "TBDLMJ": tbmj - kcmj,
                     "ZLDWDM": town + "0010000000", "ZLDWMC": "村", "QSDWDM": town + "0010000000",
                     "QSXZ": "30", "CZCSXM": cz, "geometry": cell(col, row)})
    return gpd.GeoDataFrame(rows, crs=CRS)


def xzq() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"XZQDM": [TOWN_A, TOWN_B], "XZQMC": ["索镇", "唐山镇"]},
                            geometry=[cell(0, 0, 2, 2), cell(2, 0, 2, 2)], crs=CRS)


def write_county(folder: Path, *, stats: bool = True, targets: bool = True) -> Path:
    """Write the county's layers, tables and config into ``folder``; return the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "county.gpkg"
    dltb().to_file(gpkg, layer="DLTB", driver="GPKG")
    xzq().to_file(gpkg, layer="XZQ", driver="GPKG")
    gpd.GeoDataFrame({"HXBM": ["HX1"], "HXMC": ["河道生态红线"]},
                     geometry=[cell(0, 1.5, 1, 0.5)], crs=CRS).to_file(
        gpkg, layer="STBHHX", driver="GPKG")  # top half of A3 (industry): 12.5 ha conflict
    gpd.GeoDataFrame({"YJJBNTTBBH": ["P1", "P2"], "DLBM": ["0101", "0101"],
                      "YJJBNTMJ": [250_000.0, 250_000.0]},
                     geometry=[cell(0, 0), cell(2, 0)], crs=CRS).to_file(
        gpkg, layer="YJJBNTBHTB", driver="GPKG")
    gpd.GeoDataFrame({"BSM": ["U1"], "GHFQDM": ["01"]}, geometry=[cell(2, 0, 2, 2)],
                     crs=CRS).to_file(gpkg, layer="CZKFBJ", driver="GPKG")
    gpd.GeoDataFrame({"id": ["NR1"], "name": ["马踏湖自然保护区"], "category": ["自然保护区"],
                      "zone": ["核心保护区"]}, geometry=[cell(1, 1)], crs=CRS).to_file(
        gpkg, layer="protected", driver="GPKG")
    gpd.GeoDataFrame({"licence_no": ["C001", "C002"], "right_type": ["采矿权", "探矿权"],
                      "holder": ["甲矿业", "乙矿业"], "mineral": ["砖瓦用粘土", "石灰岩"],
                      "valid_from": ["2018-01-01", ""], "valid_to": ["2028-01-01", ""],
                      "stage": ["existing", "application"]},
                     geometry=[cell(1.2, 1.2, 0.2, 0.2), cell(3.2, 1.2, 0.2, 0.2)],
                     crs=CRS).to_file(gpkg, layer="mining", driver="GPKG")
    lines = [
        "[region]", 'name = "桓台县"', f'code = "{COUNTY}"', "year = 2022", "",
        "[layers.landuse]", 'path = "county.gpkg"', 'layer = "DLTB"', "",
        "[layers.townships]", 'path = "county.gpkg"', 'layer = "XZQ"', "",
        "[layers.ecological_redline]", 'path = "county.gpkg"', 'layer = "STBHHX"', "",
        "[layers.permanent_farmland]", 'path = "county.gpkg"', 'layer = "YJJBNTBHTB"', "",
        "[layers.urban_boundary]", 'path = "county.gpkg"', 'layer = "CZKFBJ"', "",
        "[layers.protected_areas]", 'path = "county.gpkg"', 'layer = "protected"', "",
        "[layers.mining_rights]", 'path = "county.gpkg"', 'layer = "mining"', "",
    ]
    if stats:
        (folder / "stats.csv").write_text(
            "year,zone,population_total,population_urban,gdp_10k_yuan\n"
            f"2022,{COUNTY},10000,5000,600000\n"
            f"2022,{TOWN_A},6000,2000,200000\n"
            f"2022,{TOWN_B},4000,3000,400000\n", encoding="utf-8")
        lines += ["[tables.socioeconomic]", 'path = "stats.csv"', ""]
    if targets:
        (folder / "targets.toml").write_text(
            '[[target]]\nid = "development_intensity"\nop = "<="\nvalue = 30\nunit = "%"\n'
            'year = 2020\nsource = "到2020年国土开发强度不超过30%"\n\n'
            '[[target]]\nid = "urban_industrial_land_per_capita"\nop = "<="\nvalue = 155\n'
            'unit = "m²/person"\nyear = 2022\nsource = "人均城镇工矿用地不超过155平方米"\n',
            encoding="utf-8")
        lines += ["[targets]", 'path = "targets.toml"', ""]
    lines += ["[options]", 'area = "official"', "sliver_m2 = 1.0"]
    config = folder / "config.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config
