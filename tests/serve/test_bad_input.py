"""No 500 for bad geometry, bad JSON or a colliding archive (issue #17).

Every probe of the issue answers 4xx with the reason and where: bow-tie polygons, a
MultiPolygon whose parts overlap, a hole outside its shell (400, the GEOS validity reason
with its coordinates), a zero-area polygon inside a core zone, a ring of 3 positions, an
unclosed ring (400), JSON nested deeper than the fixed limit (400), an archive holding a
file ``a`` and a member ``a/b`` (400), and more positions than the vertex limit (413).
"""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest

CONFIG = "huantai/config.toml"
#: Inside the core zone ZRBHQ-001-01 of the sample (the docs' example right).
X0, Y0 = 39595800, 4104500


def _check(client, geometry, **extra):
    return client.post("/processes/check-new-right/execution", json={"inputs": {
        "config": CONFIG, "crs": "EPSG:4527", "geometry": geometry, **extra}})


def _refused(resp, status: int = 400) -> str:
    assert resp.status_code == status, resp.data
    doc = resp.get_json(force=True)
    assert set(doc) >= {"type", "code", "description"}
    assert "Traceback" not in resp.data.decode("utf-8")
    return str(doc["description"])


def _ring(*xy: tuple[float, float]) -> list[list[float]]:
    return [[X0 + x, Y0 + y] for x, y in xy]


def test_the_core_zone_square_is_refused_as_a_control(client):
    square = {"type": "Polygon", "coordinates": [_ring((0, 0), (300, 0), (300, 300),
                                                       (0, 300), (0, 0))]}
    doc = _check(client, square).get_json()
    assert doc["allowed"] is False  # the place is prohibited: the probes below are 400


@pytest.mark.parametrize(("geometry", "words"), [
    # bow-tie: the edges (0,0)-(300,300) and (300,0)-(0,300) cross at (150, 150)
    ({"type": "Polygon", "coordinates": [_ring((0, 0), (300, 300), (300, 0), (0, 300),
                                               (0, 0))]},
     f"self-intersection at x = {X0 + 150}, y = {Y0 + 150}"),
    # two squares overlapping on [100, 200] x [100, 200]
    ({"type": "MultiPolygon", "coordinates": [
        [_ring((0, 0), (200, 0), (200, 200), (0, 200), (0, 0))],
        [_ring((100, 100), (300, 100), (300, 300), (100, 300), (100, 100))]]},
     "invalid MultiPolygon: self-intersection at x = "),
    # a hole 1 km east of its shell
    ({"type": "Polygon", "coordinates": [
        _ring((0, 0), (300, 0), (300, 300), (0, 300), (0, 0)),
        _ring((1000, 0), (1100, 0), (1100, 100), (1000, 100), (1000, 0))]},
     f"hole lies outside shell at x = {X0 + 1000}, y = {Y0}"),
])
def test_invalid_polygons_are_400_with_reason_and_location(client, geometry, words):
    message = _refused(_check(client, geometry))
    assert words in message and "Nothing is repaired" in message


@pytest.mark.parametrize(("geometry", "words"), [
    # zero area inside the core zone: a "polygon" along a line, and one collapsed to a point
    ({"type": "Polygon", "coordinates": [_ring((0, 0), (100, 0), (300, 0), (0, 0))]},
     "zero area"),
    ({"type": "Polygon", "coordinates": [_ring((5, 5), (5, 5), (5, 5), (5, 5))]},
     "zero area"),
    # an unclosed 3-position ring (was closed silently)
    ({"type": "Polygon", "coordinates": [_ring((0, 0), (300, 0), (300, 300))]},
     "ring 0 (exterior ring) has 3 position(s); a GeoJSON ring needs at least 4"),
    # 4 positions, not closed
    ({"type": "Polygon", "coordinates": [_ring((0, 0), (300, 0), (300, 300), (0, 300))]},
     f"is not closed: it starts at [{X0}, {Y0}] and ends at [{X0}, {Y0 + 300}]"),
    # a hole of 2 positions in the second polygon
    ({"type": "MultiPolygon", "coordinates": [
        [_ring((0, 0), (10, 0), (10, 10), (0, 10), (0, 0))],
        [_ring((50, 50), (80, 50), (80, 80), (50, 80), (50, 50)), _ring((60, 60), (60, 60))]]},
     "ring 1 of polygon 1 (hole) has 2 position(s)"),
])
def test_degenerate_geometry_is_400(client, geometry, words):
    assert words in _refused(_check(client, geometry))


