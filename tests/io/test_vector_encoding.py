"""Shapefile text encodings: GBK without .cpg must come back as correct Chinese."""

from __future__ import annotations

import struct

import pytest

from landuse.errors import InputFileError
from landuse.io._encoding import detect_dbf_encoding
from landuse.io.vector import read_landuse, read_protected_areas
from tests.io._vector_data import make_dltb, write

NAMES = ["水田", "果园", "农村宅基地", "公路用地", "田坎", "河流水面"]


def _shapefile(tmp_path, encoding, *, keep_cpg=False, fmt="shp"):
    path = write(make_dltb(), "shp", tmp_path, encoding=encoding)
    cpg = path.with_suffix(".cpg")
    if not keep_cpg:
        cpg.unlink()
    dbf = path.with_suffix(".dbf").read_bytes()
    assert dbf[29] == 0  # no language driver id: nothing in the file names the encoding
    if fmt == "zip":
        import zipfile

        zpath = tmp_path / "DLTB.zip"
        with zipfile.ZipFile(zpath, "w") as zf:
            for member in sorted(path.parent.iterdir()):
                zf.write(member, member.name)
        return zpath
    return path


@pytest.mark.parametrize("fmt", ["shp", "zip"])
def test_gbk_without_cpg_reads_as_chinese(tmp_path, fmt):
    path = _shapefile(tmp_path, "GBK", fmt=fmt)
    # the raw bytes really are GBK: 水田 = CB AE CC EF
    raw = (path if fmt == "shp" else path.parent / "shp" / "DLTB.shp").with_suffix(".dbf")
    assert "水田".encode("gbk") in raw.read_bytes()
    lu = read_landuse(path)
    assert lu["DLMC"].tolist() == NAMES
    assert lu["ZLDWMC"].tolist() == ["东村"] * 3 + ["西村"] * 3
    assert lu.attrs["source"]["encoding"] == "GB18030"
    found = [f for f in lu.attrs["findings"] if f.code == "encoding_detected"]
    assert len(found) == 1 and found[0].severity == "info" and "GB18030" in found[0].message


def test_utf8_without_cpg_reads_as_chinese(tmp_path):
    lu = read_landuse(_shapefile(tmp_path, "UTF-8"))
    assert lu["DLMC"].tolist() == NAMES
    assert lu.attrs["source"]["encoding"] == "UTF-8"
    assert "encoding_detected" in {f.code for f in lu.attrs["findings"]}


def test_gbk_with_cpg_uses_the_cpg(tmp_path):
    lu = read_landuse(_shapefile(tmp_path, "GBK", keep_cpg=True))
    assert lu["DLMC"].tolist() == NAMES
    assert "encoding_detected" not in {f.code for f in lu.attrs["findings"]}
    assert lu.attrs["source"]["encoding"] == "GBK"  # the .cpg's content, as written


def test_encoding_argument_overrides(tmp_path):
    path = _shapefile(tmp_path, "GBK")
    lu = read_landuse(path, encoding="GBK")
    assert lu["DLMC"].tolist() == NAMES
    assert lu.attrs["source"]["encoding"] == "GBK"
    assert "encoding_detected" not in {f.code for f in lu.attrs["findings"]}


def test_wrong_encoding_argument_is_an_error_with_the_fix(tmp_path):
    path = _shapefile(tmp_path, "GBK")
    with pytest.raises(InputFileError, match=r"do not decode as 'UTF-8'.*GB18030"):
        read_landuse(path, encoding="UTF-8")


def test_a_wrong_cpg_is_reported_and_can_be_overridden(tmp_path):
    path = _shapefile(tmp_path, "GBK")
    path.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(InputFileError, match=r"\.cpg says UTF-8.*GB18030"):
        read_landuse(path)
    assert read_landuse(path, encoding="GBK")["DLMC"].tolist() == NAMES


def test_other_readers_detect_too(tmp_path):
    import geopandas as gpd

    from tests.io._vector_data import square

    gdf = gpd.GeoDataFrame({"id": ["P1"], "name": ["马踏湖湿地公园"], "category": ["湿地公园"]},
                           geometry=[square(0)], crs=4527)
    path = tmp_path / "pa.shp"
    gdf.to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    pa = read_protected_areas(path)
    assert pa["name"].tolist() == ["马踏湖湿地公园"]
    assert pa["category"].tolist() == ["自然公园"] and pa["subtype"].tolist() == ["湿地公园"]


def _dbf(values: list[bytes], *, ldid: int = 0) -> bytes:
    """A minimal dBASE III file with one character field NAME (width 20), built by hand."""
    width = 20
    header_len = 32 + 32 + 1
    record_len = 1 + width
    head = struct.pack("<BBBBIHH", 3, 126, 1, 1, len(values), header_len, record_len)
    head += bytes(17) + bytes([ldid]) + bytes(2)
    field = b"NAME".ljust(11, b"\x00") + b"C" + bytes(4) + bytes([width, 0]) + bytes(14)
    body = b"".join(b" " + v.ljust(width, b" ") for v in values)
    return head + field + b"\x0d" + body + b"\x1a"


def test_detect_on_hand_made_dbf_bytes():
    assert len(_dbf([b"abc"])) == 65 + 21 + 1
    assert detect_dbf_encoding(_dbf([b"abc", b"0101"]), source="x").how == "ascii"
    gbk = detect_dbf_encoding(_dbf(["耕地".encode("gbk"), "中国".encode("gbk")]), source="x")
    assert gbk.encoding == "GB18030" and gbk.how == "detected"
    utf = detect_dbf_encoding(_dbf(["耕地".encode(), "中国".encode()]), source="x")
    assert utf.encoding == "UTF-8"


def test_undecodable_bytes_ask_for_an_encoding():
    # 0x80 alone is neither valid UTF-8 nor a valid GB18030 sequence
    with pytest.raises(InputFileError, match="encoding="):
        detect_dbf_encoding(_dbf([b"\x80\x20\x80"]), source="bad.dbf")
