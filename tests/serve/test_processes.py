"""The service in-process (Flask test client): descriptions, answers, refusals."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CONFIG = "huantai/config.toml"


def _execute(client, process: str, inputs: dict, **kw):
    return client.post(f"/processes/{process}/execution", json={"inputs": inputs}, **kw)


def _refused(resp, status: int = 400) -> str:
    """Assert an OGC exception document with the status; return its description."""
    assert resp.status_code == status, resp.data
    doc = resp.get_json(force=True)
    assert doc["type"] and doc["description"]
    body = resp.data.decode("utf-8")
    assert "Traceback" not in body and "File \"/" not in body
    return doc["description"]


# ----------------------------------------------------------------------- descriptions


def test_processes_are_described(client):
    listed = client.get("/processes?f=json").get_json()
    assert {p["id"] for p in listed["processes"]} == {"check-new-right", "indicators",
                                                      "txt2geojson"}
    desc = client.get("/processes/check-new-right?f=json").get_json()
    assert {"geometry", "crs", "config", "stage"} <= set(desc["inputs"])
    assert "result" in desc["outputs"]
    assert set(client.get("/processes/txt2geojson?f=json").get_json()["inputs"]) >= {
        "content", "content_base64"}
    api = client.get("/openapi?f=json").get_json()
    assert api["openapi"].startswith("3.")
    assert any(p.endswith("/execution") for p in api["paths"])
    assert client.get("/conformance?f=json").status_code == 200


# ----------------------------------------------------------------------- check-new-right


def _protected_4527() -> gpd.GeoDataFrame:
    """The sample's protected areas, reprojected by geopandas/pyproj (independent of landuse)."""
    return gpd.read_file(SAMPLE / "huantai.gpkg", layer="ZRBHD").to_crs("EPSG:4527")


def test_check_new_right_overlaps_match_shapely(client):
    pa = _protected_4527()
    core = pa.loc[pa["id"] == "ZRBHQ-001-01", "geometry"].iloc[0]
    x, y = core.representative_point().coords[0]
    right = shapely.box(x - 150, y - 150, x + 150, y + 150)
    resp = _execute(client, "check-new-right", {
        "config": CONFIG, "crs": "EPSG:4527", "geometry": shapely.geometry.mapping(right)})
    assert resp.status_code == 200, resp.data
    doc = resp.get_json()
    assert doc["allowed"] is False and doc["disposition"] == "refuse"
    assert doc["area_m2"] == pytest.approx(300 * 300)
    expected = {i: g.intersection(right).area for i, g in zip(pa["id"], pa.geometry,
                                                              strict=True)}
    inside = {c["against_id"]: c for c in doc["contacts"] if c["relation"] == "inside"}
    assert set(inside) == {i for i, a in expected.items() if a >= 1.0}
    for ident, contact in inside.items():
        # snapping to 1 mm moves an overlap by at most its perimeter x 1 mm (< 2 m² here)
        assert contact["overlap_m2"] == pytest.approx(expected[ident], abs=2.0)
        assert contact["share"] == pytest.approx(expected[ident] / 90000, abs=1e-4)
    assert inside["ZRBHQ-001-01"]["prohibited"] is True
    assert doc["reasons"] and doc["working_crs"] == "EPSG:4527"


def test_check_new_right_lonlat_and_far_right(client):
    pa = _protected_4527()
    core = pa.loc[pa["id"] == "ZRBHQ-001-01", "geometry"].iloc[0]
    x, y = core.representative_point().coords[0]
    to_ll = Transformer.from_crs("EPSG:4527", "OGC:CRS84", always_xy=True)
    ring = [to_ll.transform(px, py) for px, py in
            [(x - 100, y - 100), (x + 100, y - 100), (x + 100, y + 100), (x - 100, y + 100),
             (x - 100, y - 100)]]
    feature = {"type": "Feature", "properties": {"licence_no": "new"},
               "geometry": {"type": "Polygon", "coordinates": [ring]}}
    doc = _execute(client, "check-new-right", {"config": CONFIG, "geometry": feature}).get_json()
    assert doc["allowed"] is False and doc["crs"] == "OGC:CRS84"
    assert "ZRBHQ-001-01" in {c["against_id"] for c in doc["contacts"]}
    # a right 50 km from every protected feature: allowed, nothing touched, nobody near
    minx, miny, _, _ = pa.total_bounds
    far = shapely.box(minx - 60_000, miny - 60_000, minx - 59_000, miny - 59_000)
    doc = _execute(client, "check-new-right", {
        "config": CONFIG, "crs": "EPSG:4527", "geometry": shapely.geometry.mapping(far)},
    ).get_json()
    assert doc["allowed"] is True and doc["disposition"] == "none"
    assert doc["contacts"] == [] and doc["nearest"] is None
    assert doc["protected_area_m2"] == 0.0


GK_BOX = {"type": "Polygon", "coordinates": [[[39585000, 4090000], [39585300, 4090000],
                                              [39585300, 4090300], [39585000, 4090300],
                                              [39585000, 4090000]]]}


