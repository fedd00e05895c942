"""Land-class codes and the DLTB attribute table of the sample county."""

from __future__ import annotations

from typing import Any

import _synth_geometry as sg
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _synth_layers import FOREST, LAKE, TOWNSHIPS, km

from landuse.rules import code_table

# code mixes inside settlement zones (weights; normalised per zone kind)
ZONE_MIX = {
    "city": {"0701": 44, "05H1": 13, "08H1": 4, "08H2": 8, "0810": 4, "0810A": 1, "0601": 10,
             "0508": 3, "0809": 1.5, "1005": 1, "1201": 2.5, "09": 0.5, "1104": 1, "0102": 1,
             "08H2A": 0.6},
    "town": {"0701": 40, "05H1": 10, "08H1": 4, "08H2": 6, "0601": 20, "0508": 3, "0809": 1,
             "1005": 1, "1201": 4, "0810": 2, "0102": 4, "1104": 1, "1202": 1},
    "park": {"0601": 82, "0508": 7, "0809": 3, "1201": 5, "05H1": 2, "0102": 1},
    "mine": {"0602": 90, "0601": 6, "1104": 4},
    "village": {"0702": 80, "08H1": 1.5, "08H2": 2.5, "05H1": 2, "0601": 3, "1201": 4, "1004": 2,
                "1104": 2, "0102": 2, "0810A": 0.5, "09": 0.5, "1202": 2},
}
# rural background: code, share of the county area (%), score recipe
BACKGROUND = [
    ("1104A", 1.3, "lake"), ("1108", 0.15, "lake"), ("0101", 0.6, "lake"), ("1104", 0.7, "lake2"),
    ("1104K", 0.08, "lake2"), ("1106", 0.3, "river"), ("1109", 0.03, "river"),
    ("0301", 3.6, "forest"), ("0301K", 0.1, "forest"), ("0305", 0.3, "forest"),
    ("0307", 1.0, "river2"), ("0201", 2.7, "orchard"), ("0201K", 0.15, "orchard"),
    ("0204", 0.5, "orchard2"), ("1202", 1.3, "village"), ("0404", 0.5, "road"),
    ("1206", 0.15, "road"), ("1204", 0.1, "lake3"), ("1203", 0.05, "random"),
    ("09", 0.05, "random"), ("0103", 4.2, "dry"),
]
GRADE1_KCXS = [0.021, 0.025, 0.028, 0.031, 0.034, 0.023, 0.027, 0.036, 0.030]
STATE_CODES = {"1101", "1003", "1001", "1107A", "1109", "09", "1004"}


def _scores(rng: np.random.Generator, world: Any, xy: np.ndarray) -> dict[str, np.ndarray]:
    s = world.scale.length
    pts = shapely.points(xy)
    noise = {k: sg.NoiseField(rng, amplitude=1.0, wavelengths=(1500 * s, 9000 * s)).scalar(xy)
             for k in ("a", "b", "c", "d")}
    river = shapely.union_all(list(world.rivers.values()))
    d_river = sg.distance_to(pts, river)
    lake = np.hypot(xy[:, 0] - km(LAKE, s)[0], xy[:, 1] - km(LAKE, s)[1])
    forest = np.hypot(xy[:, 0] - km(FOREST, s)[0], xy[:, 1] - km(FOREST, s)[1])
    zones = world.zones
    settle = shapely.union_all(zones.loc[zones["kind"] == "village"].geometry.to_numpy())
    d_vil = sg.distance_to(pts, settle)
    roads = world.linear.loc[world.linear["dlbm"].isin(["1003", "1001"])].geometry.to_numpy()
    d_road = sg.distance_to(pts, shapely.union_all(roads))
    jitter = rng.uniform(0, 0.3, len(xy))
    return {
        "lake": -lake / (2200 * s) + 0.25 * noise["a"] + jitter,
        "lake2": -lake / (4500 * s) + 0.6 * noise["b"] - d_river / 3000 + jitter,
        "lake3": -lake / (3000 * s) + noise["c"] + jitter,
        "river": -d_river / 150.0 + jitter,
        "river2": -d_river / 900.0 + 0.5 * noise["d"] + jitter,
        "forest": -np.minimum(forest / (2500 * s), d_river / 500.0) + 0.5 * noise["a"] + jitter,
        "orchard": noise["c"] - forest / (30000 * s) + jitter,
        "orchard2": noise["b"] + jitter,
        "village": -d_vil / 300.0 + 0.4 * noise["d"] + jitter,
        "road": -d_road / 400.0 + noise["a"] + jitter,
        "random": rng.uniform(0, 1, len(xy)),
        "dry": noise["d"] - noise["c"] * 0.3 + jitter,
    }


