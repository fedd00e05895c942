"""Tables of the sample county: socio-economic statistics, the plan's targets, the run config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _synth_layers import TOWNSHIPS

YEARS = list(range(2017, 2023))
COUNTY = "370321"
# township shares: resident population, urban share of it, GDP
POP_SHARE = [0.16, 0.17, 0.10, 0.09, 0.10, 0.11, 0.09, 0.08, 0.10]
URBAN_SHARE = [0.97, 0.86, 0.62, 0.55, 0.58, 0.60, 0.54, 0.52, 0.55]
GDP_SHARE = [0.14, 0.16, 0.16, 0.08, 0.09, 0.14, 0.08, 0.07, 0.08]
COUNTY_POP = [497_800, 500_200, 502_100, 503_900, 505_600, 506_900]
URBAN_DRIFT = [0.0, 0.008, 0.016, 0.026, 0.034, 0.041]  # urbanisation gain vs 2017
GDP_NOMINAL = [5_126_000, 5_482_000, 5_718_000, 5_846_000, 6_392_000, 6_705_000]  # 万元
REAL_GROWTH = [None, 0.068, 0.062, 0.035, 0.081, 0.043]  # comparable-price growth
PRIMARY_SHARE = [0.047, 0.046, 0.046, 0.048, 0.045, 0.044]


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer split of ``total`` by ``weights`` (largest remainder): parts sum to total."""
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    rest = total - base.sum()
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base


def socioeconomic(rng: np.random.Generator) -> pd.DataFrame:
    """Rows by year for the nine townships and the county; township rows sum to the county."""
    rows = []
    comp = float(GDP_NOMINAL[0])
    for i, year in enumerate(YEARS):
        if i:
            comp *= 1 + REAL_GROWTH[i]
        wobble = rng.uniform(0.97, 1.03, len(TOWNSHIPS))
        pop = _split(COUNTY_POP[i], np.array(POP_SHARE) * wobble)
        urb_rate = np.minimum(np.array(URBAN_SHARE) + URBAN_DRIFT[i], 0.99)
        urb = np.round(pop * urb_rate).astype(np.int64)
        gdp = _split(GDP_NOMINAL[i], np.array(GDP_SHARE) * rng.uniform(0.96, 1.04, len(TOWNSHIPS)))
        gdp_c = _split(round(comp), gdp.astype(float))
        va = _split(round(GDP_NOMINAL[i] * (1 - PRIMARY_SHARE[i])), gdp * np.where(
            np.arange(len(TOWNSHIPS)) < 2, 1.03, 1.0))
        for j, t in enumerate(TOWNSHIPS):
            rows.append((year, t[0], pop[j], urb[j], gdp[j], gdp_c[j], va[j]))
        rows.append((year, COUNTY, pop.sum(), urb.sum(), gdp.sum(), gdp_c.sum(), va.sum()))
    df = pd.DataFrame(rows, columns=["year", "zone", "population_total", "population_urban",
                                     "gdp_10k_yuan", "gdp_comparable_10k_yuan",
                                     "value_added_23_10k_yuan"])
    return df.sort_values(["year", "zone"], kind="stable").reset_index(drop=True)


S1 = ("到2020年，国土空间布局日益优化，城镇村用地结构和布局达到规划目标，国土开发强度不超过30%，"
      "城镇工矿空间规模控制在6517.01公顷以内；到2022年，人均城镇工矿用地控制在155平方米以内。")
S2 = ("到2020年，单位GDP占用建设用地面积下降21%以上，到2022年，力争挖潜盘活存量建设用地2530亩以上，"
      "减少农村居民点等集体建设用地规模10600亩以上；建设用地地均GDP产出由目前的 26.24万元/亩提升至 "
      "37.59万元/亩以上")
S3 = ("到2020年，全县耕地保有量保持在42.16万亩以上，永久基本农田保护面积保持在38.70万亩以上，"
      "建成高标准农田12.7万亩。")
S4 = "加快批而未供土地利用，力争土地供地率总体水平达到80％以上。"