@pytest.mark.parametrize("geometry", [
    {"type": "Polygon", "coordinates": [[1, 2]]},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
    {"type": "Point", "coordinates": [117.9, 36.9]},
    {"type": "Polygon"},
    {"coordinates": []},
    "{not json",
    {"type": "Polygon", "coordinates": [[["a", 0], [1, 0], [1, 1], [0, 0]]]},
    {"type": "FeatureCollection", "features": []},
])
def test_malformed_geojson_is_refused(client, geometry):
    message = _refused(_execute(client, "check-new-right",
                                {"config": CONFIG, "crs": "EPSG:4527", "geometry": geometry}))
    assert "geometry" in message


@pytest.mark.parametrize(("crs", "hint"), [
    (None, "outside the area of use of OGC:CRS84"),   # GK metres sent as lon/lat
    ("EPSG:4548", "outside the area of use of EPSG:4548"),  # prefixed easting, unprefixed CRS
    ("EPSG:4526", "outside the area of use of EPSG:4526"),  # zone 38 instead of 39
    ("EPSG:999999", "not a CRS"),
    ("nonsense", "not a CRS"),
])
def test_wrong_crs_is_refused(client, crs, hint):
    inputs = {"config": CONFIG, "geometry": GK_BOX}
    if crs is not None:
        inputs["crs"] = crs
    assert hint in _refused(_execute(client, "check-new-right", inputs))


def test_legacy_crs_member_is_used_and_contradiction_refused(client):
    geometry = {**GK_BOX, "crs": {"type": "name", "properties": {"name": "EPSG:4527"}}}
    resp = _execute(client, "check-new-right", {"config": CONFIG, "geometry": geometry})
    assert resp.status_code == 200 and resp.get_json()["crs"] == "EPSG:4527"
    message = _refused(_execute(client, "check-new-right",
                                {"config": CONFIG, "geometry": geometry, "crs": "EPSG:4490"}))
    assert "contradicts" in message


# ----------------------------------------------------------------------- confinement


@pytest.mark.parametrize("name", [
    "../secret.toml", "/etc/passwd", "huantai/../../secret.toml", "..\\secret.toml",
    "C:/Windows/win.ini", "link_out.toml", "",
])
@pytest.mark.parametrize("process", ["check-new-right", "indicators"])
def test_paths_outside_data_root_are_refused(client, name, process):
    message = _refused(_execute(client, process, {"config": name, "geometry": GK_BOX,
                                                  "crs": "EPSG:4527"}
                                if process == "check-new-right" else {"config": name}))
    assert "config" in message
    assert "root:" not in message  # no server path in the answer


def test_config_naming_files_outside_root_is_refused(client):
    jobs_before = len(client.get("/jobs?f=json").get_json()["jobs"])
    message = _refused(_execute(client, "indicators", {"config": "escaping/config.toml"},
                                headers={"Prefer": "respond-async"}))
    assert "outside the data root" in message and "layers.landuse.path" in message
    # refused before a job was created
    assert len(client.get("/jobs?f=json").get_json()["jobs"]) == jobs_before
    message = _refused(_execute(client, "check-new-right", {
        "config": "escaping/config.toml", "crs": "EPSG:4527", "geometry": GK_BOX}))
    assert "outside the data root" in message


def test_malformed_config_answers_the_cli_message(client, data_root):
    (data_root / "bad.toml").write_text("[region\nname = ", encoding="utf-8")
    message = _refused(_execute(client, "indicators", {"config": "bad.toml"}))
    assert "bad.toml" in message and str(data_root) not in message


def test_missing_config_is_404(client):
    _refused(_execute(client, "indicators", {"config": "nowhere/config.toml"}), 404)


def test_unknown_input_and_bad_body_are_refused(client):
    assert "unknown input" in _refused(_execute(client, "indicators",
                                                {"config": CONFIG, "confg": 1}))
    resp = client.post("/processes/indicators/execution", data=b"{not json",
                       content_type="application/json")
    _refused(resp)
    _refused(client.post("/processes/nope/execution", json={"inputs": {}}), 404)
    assert "JSON object" in _refused(client.post("/processes/indicators/execution",
                                                 json=[1, 2]))
    assert "JSON object" in _refused(_execute(client, "indicators", ["config"]))
    _refused(client.get("/processes/indicators/execution"), 405)


# ----------------------------------------------------------------------- txt2geojson


def test_txt2geojson_reads_a_gbk_upload(client):
    path = SAMPLE / "txt" / "mining" / "mining_rights_gbk.txt"
    raw = path.read_bytes()
    resp = _execute(client, "txt2geojson", {"content_base64": base64.b64encode(raw).decode(),
                                            "filename": "../../矿权.txt"})
    assert resp.status_code == 200, resp.data
    assert resp.headers["Content-Type"].startswith("application/geo+json")
    doc = json.loads(resp.data)
    lines = raw.decode("gbk").splitlines()
    headers = [ln for ln in lines if ln.strip().endswith("@")]
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == len(headers)
    assert doc["detected_crs"] == "EPSG:4527" and doc["encoding"].upper() in ("GBK", "GB18030")
    assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4527"
    first = doc["features"][0]
    assert first["properties"]["parcel_no"] == headers[0].split(",")[2]
    # first point line: 点号,圈号,X (northing),Y (easting)
    _, _, north, east = lines[lines.index(headers[0]) + 1].split(",")
    start = shapely.get_coordinates(shapely.geometry.shape(first["geometry"]))[0]
    assert list(start) == pytest.approx([float(east), float(north)])


