"""Every EPSG code the TXT reader can pick, checked against pyproj's own CRS names."""

from __future__ import annotations

import pyproj
import pytest

from landuse.errors import CRSError
from landuse.io.boundary_txt import gk_epsg

PYPROJ_DATUM = {"CGCS2000": "CGCS2000", "Xian 1980": "Xian 1980", "Beijing 1954": "Beijing 1954"}


def expected_name(datum: str, width: int, zone: int, prefixed: bool) -> str:
    """The EPSG registry's name, built from the zone definition (CM = 3n or 6n - 3)."""
    if width == 3:
        tail = f"zone {zone}" if prefixed else f"CM {3 * zone}E"
        return f"{PYPROJ_DATUM[datum]} / 3-degree Gauss-Kruger {tail}"
    tail = f"zone {zone}" if prefixed else f"CM {6 * zone - 3}E"
    return f"{PYPROJ_DATUM[datum]} / Gauss-Kruger {tail}"


CASES = [
    (datum, width, zone, prefixed)
    for datum in PYPROJ_DATUM
    for width, zones in ((3, range(25, 46)), (6, range(13, 24)))
    for zone in zones
    for prefixed in (True, False)
]


@pytest.mark.parametrize(("datum", "width", "zone", "prefixed"), CASES)
def test_epsg_name_matches_pyproj(datum, width, zone, prefixed):
    code = gk_epsg(datum, width, zone, prefixed=prefixed)
    assert pyproj.CRS.from_epsg(code).name == expected_name(datum, width, zone, prefixed)


def test_documented_anchor_codes():
    # domain.md §1 and §5.1: zone 39 with prefix 4527, without 4548
    assert gk_epsg("CGCS2000", 3, 39, prefixed=True) == 4527
    assert gk_epsg("CGCS2000", 3, 39, prefixed=False) == 4548
    assert gk_epsg("Xian 1980", 3, 25, prefixed=True) == 2349
    assert gk_epsg("Beijing 1954", 6, 23, prefixed=False) == 21463


def test_prefixed_false_easting_carries_the_zone():
    for datum in PYPROJ_DATUM:
        crs = pyproj.CRS.from_epsg(gk_epsg(datum, 3, 39, prefixed=True))
        fe = next(p.value for p in crs.coordinate_operation.params if p.name == "False easting")
        assert fe == 39_500_000


@pytest.mark.parametrize(("width", "zone"), [(3, 24), (3, 46), (6, 12), (6, 24), (4, 30)])
def test_out_of_table_is_an_error(width, zone):
    with pytest.raises(CRSError, match="no EPSG code"):
        gk_epsg("CGCS2000", width, zone, prefixed=True)