TARGETS_TOML = f'''# Targets of the plan 桓政办发〔2018〕46号
# (桓台县落实国土资源节约集约示范省创建工作任务实施方案).
# Every target is its own input (docs/domain.md §1): none is derived from another.
# Unit conversions (landuse.units): 1 亩 = 10000/15 m²; 1 万亩 = 10000 亩 = 666.667 ha;
# 1 ha = 15 亩. value is in the unit of the indicator id (docs/contract.md §3.3);
# value_original / unit_original keep the plan's own figure.

[[target]]
id = "development_intensity"
op = "<="
value = 30
unit = "%"
year = 2020
# set on the 土地利用总体规划 basis (TD/T 1024): judged with [rules] name = "tugui-basis@1"
# (docs/domain.md §7)
basis = "tugui-basis@1"
source = "{S1}"

[[target]]
id = "urban_industrial_land_area"
op = "<="
value = 6517.01
unit = "ha"
year = 2020
# set on the 土地利用总体规划 basis (TD/T 1024): judged with [rules] name = "tugui-basis@1"
# (docs/domain.md §7)
basis = "tugui-basis@1"
source = "{S1}"

[[target]]
id = "urban_industrial_land_per_capita"
op = "<="
value = 155
unit = "m²/person"
year = 2022
source = "{S1}"

# the plan gives no base year; 2015 (the start of the 13th five-year period) is assumed
# (verify). The target judges only a decline measured from base_year, never a one-year change.
[[target]]
id = "construction_land_per_gdp_decline"
op = ">="
value = 21
unit = "%"
year = 2020
base_year = 2015
source = "{S2}"

# 2530 亩 = 2530 / 15 ha = 168.67 ha (the unit of this id is ha); cumulative from the plan's
# year 2018 (base_year assumed, verify): only a change measured from 2018 is judged
[[target]]
id = "stock_land_revitalised_area"
op = ">="
value = 168.67
unit = "ha"
year = 2022
base_year = 2018
value_original = 2530
unit_original = "亩"
source = "{S2}"

# 10600 亩 = 10600 / 15 ha = 706.67 ha (the unit of this id is ha); cumulative from the
# plan's year 2018 (base_year assumed, verify)
[[target]]
id = "rural_settlement_reduction_area"
op = ">="
value = 706.67
unit = "ha"
year = 2022
base_year = 2018
value_original = 10600
unit_original = "亩"
source = "{S2}"

# baseline in the plan: 26.24 万元/亩 ("目前", i.e. 2017/2018)
[[target]]
id = "gdp_per_construction_land"
op = ">="
value = 37.59
unit = "万元/亩"
year = 2022
source = "{S2}"

# 42.16 万亩 = 421600 亩 / 15 = 28106.67 ha
[[target]]
id = "farmland_area"
op = ">="
value = 28106.67
unit = "ha"
year = 2020
value_original = 42.16
unit_original = "万亩"
source = "{S3}"

# 38.70 万亩 = 387000 亩 / 15 = 25800 ha
[[target]]
id = "permanent_farmland_area"
op = ">="
value = 25800
unit = "ha"
year = 2020
value_original = 38.70
unit_original = "万亩"
source = "{S3}"

# 12.7 万亩 = 127000 亩 / 15 = 8466.67 ha ("建成", read as at least)
[[target]]
id = "high_standard_farmland_area"
op = ">="
value = 8466.67
unit = "ha"
year = 2020
value_original = 12.7
unit_original = "万亩"
source = "{S3}"

# the plan names no year for this one; 2022 is the plan's horizon
[[target]]
id = "land_supply_rate"
op = ">="
value = 80
unit = "%"
year = 2022
source = "{S4}"
'''

CONFIG_TOML = '''# Run config of the synthetic sample county (docs/contract.md §2).
# Paths are relative to this file.
# Run:  landuse run sample_data/config.toml --out out/

[region]
name = "桓台县"
code = "370321"
year = 2022

[layers.landuse]
path = "huantai.gpkg"
layer = "DLTB"
scheme = "sandiao"
year = 2022          # the survey year (no SJNF field in the layer): checked against region.year

[layers.townships]
path = "huantai.gpkg"
layer = "XZQ"

[layers.ecological_redline]
path = "huantai.gpkg"
layer = "STBHHX"

[layers.permanent_farmland]
path = "huantai.gpkg"
layer = "YJJBNTBHTB"

[layers.urban_boundary]
path = "huantai.gpkg"
layer = "CZKFBJ"

[layers.protected_areas]
path = "huantai.gpkg"
layer = "ZRBHD"

[layers.mining_rights]
path = "huantai.gpkg"
layer = "KYQ"

[layers.high_standard_farmland]
path = "huantai.gpkg"
layer = "GBZNT"

# the previous survey vintage (made by make_vintage.py): transitions.csv and change indicators
[layers.landuse_previous]
path = "huantai_2021.gpkg"
layer = "DLTB"
year = 2021

# a categorical land-cover raster (made by make_vintage.py): landcover_areas.csv
[rasters.landcover]
path = "landcover.tif"
classes = "landcover_classes.csv"

[tables.socioeconomic]
path = "stats.csv"

[tables.land_supply]
path = "supply.csv"
# boundary-point TXT files giving the parcels' geometry (made by make_supply.py)
parcels = "txt/supply"

# the bureau's duty tables (made by make_duties.py): 占补平衡, 增减挂钩, 亩均效益
[tables.farmland_supplement]
path = "farmland_supplement.csv"

[tables.linkage]
path = "linkage.csv"

[tables.enterprises]
path = "enterprises.csv"

[targets]
path = "targets.toml"

[options]
area = "official"
sliver_m2 = 1.0
evaluation_date = "2022-12-31"
'''


def write_tables(out: Path, summary: dict[str, Any], *, seed: int = 370321) -> pd.DataFrame:
    """Write stats.csv, targets.toml and config.toml into ``out``; return the stats."""
    rng = np.random.default_rng(seed + 1)
    stats = socioeconomic(rng)
    stats.to_csv(out / "stats.csv", index=False, lineterminator="\n")
    (out / "targets.toml").write_text(TARGETS_TOML, encoding="utf-8")
    (out / "config.toml").write_text(CONFIG_TOML, encoding="utf-8")
    return stats