def test_vertex_limit_is_413(data_root, tmp_path):
    from landuse.serve import create_app

    client = create_app(data_root, work_dir=tmp_path, max_vertices=100).test_client()
    # a 100-position ring (99 distinct corners) passes, 101 positions do not
    import math

    def circle(n: int) -> dict:
        pts = [[X0 + 150 + 100 * math.cos(2 * math.pi * k / n),
                Y0 + 150 + 100 * math.sin(2 * math.pi * k / n)] for k in range(n)]
        return {"type": "Polygon", "coordinates": [[*pts, pts[0]]]}

    assert _check(client, circle(99)).status_code == 200
    message = _refused(_check(client, circle(100)), 413)
    assert "101 positions" in message and "at most 100" in message


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def test_deeply_nested_json_is_400(client):
    for depth in (100_000, 33):
        body = b'{"inputs": {"config": "huantai/config.toml", "geometry": ' + _nested(
            depth) + b"}}"
        resp = client.post("/processes/check-new-right/execution", data=body,
                           content_type="application/json")
        message = _refused(resp)
        assert f"nests JSON {depth + 2} levels deep; at most 32" in message
    # a geometry passed as a JSON string nested deeply: the JSON parser's depth error
    deep_string = json.dumps({"inputs": {"config": CONFIG, "crs": "EPSG:4527",
                                         "geometry": _nested(100_000).decode()}})
    resp = client.post("/processes/check-new-right/execution", data=deep_string,
                       content_type="application/json")
    assert "not valid JSON" in _refused(resp)
    # brackets inside strings do not count
    from landuse.serve._http import json_depth

    assert json_depth(b'{"a": "[[[[[[\\"[[[", "b": [1, {"c": []}]}') == 4


def _zip(members: dict[str, bytes]) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return base64.b64encode(buf.getvalue()).decode("ascii")


@pytest.mark.parametrize(("members", "words"), [
    ({"config.toml": b"", "a": b"x", "a/b": b"y"},
     "member 'a' is a file, and other members are inside a folder 'a/'"),
    ({"config.toml": b"", "a/b/c": b"y", "a/b": b"x"},
     "member 'a/b' is a file, and other members are inside a folder 'a/b/'"),
    ({"config.toml": b"", "a/": b"", "a/x": b"1", "a/x ": b"2", "a/x\u200b": b"3",
      "d/c.txt": b"1", "d/c.txt/": b""},
     "member 'd/c.txt' is a file, and other members are inside a folder 'd/c.txt/'"),
])
def test_archive_collisions_are_400(client, app, members, words):
    uploads = app.extensions["landuse_api"].manager.state.work_dir / "uploads"
    before = sorted(uploads.iterdir()) if uploads.is_dir() else []
    resp = client.post("/processes/indicators/execution",
                       json={"inputs": {"archive_base64": _zip(members)}})
    assert words in _refused(resp)
    assert (sorted(uploads.iterdir()) if uploads.is_dir() else []) == before


def test_duplicate_archive_member_is_400(client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, pytest.warns(UserWarning, match="Duplicate"):
        zf.writestr("config.toml", b"")
        zf.writestr("config.toml", b"[region]")
    resp = client.post("/processes/indicators/execution", json={"inputs": {
        "archive_base64": base64.b64encode(buf.getvalue()).decode()}})
    assert "member 'config.toml' appears twice" in _refused(resp)
