"""Property test: malformed boundary-point TXT files fail only with InputFileError.

Whatever lines hypothesis assembles (valid headers and points, truncated or garbled lines,
stray sections, undecodable bytes), the reader either returns parcels or raises the
documented InputFileError naming the file; never another exception.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landuse.errors import InputFileError, LanduseWarning
from landuse.io.boundary_txt import read_boundary_txt

META = ["[属性描述]", "坐标系=2000国家大地坐标系", "几度分带=3", "带号=39", "精度=0.001"]

coord = st.one_of(
    st.floats(4_089_000, 4_091_000).map(lambda v: f"{v:.3f}"),
    st.floats(39_589_000, 39_591_000).map(lambda v: f"{v:.3f}"),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "abc", "1e400", "-0", "０.5"]),
)
point_line = st.builds(lambda r, x, y: f"J1,{r},{x},{y}",
                       st.sampled_from(["1", "2", "3", "0", "-1", "1.5", "x", ""]), coord, coord)
header_line = st.builds(
    lambda n, a, k: f"{n},{a},P,名,{k},,用途,0601,@",
    st.sampled_from(["5", "0", "x", "", "999999"]),
    st.sampled_from(["0.5", "0.5公顷", "", "abc", "1亩", "-1"]),
    st.sampled_from(["面", "线", "点", "", "圆"]),
)
junk_line = st.text(alphabet=st.sampled_from(list(",@[]=.- 0123456789J面线点\t\r带号")),
                    max_size=30)
section = st.sampled_from(["[地块坐标]", "[项目信息]", "[属性描述]", "[坏", "带号=", "带号=40",
                           "分带=6度带", "坐标系=WGS84"])
line = st.one_of(point_line, point_line, point_line, header_line, junk_line, section)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(line, max_size=25), meta=st.booleans(), coords=st.booleans(),
       garbage=st.binary(max_size=4), crlf=st.booleans())
def test_malformed_files_raise_only_input_file_error(body, meta, coords, garbage, crlf):
    lines = (META if meta else []) + (["[地块坐标]"] if coords else []) + body
    text = ("\r\n" if crlf else "\n").join(lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.txt"
        data = text.encode("utf-8") + garbage
        path.write_bytes(data)
        # the garbage bytes can break lines too (b"\n", b"\r", b"\x0c" ...): the file's
        # lines, counted with every byte that any decoding could read as a line break
        n_lines = len(data.decode("latin-1").splitlines())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LanduseWarning)
            try:
                gdf = read_boundary_txt(path)
            except InputFileError as exc:
                msg = str(exc)
                assert str(path) in msg
                m = re.search(r", line (\d+):", msg)
                assert m is not None, msg  # every error on an existing file names a line
                assert 1 <= int(m.group(1)) <= n_lines + 1
                return
    assert isinstance(gdf, gpd.GeoDataFrame) and len(gdf) >= 1
    assert gdf.crs is not None


ring_pts = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=6)
parcel_rings = st.lists(ring_pts, min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(parcels=st.lists(st.tuples(parcel_rings, st.sampled_from(["面", "线", "点"])), min_size=1,
                        max_size=4))
def test_degenerate_geometries_never_crash(parcels):
    # well-formed lines, arbitrary (collinear, repeated, self-crossing, nested) rings
    out = [*META, "[地块坐标]"]
    for no, (rings, kind) in enumerate(parcels):
        pts = [f"J1,{r},{4_090_000 + 10 * y}.000,{39_590_000 + 10 * x}.000"
               for r, ring in enumerate(rings, start=1) for x, y in ring]
        out += [f"{len(pts)},,P{no},名,{kind},,,,@", *pts]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.txt"
        path.write_text("\n".join(out), encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LanduseWarning)
            try:
                gdf = read_boundary_txt(path)
            except InputFileError as exc:
                assert re.search(r"line \d+", str(exc))
                return
    assert len(gdf) == len(parcels)
