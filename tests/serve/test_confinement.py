"""Confinement happens before anything is opened (issue #17).

A secret GeoPackage (layer ``SECRET_LAYER_x``), a secret TOML (top key ``SECRET_KEY_y``) and
a folder of secret county files lie next to the data root. Configs under the root name
them by every path key a config has (layers, tables, parcels, rasters, classes, targets,
rules, region counties), by absolute path, ``..``, ``~`` and by symbolic links inside the
root. Every answer must be one 400 "path outside the data root" naming the config key, and
no answer may contain the secrets' names, layers, keys or whether they exist: the answer
for an existing outside file equals the answer for a missing one.
"""

from __future__ import annotations

import base64
import io
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from tests.serve.conftest import SAMPLE, sample_config_text

GK_BOX = {"type": "Polygon", "coordinates": [[[39585000, 4090000], [39585300, 4090000],
                                              [39585300, 4090300], [39585000, 4090300],
                                              [39585000, 4090000]]]}
FORBIDDEN = ("SECRET", "secret", "sekrit", "exist", "not found", "No such")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A data root with the sample county, and secrets beside it."""
    base = tmp_path_factory.mktemp("confine")
    secret = base / "sekrit"
    secret.mkdir()
    gdf = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(39585000, 4090000,
                                                                   39586000, 4091000)],
                           crs="EPSG:4527")
    gdf.to_file(secret / "secret.gpkg", layer="SECRET_LAYER_x", driver="GPKG")
    (secret / "secret.toml").write_text("SECRET_KEY_y = 1\n[SECRET_TABLE]\na = 1\n",
                                        encoding="utf-8")
    (secret / "secret.csv").write_text("SECRET_COLUMN\n1\n", encoding="utf-8")
    counties = secret / "counties"
    counties.mkdir()
    shutil.copy(secret / "secret.gpkg", counties / "370399_secret.gpkg")
    root = base / "data"
    county = root / "huantai"
    county.mkdir(parents=True)
    for name in ("huantai.gpkg", "stats.csv", "supply.csv"):
        shutil.copy(SAMPLE / name, county / name)
    (county / "config.toml").write_text(sample_config_text(), encoding="utf-8")
    (county / "link.gpkg").symlink_to(secret / "secret.gpkg")
    (county / "linkdir").symlink_to(secret)
    # a folder of county files under the root, one of which is a link out
    region = root / "region_in"
    region.mkdir()
    shutil.copy(SAMPLE / "huantai.gpkg", region / "370321.gpkg")
    (region / "370398.gpkg").symlink_to(secret / "secret.gpkg")
    # a county config under the root naming a file outside
    region_cfg = root / "region_cfg"
    region_cfg.mkdir()
    (region_cfg / "370321.toml").write_text(
        sample_config_text().replace('path = "huantai.gpkg"',
                                     f'path = "{secret / "secret.gpkg"}"'), encoding="utf-8")
    return {"base": base, "root": root, "secret": secret}


def _cases(secret: Path) -> dict[str, tuple[str, str, str]]:
    """name -> (config key, config text for an existing target, for a missing target)."""
    text = sample_config_text()

    def both(make, rel_exist: str, rel_missing: str) -> tuple[str, str]:
        return make(rel_exist), make(rel_missing)

    gpkg, missing = str(secret / "secret.gpkg"), str(secret / "gone.gpkg")
    toml, missing_toml = str(secret / "secret.toml"), str(secret / "gone.toml")
    cases = {
        "landuse absolute": ("layers.landuse.path", *both(
            lambda p: text.replace('path = "huantai.gpkg"', f'path = "{p}"', 1), gpkg,
            missing)),
        "protected dotdot": ("layers.protected_areas.path", *both(
            lambda p: text.replace('path = "huantai.gpkg"\nlayer = "ZRBHD"',
                                   f'path = "{p}"\nlayer = "ZRBHD"'),
            "../../sekrit/secret.gpkg", "../../sekrit/gone.gpkg")),
        "landuse symlink": ("layers.landuse.path", *both(
            lambda p: text.replace('path = "huantai.gpkg"', f'path = "{p}"', 1),
            "link.gpkg", "linkdir/gone.gpkg")),
        "table linked folder": ("tables.socioeconomic.path", *both(
            lambda p: text.replace('path = "stats.csv"', f'path = "{p}"'),
            "linkdir/secret.csv", "linkdir/gone.csv")),
        "table home": ("tables.socioeconomic.path", *both(
            lambda p: text.replace('path = "stats.csv"', f'path = "{p}"'),
            "~/.bashrc", "~/.sekrit-gone")),
        "parcels": ("tables.land_supply.parcels", *both(
            lambda p: text.replace('path = "supply.csv"', f'path = "supply.csv"\nparcels = "{p}"'),
            gpkg, missing)),
        "targets": ("targets.path", *both(
            lambda p: text + f'\n[targets]\npath = "{p}"\n', toml, missing_toml)),
        "rules": ("rules.path", *both(
            lambda p: text + f'\n[rules]\npath = "{p}"\n', toml, missing_toml)),
        "raster": ("rasters.landcover.path", *both(
            lambda p: text + f'\n[rasters.landcover]\npath = "{p}"\nclasses = "stats.csv"\n',
            gpkg, missing)),
        "raster classes": ("rasters.landcover.classes", *both(
            lambda p: text + f'\n[rasters.landcover]\npath = "stats.csv"\nclasses = "{p}"\n',
            str(secret / "secret.csv"), str(secret / "gone.csv"))),
        "counties folder": ("region.counties", *both(
            lambda p: text.replace("year = 2022\n", f'year = 2022\ncounties = "{p}"\n'),
            str(secret / "counties"), str(secret / "gone"))),
        "counties list": ("region.counties[1]", *both(
            lambda p: text.replace("year = 2022\n",
                                   f'year = 2022\ncounties = ["huantai.gpkg", "{p}"]\n'),
            str(secret / "counties" / "370399_secret.gpkg"), missing)),
    }
    return cases


def _execute(client, process: str, inputs: dict, **headers: str):
    return client.post(f"/processes/{process}/execution", json={"inputs": inputs},
                       headers=headers)


def _check_refusal(resp, key: str) -> str:
    assert resp.status_code == 400, resp.data
    body = resp.data.decode("utf-8")
    description = resp.get_json()["description"]
    assert "path outside the data root" in description, description
    assert key in description, description
    for word in FORBIDDEN:
        assert word not in body, body
    return description


@pytest.fixture(scope="module")
def confined_app(planted, tmp_path_factory: pytest.TempPathFactory):
    from landuse.serve import create_app

    return create_app(planted["root"], work_dir=tmp_path_factory.mktemp("work-confine"),
                      max_upload_bytes=2_000_000, open_jobs=True)


@pytest.mark.parametrize("case", [
    "landuse absolute", "protected dotdot", "landuse symlink", "table linked folder",
    "table home", "parcels", "targets", "rules", "raster", "raster classes",
    "counties folder", "counties list"])
def test_outside_paths_are_refused_before_anything_is_opened(planted, confined_app, case):
    key, exists, missing = _cases(planted["secret"])[case]
    client = confined_app.test_client()
    county = planted["root"] / "huantai"
    answers = []
    for n, text in enumerate((exists, missing)):
        name = f"case{n}.toml"
        (county / name).write_text(text, encoding="utf-8")
        config = f"huantai/{name}"
        jobs_before = len(client.get("/jobs?f=json").get_json()["jobs"])
        sync = _execute(client, "indicators", {"config": config})
        job = _execute(client, "indicators", {"config": config}, Prefer="respond-async")
        check = _execute(client, "check-new-right",
                         {"config": config, "crs": "EPSG:4527", "geometry": GK_BOX})
        # no job was created for a config that names an outside file
        assert len(client.get("/jobs?f=json").get_json()["jobs"]) == jobs_before
        answers.append([_check_refusal(r, key).replace(name, "CONFIG")
                        for r in (sync, job, check)])
    # the same words whether the outside file exists or not: no existence oracle
    assert answers[0] == answers[1]


def test_county_folder_with_a_link_out_and_county_config_naming_outside(planted,
                                                                         confined_app):
    client = confined_app.test_client()
    county = planted["root"] / "huantai"
    text = sample_config_text().replace("year = 2022\n",
                                        'year = 2022\ncounties = "../region_in"\n')
    (county / "region_link.toml").write_text(text, encoding="utf-8")
    resp = _execute(client, "indicators", {"config": "huantai/region_link.toml"},
                    Prefer="respond-async")
    _check_refusal(resp, "region.counties[1]")
    text = sample_config_text().replace("year = 2022\n",
                                        'year = 2022\ncounties = ["../region_cfg/370321.toml"]\n')
    (county / "region_cfg.toml").write_text(text, encoding="utf-8")
    resp = _execute(client, "indicators", {"config": "huantai/region_cfg.toml"},
                    Prefer="respond-async")
    _check_refusal(resp, "region.counties[0] (370321.toml) layers.landuse.path")


def _zip(files: dict[str, bytes]) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def test_uploaded_config_naming_outside_files(planted, confined_app):
    client = confined_app.test_client()
    cases = _cases(planted["secret"])
    for case in ("landuse absolute", "targets", "counties folder", "protected dotdot"):
        key, exists, missing = cases[case]
        answers = []
        for text in (exists, missing):
            archive = _zip({"config.toml": text.encode("utf-8"),
                            "stats.csv": (SAMPLE / "stats.csv").read_bytes(),
                            "supply.csv": (SAMPLE / "supply.csv").read_bytes()})
            resp = _execute(client, "indicators", {"archive_base64": archive},
                            Prefer="respond-async")
            answers.append(_check_refusal(resp, key))
        assert answers[0] == answers[1]


def test_load_config_confined_opens_nothing_outside(planted, monkeypatch):
    """The library hook: with confine_to, no GDAL call and no stat reach the secret."""
    import pyogrio

    from landuse.config import load_config
    from landuse.errors import ConfigError

    county = planted["root"] / "huantai"
    _, exists, _ = _cases(planted["secret"])["landuse absolute"]
    (county / "lib.toml").write_text(exists, encoding="utf-8")
    opened: list[str] = []
    real = pyogrio.list_layers
    monkeypatch.setattr(pyogrio, "list_layers", lambda p, *a, **k: opened.append(str(p))
                        or real(p, *a, **k))
    with pytest.raises(ConfigError) as info:
        load_config(county / "lib.toml", confine_to=planted["root"])
    assert "layers.landuse.path: path outside the data root" in str(info.value)
    assert "SECRET" not in str(info.value) and opened == []
    # without confine_to the config is the CLI's: it reads the file it names
    with pytest.raises(ConfigError) as info:
        load_config(county / "lib.toml")
    assert "SECRET_LAYER_x" in str(info.value)