def _first_xy(doc: dict):
    return shapely.get_coordinates(shapely.geometry.shape(doc["features"][0]["geometry"]))[0]


def test_txt2geojson_text_reports_swapped_columns_and_reprojects(client):
    text = (SAMPLE / "txt" / "mining" / "mining_right_utf8_bom_swapped.txt").read_text(
        encoding="utf-8-sig")
    doc = json.loads(_execute(client, "txt2geojson", {"content": text}).data)
    assert "swapped_xy" in {f["code"] for f in doc["findings"]}
    assert doc["warnings"]
    # the file writes Y (easting) first: its first point line is "J1,1,<easting>,<northing>"
    first = next(line for line in text.splitlines() if line.strip().startswith("J"))
    easting, northing = (float(v) for v in first.split(",")[2:4])
    assert easting > 3e7 and northing < 1e7  # the swap the reader must undo
    assert list(_first_xy(doc)) == pytest.approx([easting, northing])
    ll = json.loads(_execute(client, "txt2geojson",
                             {"content": text, "output_crs": "OGC:CRS84"}).data)
    lon, lat = Transformer.from_crs("EPSG:4527", "OGC:CRS84", always_xy=True).transform(
        easting, northing)
    assert list(_first_xy(ll)) == pytest.approx([lon, lat])
    assert ll["detected_crs"] == "EPSG:4527" and ll["output_crs"] == "OGC:CRS84"


def test_txt2geojson_refusals(client):
    assert "exactly one" in _refused(_execute(client, "txt2geojson", {}))
    assert "base64" in _refused(_execute(client, "txt2geojson", {"content_base64": "@@@"}))
    message = _refused(_execute(client, "txt2geojson", {"content": "[地块坐标]\nJ1,1,abc,1\n"}))
    assert "upload.txt" in message and "/tmp" not in message


def test_oversized_upload_is_413(client):
    big = "J1,1,4089995.800,39585687.300\n" * 12_000  # ~360 kB > 300 kB limit
    _refused(_execute(client, "txt2geojson", {"content": big}), 413)


def test_decoded_upload_limit_is_413():
    from landuse.serve._errors import RequestRejected
    from landuse.serve._geojson import upload_bytes

    raw = "界址".encode() * 100  # 600 bytes
    with pytest.raises(RequestRejected) as info:
        upload_bytes({"content_base64": base64.b64encode(raw).decode()}, limit=599)
    assert info.value.http_status_code == 413
    assert upload_bytes({"content_base64": base64.b64encode(raw).decode()}, limit=600) == raw


def test_api_key(data_root, tmp_path):
    from landuse.serve import create_app

    app = create_app(data_root, api_key="s3cret", work_dir=tmp_path)
    c = app.test_client()
    assert c.get("/processes?f=json").status_code == 401
    assert c.get("/processes?f=json", headers={"X-API-Key": "wrong"}).status_code == 401
    assert c.get("/processes?f=json", headers={"X-API-Key": "s3cret"}).status_code == 200


def test_create_app_needs_an_existing_root(tmp_path):
    from landuse.errors import ConfigError
    from landuse.serve import create_app

    with pytest.raises(ConfigError, match="not an existing folder"):
        create_app(tmp_path / "missing")


def test_inputs_left_untouched(client, data_root):
    before = {p: p.stat().st_mtime_ns for p in (data_root / "huantai").iterdir()}
    _execute(client, "check-new-right", {"config": CONFIG, "crs": "EPSG:4527",
                                         "geometry": GK_BOX})
    assert {p: p.stat().st_mtime_ns for p in (data_root / "huantai").iterdir()} == before


def test_index_cache_sees_changed_and_removed_configs(tmp_path, monkeypatch):
    from landuse.serve import _state
    from tests.report.county import write_county

    cfg = write_county(tmp_path / "root" / "c")
    state = _state.ServiceState(data_root=(tmp_path / "root").resolve(), work_dir=tmp_path,
                                max_upload_bytes=1000)
    first = state.protected_index("c/config.toml")
    assert first.config.options.sliver_m2 == 1.0
    assert state.protected_index("c/config.toml") is first  # cached
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("sliver_m2 = 1.0",
                                                           "sliver_m2 = 2.5"), encoding="utf-8")
    assert state.protected_index("c/config.toml") is first  # within the re-check window
    monkeypatch.setattr(_state, "RECHECK_SECONDS", 0.0)
    second = state.protected_index("c/config.toml")
    assert second is not first and second.config.options.sliver_m2 == 2.5
    cfg.unlink()
    with pytest.raises(_state.RequestRejected) as err:
        state.protected_index("c/config.toml")
    assert err.value.http_status_code == 404
