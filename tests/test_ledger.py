"""Land-supply ledger reader: headers, encodings, XLSX, bad values, parcel location."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from landuse.errors import CRSError, SchemaError
from landuse.findings import get_findings
from landuse.io.boundary_txt import write_boundary_txt
from landuse.io.ledger import (
    DISPOSAL_COLUMNS,
    LEDGER_COLUMNS,
    assign_zones,
    read_land_supply,
    read_parcels,
)
from tests.helpers import assert_not_mutated

EN = ("parcel_id,batch_id,approved_date,approved_area_ha,supplied_date,supplied_area_ha,"
      "supply_type,land_source,agreed_start_date,actual_start_date,developed_share,"
      "invested_share,suspended_since,government_delay,zone")
ROWS = [
    "P1,B2020-1,2020-03-01,2.5,2020-06-01,2.5,出让,存量,2021-03-01,,,,,false,370321100",
    "P2,B2020-1,2020/3/1,1.5,,,,,,,,,,,370321101",
    "P3,B2019-2,20190715,4,2019.9.1,3.75,划拨,新增,2020-02-29,2020-05-01,0.2,30%,2021-01-01,"
    "是,370321",
]
ZH = ("地块编号,批次号,批准日期,批准面积(公顷),供地日期,供地面积（公顷）,供地方式,土地来源,"
      "约定动工日期,实际动工日期,已开发比例,已投资比例,停工日期,政府原因,行政区代码")


def write(tmp_path: Path, header: str, rows: list[str], *, encoding="utf-8", name="l.csv"):
    p = tmp_path / name
    p.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return p


def test_english_csv(tmp_path):
    df = read_land_supply(write(tmp_path, EN, ROWS))
    assert list(df.columns) == [*LEDGER_COLUMNS, "zone_source", *DISPOSAL_COLUMNS]
    assert list(df["parcel_id"]) == ["P1", "P2", "P3"]
    assert df["approved_date"].tolist() == [pd.Timestamp("2020-03-01"), pd.Timestamp("2020-03-01"),
                                            pd.Timestamp("2019-07-15")]
    assert df["supplied_date"].iat[2] == pd.Timestamp("2019-09-01")
    assert pd.isna(df["supplied_date"].iat[1]) and np.isnan(df["supplied_area_ha"].iat[1])
    assert df["agreed_start_date"].iat[2] == pd.Timestamp("2020-02-29")
    assert df["invested_share"].iat[2] == pytest.approx(0.30)  # "30%"
    assert df["government_delay"].tolist() == [False, False, True]  # false, empty, 是
    assert df["supply_type"].tolist() == ["出让", "", "划拨"]
    assert df["zone"].tolist() == ["370321100", "370321101", "370321"]
    assert df.attrs["source"]["encoding"] == "UTF-8" and df.attrs["source"]["rows"] == 3


def test_chinese_headers_gbk_and_mu(tmp_path):
    # both areas in 亩 (an approved area in 亩 beside a supplied one in ha would supply more
    # than was approved, which the reader refuses)
    header = (ZH.replace("批准面积(公顷)", "批准面积(亩)")
              .replace("供地面积（公顷）", "供地面积（亩）"))
    df = read_land_supply(write(tmp_path, header, ROWS, encoding="gbk"))
    assert df.attrs["source"]["encoding"] == "GB18030"  # as every input decoded so
    np.testing.assert_allclose(df["approved_area_ha"], [2.5 / 15, 1.5 / 15, 4 / 15])
    np.testing.assert_allclose(df["supplied_area_ha"].iloc[[0, 2]], [2.5 / 15, 3.75 / 15])


def test_utf8_bom(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + ("\n".join([ZH, *ROWS]) + "\n").encode("utf-8"))
    df = read_land_supply(p)
    assert df.attrs["source"]["encoding"] == "UTF-8" and df["parcel_id"].iat[0] == "P1"


def test_xlsx(tmp_path):
    raw = pd.DataFrame([r.split(",") for r in ROWS[:2]], columns=EN.split(","))
    raw["approved_date"] = [pd.Timestamp("2020-03-01"), pd.Timestamp("2020-03-02")]
    raw["approved_area_ha"] = [2.5, 1.5]
    raw["zone"] = [370321100.0, 370321101]  # Excel keeps codes as numbers
    p = tmp_path / "l.xlsx"
    raw.to_excel(p, index=False)
    df = read_land_supply(p)
    assert df["approved_date"].tolist() == [pd.Timestamp("2020-03-01"), pd.Timestamp("2020-03-02")]
    assert df["approved_area_ha"].tolist() == [2.5, 1.5]
    assert df["zone"].tolist() == ["370321100", "370321101"]


@pytest.mark.parametrize(
    ("row", "line", "column"),
    [
        (ROWS[2].replace(",0.2,", ",1.5,"), 4, "developed_share"),
        (ROWS[0].replace("2020-06-01", "2020-02-30"), 2, "supplied_date"),
        (ROWS[0].replace(",2.5,出让", ",-1,出让"), 2, "supplied_area_ha"),
        (ROWS[0].replace("出让", "租赁"), 2, "supply_type"),
        (ROWS[0].replace("存量", "旧"), 2, "land_source"),
        (ROWS[0].replace("false", "maybe"), 2, "government_delay"),
        (ROWS[0].replace("2021-03-01", ""), 2, "agreed_start_date"),
        (ROWS[0].replace("370321100", "3703"), 2, "zone"),
        (ROWS[0].replace(",2020-06-01,", ",,"), 2, "supplied_date"),
    ],
)
def test_bad_values_name_line_and_column(tmp_path, row, line, column):
    rows = list(ROWS)
    rows[line - 2] = row
    with pytest.raises(SchemaError) as exc:
        read_land_supply(write(tmp_path, EN, rows))
    assert f"line {line}, {column}" in str(exc.value)


def test_all_problems_listed_once(tmp_path):
    rows = [ROWS[0].replace("2020-06-01", "soon"), ROWS[1], ROWS[2].replace(",0.2,", ",2,")]
    with pytest.raises(SchemaError, match="2 bad value") as exc:
        read_land_supply(write(tmp_path, EN, rows))
    assert "line 2, supplied_date" in str(exc.value) and "line 4, developed_share" in str(exc.value)


def test_duplicate_ids_and_missing_columns(tmp_path):
    with pytest.raises(SchemaError, match="line 3, parcel_id"):
        read_land_supply(write(tmp_path, EN, [ROWS[0], ROWS[0]]))
    header = EN.replace(",invested_share", "")
    rows = [r.rsplit(",", 5)[0] + "," + ",".join(r.rsplit(",", 5)[2:]) for r in ROWS]
    with pytest.raises(SchemaError, match="invested_share"):
        read_land_supply(write(tmp_path, header, rows, name="m.csv"))


def towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"zone": ["370321100", "370321101"], "zone_name": ["索镇", "唐山镇"]},
                            geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=4527)


def test_zones_from_largest_overlap(tmp_path):
    ledger = read_land_supply(write(tmp_path, EN, ROWS))
    # P1 straddles: 30 m in 索镇, 70 m in 唐山镇 -> 唐山镇 (ledger said 索镇: conflict warning)
    # P3 lies in 索镇 only; P2 has no geometry and keeps the ledger's zone
    parcels = gpd.GeoDataFrame({"parcel_id": ["P1", "P3", "P9"]},
                               geometry=[box(70, 0, 170, 10), box(10, 10, 20, 20),
                                         box(0, 0, 1, 1)], crs=4527)
    with pytest.warns(Warning, match="zone that differs"):
        out = assert_not_mutated(assign_zones, ledger, parcels, towns())
    assert out["zone"].tolist() == ["370321101", "370321101", "370321100"]
    assert out["zone_source"].tolist() == ["geometry", "ledger", "geometry"]
    codes = {f.code for f in get_findings(out)}
    assert {"zone_conflict", "no_geometry"} <= codes


def test_zones_need_one_crs(tmp_path):
    ledger = read_land_supply(write(tmp_path, EN, ROWS))
    parcels = gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[box(0, 0, 1, 1)], crs=4548)
    with pytest.raises(CRSError, match="share one"):
        assign_zones(ledger, parcels, towns())


def test_parcels_from_txt_files(tmp_path):
    e0, n0 = 39_590_000, 4_090_000
    a = gpd.GeoDataFrame({"parcel_no": ["P1"]}, geometry=[box(e0, n0, e0 + 10, n0 + 10)],
                         crs=4527)
    b = gpd.GeoDataFrame({"parcel_no": ["P3"]}, geometry=[box(e0 + 50, n0, e0 + 60, n0 + 5)],
                         crs=4527)
    paths = [write_boundary_txt(a, tmp_path / "a.txt"), write_boundary_txt(b, tmp_path / "b.txt")]
    parcels = read_parcels(paths)
    assert parcels["parcel_id"].tolist() == ["P1", "P3"]
    assert parcels.area.tolist() == [100.0, 50.0] and parcels.crs.to_epsg() == 4527
    town = gpd.GeoDataFrame({"zone": ["370321106"], "zone_name": ["起凤镇"]},
                            geometry=[box(e0 - 100, n0 - 100, e0 + 100, n0 + 100)], crs=4527)
    with pytest.warns(Warning, match="zone that differs"):
        df = read_land_supply(write(tmp_path, EN, ROWS), parcels=parcels, townships=town)
    assert df["zone"].tolist() == ["370321106", "370321101", "370321106"]


def test_unreadable_files_are_input_file_errors(tmp_path):
    from landuse.errors import InputFileError

    with pytest.raises(InputFileError, match="cannot be read"):
        read_land_supply(tmp_path / "none.csv")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match="XLSX"):
        read_land_supply(bad)
    ragged = write(tmp_path, EN, [ROWS[0] + ",extra,fields"], name="r.csv")
    with pytest.raises(InputFileError, match="well-formed"):
        read_land_supply(ragged)


def test_parcels_in_two_crss_need_a_working_crs(tmp_path):
    # the same 10 m square, once with prefixed eastings (4527), once without (4548)
    e0, n0 = 590_000, 4_090_000
    a = gpd.GeoDataFrame({"parcel_no": ["P1"]}, geometry=[box(39e6 + e0, n0, 39e6 + e0 + 10,
                                                              n0 + 10)], crs=4527)
    b = gpd.GeoDataFrame({"parcel_no": ["P3"]}, geometry=[box(e0, n0, e0 + 10, n0 + 10)],
                         crs=4548)
    paths = [write_boundary_txt(a, tmp_path / "a.txt"), write_boundary_txt(b, tmp_path / "b.txt")]
    with pytest.raises(CRSError, match="working_crs"):
        read_parcels(paths)
    out = read_parcels(paths, working_crs="EPSG:4527")
    assert out.crs.to_epsg() == 4527
    # 4548 differs from 4527 only by the 39,000,000 m false easting
    assert out.geometry.iat[1].bounds == pytest.approx((39e6 + e0, n0, 39e6 + e0 + 10, n0 + 10))
    assert "reprojected" in {f.code for f in get_findings(out)}
    with pytest.warns(Warning, match="more than once"):
        dup = read_parcels([paths[0], paths[0]])
    assert "duplicate_parcel_id" in {f.code for f in get_findings(dup)}


def test_optional_disposal_columns(tmp_path):
    header = ZH + ",处置方式,处置日期,土地闲置费(万元)"
    rows = [ROWS[0] + ",征缴闲置费,2022-03-01,12.5", ROWS[1] + ",,,",
            ROWS[2] + ",无偿收回,2022/9/1,"]
    df = read_land_supply(write(tmp_path, header, rows))
    assert df["disposal_method"].tolist() == ["征缴土地闲置费", "", "无偿收回"]
    assert df["disposal_date"].tolist()[2] == pd.Timestamp("2022-09-01")
    assert df["idle_fee_10k_yuan"].tolist()[0] == 12.5
    # absent columns: empty, never invented
    plain = read_land_supply(write(tmp_path, EN, ROWS, name="p.csv"))
    assert (plain["disposal_method"] == "").all() and plain["disposal_date"].isna().all()
    bad = [ROWS[0] + ",拍卖,2022-03-01,", ROWS[1] + ",无偿收回,,"]
    with pytest.raises(SchemaError) as exc:
        read_land_supply(write(tmp_path, header, bad, name="b.csv"))
    assert "line 2, disposal_method: '拍卖': expected one of" in str(exc.value)
    assert "line 3, disposal_date: '': a disposal needs its date" in str(exc.value)


def test_two_headers_for_one_column_are_refused(tmp_path):
    # "地块编号" and "parcel_id" both name parcel_id (HEADER_SYNONYMS): the reader names both
    header = EN + ",地块编号"
    rows = [r + ",X" for r in ROWS]
    with pytest.raises(SchemaError, match=r"columns '地块编号' and 'parcel_id' both mean "
                                          r"parcel_id; keep one"):
        read_land_supply(write(tmp_path, header, rows))