def assign_attributes(rng: np.random.Generator, world: Any, faces: gpd.GeoDataFrame,
                      scale: Any) -> gpd.GeoDataFrame:
    """Give every face a DLBM, CZCSXM, location unit and the farmland attributes."""
    n = len(faces)
    geoms = faces.geometry.to_numpy()
    area = shapely.area(geoms)
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    dlbm = np.full(n, "", dtype=object)
    czcs = np.full(n, "", dtype=object)
    lin = faces["linear"].to_numpy()
    zone = faces["zone"].to_numpy()
    lin_codes = world.linear["dlbm"].to_numpy()
    zkind = world.zones["kind"].to_numpy()
    zcz = world.zones["czcsxm"].to_numpy()
    m = lin >= 0
    dlbm[m] = lin_codes[lin[m]]
    street = m & (dlbm == "1004")
    czcs[street] = zcz[np.maximum(zone[street], 0)]
    for kind, mix in ZONE_MIX.items():
        sel = np.flatnonzero(~m & (zone >= 0) & (zkind[np.maximum(zone, 0)] == kind))
        codes = list(mix)
        p = np.array([mix[c] for c in codes], dtype=float)
        dlbm[sel] = rng.choice(codes, size=len(sel), p=p / p.sum())
        czcs[sel] = zcz[zone[sel]]
    # village workshops: a third of village 0601 are independent (203A)
    vi = np.flatnonzero((czcs == "203") & (dlbm == "0601"))
    czcs[vi[rng.uniform(0, 1, len(vi)) < 0.35]] = "203A"
    free = np.flatnonzero(dlbm == "")
    total = area.sum()
    scores = _scores(rng, world, xy[free])
    taken = np.zeros(len(free), dtype=bool)
    for code, pct, recipe in BACKGROUND:
        sc = np.where(taken, -np.inf, scores[recipe])
        order = np.argsort(-sc, kind="stable")
        cum = np.cumsum(area[free][order])
        k = int(np.searchsorted(cum, pct / 100.0 * total)) + 1
        pick = order[:k]
        pick = pick[~taken[pick]]
        dlbm[free[pick]] = code
        taken[pick] = True
    dlbm[dlbm == ""] = "0102"
    czcs[(dlbm == "09") & (czcs == "")] = "205"

    vil = world.villages
    vidx = faces["village"].to_numpy()
    vcode = vil["code"].to_numpy()[vidx]
    tidx = vil["tidx"].to_numpy()[vidx]
    out = gpd.GeoDataFrame({"DLBM": dlbm.astype(str), "CZCSXM": czcs.astype(str)}, geometry=geoms)
    table = code_table()
    out["DLMC"] = table.loc[out["DLBM"], "name_zh"].to_numpy()
    out["ZLDWDM"] = [f"{c}0000000" for c in vcode]
    out["ZLDWMC"] = vil["name"].to_numpy()[vidx]
    out["QSDWDM"] = out["ZLDWDM"]
    state = np.isin(dlbm, list(STATE_CODES)) | np.isin(czcs, ["201", "202", "201A", "202A", "204"])
    out["QSXZ"] = np.where(state, "10", "30")
    farm = np.isin(dlbm, ["0101", "0102", "0103"])
    grade = np.ones(n, dtype=np.int64)
    slope = sg.NoiseField(rng, amplitude=1.0, wavelengths=(2000.0, 8000.0)).scalar(xy)
    slope = slope - 0.8 * xy[:, 1] / (12000 * scale.length)  # a little higher ground to the south
    grade[slope > 1.3] = 2
    grade[slope > 2.0] = 3
    kcxs = np.where(grade == 1, np.array(GRADE1_KCXS)[tidx], np.where(grade == 2, 0.062, 0.094))
    out["KCDLBM"] = np.where(farm, "1203", "")
    out["KCXS"] = np.where(farm, kcxs, 0.0)
    out["GDLX"] = np.where(farm & (grade >= 2), np.where(grade == 3, "TT", "PD"), "")
    out["GDPDJB"] = np.where(farm, grade.astype(str), "")
    ref = rng.uniform(0, 1, n)
    out["TBXHDM"] = np.where(farm & (ref < 0.01), "HDGD",
                             np.where(farm & (ref < 0.015), "LQGD", ""))
    zz = rng.uniform(0, 1, n)
    out["ZZSXDM"] = np.where(farm & (zz < 0.05), "FLS", np.where(farm & (zz < 0.06), "WG", ""))
    out["_tidx"] = tidx
    # north-west to south-east BSM order, stable
    order = np.lexsort((np.round(xy[:, 0], 3), -np.round(xy[:, 1] / 200.0)))
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "BSM", [f"370321{i + 1:010d}" for i in range(n)])
    return out


