"""The plan's duties in the annual run of the sample county (issue 19).

Every figure is checked against the input tables themselves, summed here with pandas (not
through the code under test), and against the other outputs of the same run.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from landuse.config import parse_config
from landuse.errors import ConfigError
from landuse.run import run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "config.toml"
C = "370321"
DUTY_FILES = ("farmland_balance.csv", "farmland_supplement_balance.csv",
              "linkage_projects.csv", "linkage_survey_check.csv",
              "enterprise_performance.csv", "low_efficiency_land.csv",
              "low_efficiency_land.gpkg", "unsupplied_by_age.csv", "evaluation.csv")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("duties") / "out"
    run(SAMPLE, out=out)
    return out


@pytest.fixture(scope="module")
def county(out) -> dict[str, dict]:
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    return {r["id"]: r for r in doc["indicators"] if r["zone"] == C}


def test_every_part_is_written(out, county):
    for name in DUTY_FILES:
        assert (out / name).is_file(), name
    for iid in ("farmland_outflow_area", "farmland_inflow_area", "farmland_net_change",
                "farmland_to_construction_area", "farmland_supplement_balance",
                "linkage_surplus_quota", "industrial_tax_per_mu", "industrial_output_per_mu",
                "unsupplied_land_area", "tdt1018_intensity_index", "tdt1018_index"):
        assert iid in county, iid
    sheets = openpyxl.load_workbook(out / "indicators.xlsx", read_only=True).sheetnames
    assert "节约集约利用评价 TD-T 1018 evaluation" in sheets
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "增减挂钩项目" in html and "耕地占补平衡" in html


def test_balance_csv_adds_up_to_the_indicators(out, county):
    t = pd.read_csv(out / "farmland_balance.csv", dtype={"zone": str, "from_code": str,
                                                         "to_code": str})
    c = t[t["zone"] == C]
    assert c.loc[c["direction"] == "out", "area_ha"].sum() == pytest.approx(
        county["farmland_outflow_area"]["value"])
    assert c.loc[c["direction"] == "in", "area_ha"].sum() == pytest.approx(
        county["farmland_inflow_area"]["value"])
    assert (c["area_mu"] / c["area_ha"]).to_numpy() == pytest.approx(15.0)
    # the outflow equals the transitions out of 0101-0103 into other classes
    tr = pd.read_csv(out / "transitions.csv", dtype={"zone": str, "from_code": str,
                                                     "to_code": str})
    farm = {"0101", "0102", "0103"}
    tc = tr[(tr["zone"] == C) & tr["from_code"].isin(farm) & ~tr["to_code"].isin(farm)]
    assert tc["area_ha"].sum() == pytest.approx(county["farmland_outflow_area"]["value"])


def test_tables_drive_the_figures(county):
    sup = pd.read_csv(ROOT / "sample_data" / "farmland_supplement.csv")
    done_2022 = sup[sup["验收日期"].str.startswith("2022")]
    assert county["farmland_supplement_area"]["value"] == pytest.approx(
        done_2022["新增耕地面积(公顷)"].sum())
    lk = pd.read_csv(ROOT / "sample_data" / "linkage.csv")
    assert county["linkage_surplus_quota"]["value"] == pytest.approx(
        lk["reclaimed_area_ha"].sum() - lk["used_area_ha"].sum())
    qy = pd.read_csv(ROOT / "sample_data" / "enterprises.csv")
    assert county["industrial_tax_per_mu"]["value"] == pytest.approx(
        qy["实缴税金(万元)"].sum() / qy["用地面积(亩)"].sum())
    # without fixed-asset investment in stats.csv, that measure is not computable, with why
    inv = county["fixed_asset_investment_per_construction_land"]
    assert inv["status"] == "not_computable" and "固定资产投资" in inv["reason"]


def test_evaluation_never_scores_missing_as_zero(out, county):
    ev = pd.read_csv(out / "evaluation.csv", dtype={"zone": str})
    missing = ev[ev["status"] == "not_computable"]
    assert missing["score"].isna().all() and (missing["reason"].str.len() > 0).all()
    idx = county["tdt1018_index"]
    if idx["value"] is None:
        assert idx["status"] == "not_computable" and idx["reason"]


def test_config_rejects_unknown_keys_in_the_new_tables():
    data = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))
    assert parse_config(data, SAMPLE).tables["linkage"].path.name == "linkage.csv"
    data["tables"]["linkage"]["sheet"] = "x"
    with pytest.raises(ConfigError, match=r"tables.linkage.*sheet|sheet.*tables.linkage") as e:
        parse_config(data, SAMPLE)
    assert "1 problem" in str(e.value) or str(e.value).count("\n  - ") == 1
