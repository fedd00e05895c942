"""Make the sample county's duty tables: 补充耕地, 增减挂钩 and enterprise (亩均效益) tables.

Everything is synthetic and seeded (same seed, same files), sized to the sample county's
change between its two vintages (``huantai_2021.gpkg`` -> ``huantai.gpkg``: about 100 ha of
farmland taken by construction in 2022, and rural settlement reduced by about 100 ha):

- ``farmland_supplement.csv`` (Chinese headers): 补充耕地 projects verified in 2021 and 2022;
  the 2022 projects supplement a little more farmland than construction took county-wide,
  unevenly over the townships;
- ``linkage.csv`` (English headers): 增减挂钩 projects approved 2019–2022; the 2022
  reclamation follows the survey's settlement reduction, except one township where it
  exceeds it (a finding) and one project whose 建新 use exceeds its reclamation;
- ``enterprises.csv`` (Chinese headers, land area in 亩): 48 industrial enterprises of 2022,
  the first of them linked to supplied parcels of ``supply.csv`` by ``地块编号``.

Usage::

    python sample_data/make_duties.py [--seed 19]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TOWNS = ["370321001", "370321100", "370321101", "370321102", "370321103", "370321104",
         "370321105", "370321106", "370321107"]
# farmland taken by construction in 2022 per township in the sample (ha, rounded) and the
# share of it each township's 2022 supplement projects make good
TAKEN_2022 = {"370321001": 7.3, "370321100": 26.8, "370321101": 14.3, "370321102": 3.6,
              "370321103": 9.8, "370321104": 16.4, "370321105": 10.2, "370321106": 5.7,
              "370321107": 6.1}
SUPPLEMENT_SHARE = {"370321001": 0.0, "370321100": 0.7, "370321101": 1.4, "370321102": 2.0,
                    "370321103": 0.8, "370321104": 1.5, "370321105": 1.6, "370321106": 1.0,
                    "370321107": 0.9}
# 2022 rural-settlement reduction shown by the survey (ha) where linkage projects reclaim
REDUCTION_2022 = {"370321100": 11.3, "370321101": 7.2, "370321104": 31.2, "370321105": 38.9,
                  "370321106": 6.8}


def supplement(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for year, scale in ((2021, 0.8), (2022, 1.0)):
        n = 0
        for town in TOWNS:
            total = TAKEN_2022[town] * SUPPLEMENT_SHARE[town] * scale
            parts = rng.integers(1, 3) if total > 0 else 0
            for w in rng.dirichlet(np.ones(parts)) if parts else []:
                n += 1
                area = round(total * float(w), 4)
                rows.append({
                    "项目编号": f"BC{year}-{n:03d}", "年度": year, "乡镇代码": town,
                    "新增耕地面积(公顷)": area,
                    "其中水田面积(公顷)": round(area * float(rng.uniform(0.0, 0.3)), 4),
                    "质量等别": int(rng.integers(6, 10)),
                    "验收日期": f"{year}-{int(rng.integers(3, 12)):02d}-"
                                f"{int(rng.integers(1, 28)):02d}"})
    return pd.DataFrame(rows)


def linkage(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    n = 0
    for year in (2019, 2020, 2021):  # earlier projects: verified before the change period
        for town in rng.choice(TOWNS[1:], size=2, replace=False):
            n += 1
            approved = round(float(rng.uniform(5, 20)), 4)
            reclaimed = round(approved * float(rng.uniform(0.85, 1.0)), 4)
            rows.append({"project_id": f"GG{year}-{n:02d}", "year": year, "zone": town,
                         "new_zone": "370321001", "approved_area_ha": approved,
                         "reclaimed_area_ha": reclaimed,
                         "used_area_ha": round(reclaimed * float(rng.uniform(0.6, 1.0)), 4),
                         "verified_date": f"{year}-{int(rng.integers(6, 13)):02d}-15"})
    for town, red in REDUCTION_2022.items():  # verified in 2022, against the survey
        n += 1
        reclaimed = round(red * (1.2 if town == "370321100" else float(rng.uniform(0.8, 0.98))),
                          4)
        used = round(reclaimed * (1.1 if town == "370321101" else float(rng.uniform(0.3, 0.9))),
                     4)
        rows.append({"project_id": f"GG2022-{n:02d}", "year": 2021, "zone": town,
                     "new_zone": "370321100" if town != "370321100" else "370321001",
                     "approved_area_ha": round(reclaimed * 1.05, 4),
                     "reclaimed_area_ha": reclaimed, "used_area_ha": used,
                     "verified_date": f"2022-{int(rng.integers(3, 11)):02d}-20"})
    return pd.DataFrame(rows)


def enterprises(rng: np.random.Generator) -> pd.DataFrame:
    ledger = pd.read_csv(HERE / "supply.csv", dtype=str)
    sup = ledger[(ledger["supplied_date"] != "") & ledger["supplied_date"].notna()
                 & (ledger["supply_type"] == "出让")].head(20)
    rows = []
    for k in range(48):
        if k < len(sup):
            parcel, town = sup["parcel_id"].iat[k], sup["zone"].iat[k]
            mu = round(float(sup["supplied_area_ha"].iat[k]) * 15.0, 2)
        else:
            parcel, town = "", str(rng.choice(TOWNS))
            mu = round(float(rng.lognormal(np.log(60), 0.6)), 2)
        tax_mu = float(rng.lognormal(np.log(9.0), 0.7))
        out_mu = tax_mu * float(rng.uniform(15, 35))
        m2 = mu * 10000.0 / 15.0
        rows.append({
            "企业编号": f"QY{k + 1:03d}", "企业名称": f"示例企业{k + 1:03d}", "年度": 2022,
            "乡镇代码": town, "地块编号": parcel, "用地面积(亩)": mu,
            "实缴税金(万元)": round(tax_mu * mu, 1), "工业总产值(万元)": round(out_mu * mu, 1),
            "总建筑面积(平方米)": round(m2 * float(rng.uniform(0.4, 1.6)), 0),
            "建筑基底面积(平方米)": round(m2 * float(rng.uniform(0.22, 0.6)), 0),
            "固定资产投资(万元)": round(mu / 15.0 * float(rng.lognormal(np.log(3000), 0.4)), 0),
            "从业人员": int(rng.integers(20, 600))})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    for name, frame in (("farmland_supplement.csv", supplement(rng)),
                        ("linkage.csv", linkage(rng)), ("enterprises.csv", enterprises(rng))):
        frame.to_csv(HERE / name, index=False, encoding="utf-8", lineterminator="\n")
        print(f"{name}: {len(frame)} rows")


if __name__ == "__main__":
    main()