def area_fields(dltb: gpd.GeoDataFrame, tbmj: np.ndarray) -> gpd.GeoDataFrame:
    """TBMJ (ellipsoidal, m², 0.01), KCMJ = round(TBMJ × KCXS, 2), TBDLMJ = TBMJ − KCMJ."""
    out = dltb.copy()
    out["TBMJ"] = np.round(tbmj, 2)
    out["KCMJ"] = np.round(out["TBMJ"] * out["KCXS"], 2)
    out["TBDLMJ"] = np.round(out["TBMJ"] - out["KCMJ"], 2)
    cols = ["BSM", "DLBM", "DLMC", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ", "ZLDWDM", "ZLDWMC",
            "QSDWDM", "QSXZ", "CZCSXM", "GDLX", "GDPDJB", "TBXHDM", "ZZSXDM", "_tidx", "geometry"]
    return out[cols]


def summary(dltb: gpd.GeoDataFrame) -> dict[str, float]:
    """Headline figures (ha, %) from official areas, computed directly from the table."""
    t = code_table()
    cls = t.loc[dltb["DLBM"], "sandalei"].to_numpy()
    total = dltb["TBMJ"].sum() / 1e4
    cons = dltb.loc[cls == "建设用地", "TBDLMJ"].sum() / 1e4
    farm = dltb.loc[dltb["DLBM"].isin(["0101", "0102", "0103"]), "TBDLMJ"].sum() / 1e4
    cm = cls == "建设用地"
    ui = dltb.loc[cm & dltb["CZCSXM"].isin(["201", "201A", "202", "202A", "204"]), "TBDLMJ"].sum()
    rural = dltb.loc[cm & dltb["CZCSXM"].isin(["203", "203A"]), "TBDLMJ"].sum()
    kc = dltb["KCMJ"].sum() / 1e4
    return {
        "patches": float(len(dltb)),
        "total_ha": total,
        "farmland_ha": farm,
        "farmland_pct": 100 * farm / total,
        "construction_ha": cons,
        "construction_pct": 100 * cons / total,
        "urban_industrial_ha": ui / 1e4,
        "rural_settlement_ha": rural / 1e4,
        "tiankan_kcmj_ha": kc,
        "agricultural_pct": 100 * dltb.loc[cls == "农用地", "TBDLMJ"].sum() / 1e4 / total
        + 100 * kc / total,
        "unused_pct": 100 * dltb.loc[cls == "未利用地", "TBDLMJ"].sum() / 1e4 / total,
    }


