"""Fixtures of the service tests: a data root holding the sample county, and the app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("pygeoapi")

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


_DROPPED = ("[targets]", "[layers.landuse_previous]", "[rasters.landcover]",
            "[tables.farmland_supplement]", "[tables.linkage]", "[tables.enterprises]")


def sample_config_text() -> str:
    """The sample county's config.toml, less what the service tests do not copy.

    Dropped: the targets (the service is not about targets), the previous vintage, the
    land-cover raster, the TXT parcels of the supply ledger and the bureau's duty tables
    (补充耕地, 增减挂钩, enterprises), so the data root needs only
    huantai.gpkg, stats.csv and supply.csv.
    """
    text = (SAMPLE / "config.toml").read_text(encoding="utf-8")
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            dropping = line.strip() in _DROPPED
        if not dropping and not line.startswith("parcels ="):
            kept.append(line)
    return "".join(kept)


@pytest.fixture(scope="session")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ with huantai/ (the sample county), a file outside it and hostile configs."""
    base = tmp_path_factory.mktemp("serve")
    root = base / "data"
    county = root / "huantai"
    county.mkdir(parents=True)
    for name in ("huantai.gpkg", "stats.csv", "supply.csv"):
        shutil.copy(SAMPLE / name, county / name)
    (county / "config.toml").write_text(sample_config_text(), encoding="utf-8")
    # outside the root: a secret, and a county that configs inside must not reach
    (base / "secret.toml").write_text("[region]\nname = 'x'\n", encoding="utf-8")
    outside = base / "outside"
    outside.mkdir()
    shutil.copy(SAMPLE / "huantai.gpkg", outside / "huantai.gpkg")
    (root / "link_out.toml").symlink_to(base / "secret.toml")
    escaping = root / "escaping"
    escaping.mkdir()
    (escaping / "config.toml").write_text(
        sample_config_text().replace('path = "huantai.gpkg"',
                                     'path = "../../outside/huantai.gpkg"')
        .replace('path = "stats.csv"', 'path = "../huantai/stats.csv"')
        .replace('path = "supply.csv"', 'path = "../huantai/supply.csv"'), encoding="utf-8")
    # a county whose run fails after the job started (a socio-economic table without columns)
    broken = root / "broken"
    broken.mkdir()
    for name in ("huantai.gpkg", "supply.csv"):
        (broken / name).symlink_to(county / name)  # inside the root: allowed
    (broken / "stats.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    (broken / "config.toml").write_text(sample_config_text(), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def app(data_root: Path, tmp_path_factory: pytest.TempPathFactory):
    from landuse.serve import create_app

    # open_jobs: these tests list jobs without keys (the isolation tests cover the default)
    return create_app(data_root, work_dir=tmp_path_factory.mktemp("work"),
                      max_upload_bytes=300_000, open_jobs=True)


@pytest.fixture()
def client(app):
    return app.test_client()
