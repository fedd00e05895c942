"""Socio-economic table reader: CSV (UTF-8, GBK), XLSX, Chinese headers, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landuse.errors import InputFileError, SchemaError
from landuse.io.tables import SOCIO_COLUMNS, read_socioeconomic

ZH = ("年份,行政区代码,常住人口（人）,城镇常住人口,地区生产总值(万元),"
      "可比价地区生产总值,二三产业增加值\n")
BODY = ("2022,370321,530000,330000,\"5,900,000\",5600000,5500000\n"
        "2022,370321100,80000,60000,,,\n"
        "2020,370321,520000,310000,4800000,4800000,\n")


def test_chinese_headers_utf8_bom(tmp_path):
    p = tmp_path / "stats.csv"
    p.write_bytes((ZH + BODY).encode("utf-8-sig"))
    df = read_socioeconomic(p)
    assert list(df.columns) == list(SOCIO_COLUMNS)
    # sorted by year, zone; codes kept as strings
    assert df["zone"].tolist() == ["370321", "370321", "370321100"]
    assert df["year"].tolist() == [2020, 2022, 2022]
    assert df["year"].dtype == np.int64
    row = df[(df["year"] == 2022) & (df["zone"] == "370321")].iloc[0]
    assert row["population_total"] == 530000 and row["gdp_10k_yuan"] == 5_900_000
    assert np.isnan(df.loc[2, "gdp_10k_yuan"])  # empty cell -> missing, not an error
    assert df.attrs["source"]["encoding"] == "UTF-8"
    assert len(df.attrs["source"]["sha256"]) == 64


def test_gbk_csv(tmp_path):
    p = tmp_path / "stats_gbk.csv"
    p.write_bytes((ZH + BODY).encode("gbk"))
    df = read_socioeconomic(p)
    assert df.attrs["source"]["encoding"] == "GB18030"
    assert df["population_urban"].tolist() == [310000, 330000, 60000]
    same = read_socioeconomic(p, encoding="gbk")
    pd.testing.assert_frame_equal(df, same)


def test_wrong_explicit_encoding(tmp_path):
    p = tmp_path / "s.csv"
    p.write_bytes((ZH + BODY).encode("gbk"))
    with pytest.raises(InputFileError, match="cannot decode"):
        read_socioeconomic(p, encoding="utf-8")


def test_english_headers_and_leading_zeros(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("Year,zone,population_total,gdp_10k_yuan,notes\n"
                 "2022,012345678,10,20,x\n", encoding="utf-8")
    df = read_socioeconomic(p)
    assert df["zone"].tolist() == ["012345678"]
    assert np.isnan(df.loc[0, "population_urban"])  # absent column -> all missing
    assert df.attrs["findings"][0].code == "socio_columns_ignored"


def test_xlsx(tmp_path):
    p = tmp_path / "stats.xlsx"
    frame = pd.DataFrame({"年份": [2022, 2022], "行政区代码": ["370321", "370321100"],
                          "常住人口": [530000, 80000], "地区生产总值": [5_900_000.5, None]})
    frame.to_excel(p, index=False, engine="openpyxl")
    df = read_socioeconomic(p)
    assert df["zone"].tolist() == ["370321", "370321100"]
    assert df["gdp_10k_yuan"].iloc[0] == 5_900_000.5 and np.isnan(df["gdp_10k_yuan"].iloc[1])
    # numeric zone codes in a workbook are read back without ".0"
    q = tmp_path / "numeric.xlsx"
    pd.DataFrame({"year": [2022], "zone": [370321], "population_total": [1.0]}).to_excel(
        q, index=False, engine="openpyxl")
    assert read_socioeconomic(q)["zone"].tolist() == ["370321"]


@pytest.mark.parametrize("line, match", [
    ("2022,370321,abc,,,,", r"line 2, column '常住人口（人）': 'abc'"),
    ("2022,370321,-5,,,,", r"line 2, column '常住人口（人）': '-5'"),
    ("22,370321,1,,,,", r"line 2, column '年份': year '22'"),
    ("2022,3703,1,,,,", r"line 2, column '行政区代码': zone code '3703'"),
])
def test_bad_values_name_line_and_column(tmp_path, line, match):
    p = tmp_path / "s.csv"
    p.write_text(ZH + line + "\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=match):
        read_socioeconomic(p)


def test_duplicate_year_zone(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(ZH + "2022,370321,1,,,,\n2021,370321,1,,,,\n2022,370321,2,,,,\n",
                 encoding="utf-8")
    with pytest.raises(SchemaError, match=r"year 2022 zone 370321 appears on lines \[2, 4\]"):
        read_socioeconomic(p)


def test_missing_required_and_double_columns(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("年份,常住人口\n2022,1\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="missing column 'zone'"):
        read_socioeconomic(p)
    p.write_text("year,年份,zone\n2022,2022,370321\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="both mean 'year'"):
        read_socioeconomic(p)


def test_missing_file_and_format(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_socioeconomic(tmp_path / "nope.csv")
    p = tmp_path / "s.json"
    p.write_text("{}", encoding="utf-8")
    with pytest.raises(InputFileError, match="unsupported table format"):
        read_socioeconomic(p)


def test_missing_population_gives_not_computable_indicator(tmp_path):
    from landuse.indicators import intensity
    from tests.indicators import handmade as hm

    p = tmp_path / "s.csv"
    p.write_text(ZH + "2022,370321,,,,,\n", encoding="utf-8")
    socio = read_socioeconomic(p)
    s = intensity.urban_rural_construction_land_per_capita(hm.county(), socio, year=2022)
    assert s.isna().all()
    assert "no resident population" in s.attrs["reasons"]["370321"]
