"""Readers of the bureau's duty tables: headers, units, encodings and the error messages."""

from __future__ import annotations

import pandas as pd
import pytest

from landuse.errors import InputFileError, SchemaError
from landuse.io.bureau import (
    read_bureau_table,
    read_enterprises,
    read_farmland_supplement,
    read_linkage,
)

HEAD_ZH = "项目编号,年度,乡镇代码,新增耕地面积(亩),其中水田面积(亩),质量等别,验收日期\n"


def test_supplement_chinese_gbk_and_mu(tmp_path):
    path = tmp_path / "bc.csv"
    path.write_bytes((HEAD_ZH + "BC-1,2022,370321100,15,7.5,7,2022年5月1日\n").encode("gbk"))
    t = read_farmland_supplement(path)
    assert t.attrs["source"]["encoding"] == "GB18030"  # as every input decoded so
    # 15 亩 = 1 ha, 7.5 亩 = 0.5 ha
    assert t[["area_ha", "paddy_area_ha", "grade"]].iloc[0].tolist() == [1.0, 0.5, 7.0]
    assert t["verified_date"].iloc[0] == pd.Timestamp("2022-05-01")
    assert t["year"].dtype == "int64" and t["zone"].iloc[0] == "370321100"


def test_supplement_english_xlsx(tmp_path):
    path = tmp_path / "bc.xlsx"
    pd.DataFrame({"project_id": ["A", "B"], "year": [2022, 2022], "zone": [370321100, None],
                  "area_ha": [2.0, 1.0], "Note": ["x", "y"]}).to_excel(path, index=False)
    t = read_farmland_supplement(path)
    assert t["zone"].tolist() == ["370321100", ""]  # Excel number -> code text
    assert t["paddy_area_ha"].isna().all() and t["grade"].isna().all()  # absent: NaN, not 0
    assert t.attrs["findings"][0].code == "columns_ignored"


def test_every_bad_value_is_listed_with_line_column_and_fix(tmp_path):
    path = tmp_path / "bc.csv"
    path.write_text(HEAD_ZH
                    + "BC-1,22,370321100,15,7.5,7,2022-05-01\n"      # line 2: year
                    # line 3: zone, paddy, grade, date
                    + "BC-2,2022,3703211,15,30,16,2022-02-30\n"
                    + "BC-2,2022,370321100,abc,,,\n", encoding="utf-8")  # line 4: dup id, area
    with pytest.raises(SchemaError) as exc:
        read_farmland_supplement(path)
    msg = str(exc.value)
    assert "farmland_supplement table" in msg and str(path) in msg
    for piece in ("line 2, year: '22': write a 4-digit year",
                  "line 3, zone: '3703211'", "line 3, grade", "1 (best) to 15",
                  "line 3, verified_date: '2022-02-30'",
                  "line 3, paddy_area_ha: 2.0: 其中水田 is part of 新增耕地",
                  "line 4, area_ha: 'abc': write a number in hectares",
                  "line 4, project_id: 'BC-2': ids must be unique"):
        assert piece in msg, piece
    assert "line 4, area_ha: '': area_ha is required" not in msg  # one message per cell


def test_missing_column_names_the_accepted_headers(tmp_path):
    path = tmp_path / "gg.csv"
    path.write_text("project_id,year,zone\nG1,2022,370321100\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"lacks the column\(s\) approved_area_ha \(批准规模"):
        read_linkage(path)


def test_reclaimed_above_approved_is_an_error(tmp_path):
    path = tmp_path / "gg.csv"
    path.write_text("项目编号,批准年度,拆旧区乡镇代码,批准规模(公顷),验收复垦面积(公顷),建新已使用面积(公顷)\n"
                    "G1,2021,370321100,5,6,1\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"line 2, reclaimed_area_ha: 6\.0: verified reclamation"):
        read_linkage(path)


def test_enterprise_units(tmp_path):
    path = tmp_path / "qy.csv"
    path.write_text("企业编号,年度,乡镇代码,用地面积(平方米),税收(元),产值\n"
                    "E1,2022,370321100,20000,5,5\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="money is read in 万元"):
        read_enterprises(path)
    path.write_text("企业编号,年度,乡镇代码,用地面积(平方米),税收(万元),产值,建筑面积(亩)\n"
                    "E1,2022,370321100,20000,5,5,3\n", encoding="utf-8")
    t = read_enterprises(path)
    # 20 000 m² = 2 ha; a floor area in 亩: 3 × 666.67 m² = 2000 m²
    assert t["land_area_ha"].iloc[0] == pytest.approx(2.0)
    assert t["floor_area_m2"].iloc[0] == pytest.approx(2000.0)


def test_unknown_role_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="role must be one of"):
        read_bureau_table(tmp_path / "x.csv", "nope")
    with pytest.raises(InputFileError, match=r"check \[tables.linkage\] path"):
        read_linkage(tmp_path / "missing.csv")


def test_two_headers_for_one_column_are_listed(tmp_path):
    # "年度" and "year" both name the year column; the problem is listed with the others
    path = tmp_path / "lk.csv"
    path.write_text("项目编号,年度,year,拆旧区乡镇代码\nG1,2022,2022,370321100\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"columns 'year' and '年度' both mean year; keep one"):
        read_linkage(path)
