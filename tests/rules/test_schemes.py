"""Reading 用地用海 (2023) and GB/T 21010-2017 codes as 三调 codes (docs/domain.md §7).

The 三调 -> 用地用海 recoding below is written by hand from the 2023 用地用海分类指南 and
docs/domain.md §2.3, independently of ``crosswalk_sandiao_ydyh.csv``: a county recoded with it
must give the same aggregates as the 三调 original when read with ``scheme = "ydyh"``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from landuse.errors import SchemaError
from landuse.indicators import farmland, intensity
from landuse.io.vector import read_landuse
from landuse.rules import code_table
from landuse.rules.schemes import detect_scheme, read_scheme, scheme_codes

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "huantai.gpkg"

#: 三调 -> 用地用海 (first link of each class), by hand
TO_YDYH = {
    "0101": "0101", "0102": "0102", "0103": "0103", "0201": "0201", "0201K": "0201",
    "0204": "0205", "0301": "0301", "0301K": "0301", "0305": "0303", "0307": "0304",
    "0404": "0403", "0508": "1101", "05H1": "0901", "0601": "1001", "0602": "1002",
    "0701": "0701", "0702": "0703", "0809": "1301", "0810": "1401", "0810A": "1403",
    "08H1": "0801", "08H2": "0806", "08H2A": "080403", "09": "1501", "1001": "1201",
    "1003": "1202", "1004": "1207", "1005": "1208", "1006": "060102", "1101": "1701",
    "1104": "1704", "1104A": "1704", "1104K": "1704", "1106": "0506", "1107": "1705",
    "1107A": "1705", "1108": "0504", "1109": "1311", "1201": "2301", "1202": "0602",
    "1203": "2303", "1204": "2304", "1206": "2306",
}


def test_every_ydyh_class_with_a_reading_keeps_its_big_class() -> None:
    # each 用地用海 code read as a 三调 code lands in a 三调 class whose 三大类 matches what
    # the 三调 original of that class is: checked on the hand table above
    t = scheme_codes("ydyh")
    codes = code_table()
    for sandiao, ydyh in TO_YDYH.items():
        read = t.loc[ydyh[:4], "sandiao"]
        assert codes.loc[read, "sandalei"] == codes.loc[sandiao, "sandalei"], (sandiao, ydyh)
        assert codes.loc[read, "farmland"] == codes.loc[sandiao, "farmland"]


def test_issue_examples_read_right() -> None:
    t = scheme_codes("ydyh")["sandiao"]
    # 1202 公路 is not 设施农用地; 0602 种植设施 is not 采矿; 1001 工业 is not 铁路
    assert (t["1202"], t["0602"], t["1001"]) == ("1003", "1202", "0601")
    # the rows the review found missing
    assert (t["1206"], t["1208"], t["0504"], t["1311"], t["1706"], t["1101"], t["1403"],
            t["15"]) == ("1002", "1005", "1108", "1109", "1110", "0508", "0810A", "09")
    ydyh = pd.read_csv(Path(__file__).resolve().parents[2] / "landuse" / "rules" /
                       "ydyh_codes.csv", dtype=str, keep_default_na=False).set_index("code")
    assert ydyh.loc["2301", "construction"] == "0"
    gb = scheme_codes("gb21010")["sandiao"]
    assert [gb[c] for c in ("0501", "0507", "0604", "0801", "0802", "0806", "0905")] == [
        "05H1", "05H1", "0508", "08H1", "08H1", "08H2", "09"]


def test_auto_detection_and_ambiguity() -> None:
    assert detect_scheme(["0101", "05H1", "1203"])[0] == "sandiao"
    assert detect_scheme(["0101", "0703", "1701"])[0] == "ydyh"
    assert detect_scheme(["0101", "0808", "0905"])[0] == "gb21010"
    with pytest.raises(SchemaError, match="0503: GB/T 21010-2017 餐饮用地 / 用地用海"):
        detect_scheme(["0101", "0503", "0604"])  # 餐饮 + 仓储, or 沼泽草地 + 水产养殖设施
    # 0101 and 0301 mean the same in every scheme: the choice is harmless and said so
    scheme, note = detect_scheme(["0101", "0301"])
    assert scheme == "sandiao" and "same meaning" in note
    # 0602 + 1202: 采矿 + 设施农用地 (三调, GB/T 21010) or 种植设施 + 公路 (用地用海): no guess
    with pytest.raises(SchemaError, match="not guessed"):
        detect_scheme(["0101", "0602", "1202"])
    with pytest.raises(SchemaError, match="fit no known scheme"):
        detect_scheme(["0101", "9999"])


def test_unreadable_codes_are_errors() -> None:
    s = pd.Series(["0101", "16"])
    with pytest.raises(SchemaError, match="留白"):
        read_scheme(s, pd.Series(["", ""]), scheme="ydyh", areas=pd.Series([1.0, 1.0]),
                    source="x")


@pytest.fixture(scope="module")
def recoded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gpd.GeoDataFrame]:
    if not SAMPLE.exists():
        pytest.skip("sample county not generated (sample_data/make_sample.py)")
    raw = gpd.read_file(SAMPLE, layer="DLTB")
    out = raw.copy()
    out["DLBM"] = raw["DLBM"].map(TO_YDYH)
    out["KCDLBM"] = raw["KCDLBM"].fillna("").map(lambda c: TO_YDYH.get(c, c))
    assert out["DLBM"].notna().all()
    path = tmp_path_factory.mktemp("ydyh") / "huantai_ydyh.gpkg"
    out.to_file(path, layer="DLTB")
    return path, raw


def _figures(lu: gpd.GeoDataFrame) -> dict[str, pd.Series]:
    return {"total_area": intensity.total_area(lu),
            "construction_land_area": intensity.construction_land_area(lu),
            "farmland_area": farmland.farmland_area(lu),
            "development_intensity": intensity.development_intensity(lu)}


def test_sample_county_recoded_to_ydyh_gives_the_same_figures(recoded) -> None:
    path, _ = recoded
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reader's data findings are not under test
        original = read_landuse(SAMPLE, layer="DLTB")
        as_ydyh = read_landuse(path, layer="DLTB", scheme="ydyh")
        auto = read_landuse(path, layer="DLTB", scheme="auto")
    a, b, c = _figures(original), _figures(as_ydyh), _figures(auto)
    for key in a:
        pd.testing.assert_series_equal(a[key], b[key], check_exact=False, rtol=1e-12)
        pd.testing.assert_series_equal(a[key], c[key], check_exact=False, rtol=1e-12)
    found = {f.code: f for f in auto.attrs["findings"]}
    assert "scheme_detected" in found and "用地用海" in found["scheme_detected"].message
    # 080403 高等教育 is read through its class 0804 and reported
    mapped = [f for f in as_ydyh.attrs["findings"] if f.code == "scheme_mapped"]
    assert mapped and "080403" in mapped[0].message


def test_ydyh_layer_read_as_sandiao_is_an_error_with_a_hint(recoded) -> None:
    path, _ = recoded
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SchemaError, match="scheme = 'ydyh'"):
            read_landuse(path, layer="DLTB")