def format_summary(s: dict[str, float], extra: dict[str, gpd.GeoDataFrame]) -> str:
    """Human-readable summary for the console and the README."""
    lines = [
        f"DLTB patches                      {int(s['patches']):>10,d}",
        f"total area (sum TBMJ)             {s['total_ha']:>12,.2f} ha",
        f"farmland 耕地 (sum TBDLMJ 01xx)     {s['farmland_ha']:>12,.2f} ha  "
        f"{s['farmland_pct']:.1f} %",
        f"construction land 建设用地          {s['construction_ha']:>12,.2f} ha  "
        f"{s['construction_pct']:.1f} %  (= development intensity)",
        f"urban-industrial 城镇工矿用地        {s['urban_industrial_ha']:>12,.2f} ha",
        f"rural settlement 村庄用地           {s['rural_settlement_ha']:>12,.2f} ha",
        f"田坎 deductions (sum KCMJ)          {s['tiankan_kcmj_ha']:>12,.2f} ha",
        f"农用地 / 未利用地 shares              {s['agricultural_pct']:.1f} % / "
        f"{s['unused_pct']:.1f} %",
    ]
    if "YJJBNTBHTB" in extra:
        yj = extra["YJJBNTBHTB"]
        farm = yj["DLBM"].isin(["0101", "0102", "0103"])
        lines.append(f"permanent farmland (sum YJJBNTMJ)  {yj['YJJBNTMJ'].sum() / 1e4:>12,.2f} ha"
                     f"  ({int((~farm).sum())} non-farm features inside)")
    if "GBZNT" in extra:
        hs = extra["GBZNT"].area.sum() / 1e4
        lines.append(f"high-standard farmland (planar)    {hs:>12,.2f} ha")
    if "STBHHX" in extra:
        lines.append(f"ecological redline (sum MJ)        {extra['STBHHX']['MJ'].sum():>12,.2f} ha")
    if "population_urban_2022" in s:
        pc = s["urban_industrial_ha"] * 1e4 / s["population_urban_2022"]
        lines.append(f"urban-industrial per urban resident 2022  {pc:>7.1f} m²/person")
    for name, gdf in extra.items():
        lines.append(f"layer {name:<12s} {len(gdf):>6d} features  {gdf.crs.to_string()}")
    return "\n".join(lines)


def township_table() -> pd.DataFrame:
    """The nine township units (code, name)."""
    return pd.DataFrame([(t[0], t[1]) for t in TOWNSHIPS], columns=["XZQDM", "XZQMC"])


#: seed of the survey-table fields (own generator: the main random stream is unchanged)
SURVEY_SEED = 18
FLYING_SHARE = 0.002


def flying_flags(dltb: pd.DataFrame) -> np.ndarray:
    """FRDBS (飞入地标识): ``1`` on ~0.2 % of the rural patches, ``0`` elsewhere.

    Drawn from its own seeded generator in BSM order, so adding the field changes no other
    attribute or geometry of the sample.
    """
    order = np.argsort(dltb["BSM"].to_numpy(), kind="stable")
    u = np.empty(len(dltb))
    u[order] = np.random.default_rng(SURVEY_SEED).uniform(0, 1, len(dltb))
    rural = (dltb["CZCSXM"].to_numpy() == "") & dltb["DLBM"].isin(
        ["0101", "0102", "0103", "0201", "0301", "0307", "1104", "1202"]).to_numpy()
    return np.where(rural & (u < FLYING_SHARE), "1", "0")


def control_areas(dltb: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
    """KZMJ (控制面积, m²) of each township: Σ TBMJ of its patches, to 0.01 (after 平差)."""
    sums = dltb.groupby(dltb["ZLDWDM"].str[:9])["TBMJ"].sum()
    return np.round(sums.reindex(codes).to_numpy(), 2)
