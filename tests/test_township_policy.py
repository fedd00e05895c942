"""One county, one answer: every output assigns a patch to the same township.

The hand-made county of ``tests/report/county.py`` (two townships of four 25 ha patches)
with one change: patch B1 (水田 0101, 25 ha, inside the XZQ polygon of township 101) carries
the ZLDWDM of township 100. Worked by hand:

- ``township = "zldwdm"`` (default): B1 counts in 100, so farmland is 100: 24 + 25 = 49 ha,
  101: 0 ha; the permanent-farmland piece P2 (lying on B1) is in 100.
- ``township = "xzq"``: B1 counts in 101: 100: 24 ha, 101: 25 ha; P2 is in 101.

A mining right C003 (100 m x 100 m) lies inside B1 and inside a protected area NR2 drawn
on B1: its township is that of its largest overlap with the township polygons of the
policy, so 100 under ``zldwdm`` (B1 is one of 100's patches) and 101 under ``xzq``.
A land-cover raster of 100 m cropland pixels over the whole county gives each township
the area of its patches: 125 ha and 75 ha under ``zldwdm``, 100 ha each under ``xzq``.

Either way the disagreement is one ``township_code_mismatch`` finding: 1 patch, 25.00 ha,
BSM B1. Every output (indicators.json, class_areas.csv, transitions.csv, redlines.csv and
.gpkg, the survey tables) must give the same figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine

import landuse.run
from tests.report import county

FARMLAND = {"zldwdm": {county.TOWN_A: 49.0, county.TOWN_B: 0.0},
            "xzq": {county.TOWN_A: 24.0, county.TOWN_B: 25.0}}
P2_TOWNSHIP = {"zldwdm": county.TOWN_A, "xzq": county.TOWN_B}
COVER = {"zldwdm": {county.TOWN_A: 125.0, county.TOWN_B: 75.0},
         "xzq": {county.TOWN_A: 100.0, county.TOWN_B: 100.0}}


def _landcover(folder: Path) -> str:
    """A 20 x 10 raster of 100 m cropland pixels over the county; its config section."""
    profile = {"driver": "GTiff", "width": 20, "height": 10, "count": 1, "dtype": "uint8",
               "crs": county.CRS,
               "transform": Affine(100.0, 0.0, county.X0, 0.0, -100.0, county.Y0 + 1000)}
    with rasterio.open(folder / "cover.tif", "w", **profile) as dst:
        dst.write(np.ones((1, 10, 20), dtype="uint8"))
    (folder / "cover.csv").write_text("value,class,construction,name_zh\n1,cropland,no,耕地\n",
                                      encoding="utf-8")
    return '[rasters.landcover]\npath = "cover.tif"\nclasses = "cover.csv"\n\n'


def _write(folder: Path, policy: str) -> Path:
    def dltb():
        g = original()
        g.loc[g["BSM"] == "B1", "ZLDWDM"] = county.TOWN_A + "0010000000"
        return g

    original = county.dltb
    county.dltb = dltb
    try:
        cfg = county.write_county(folder)
        county.dltb().to_file(folder / "county.gpkg", layer="DLTB2021", driver="GPKG")
        gpkg = folder / "county.gpkg"
        protected = gpd.read_file(gpkg, layer="protected")
        protected.loc[1] = ["NR2", "马踏湖湿地", "自然保护区", "核心保护区",
                            county.cell(2.2, 0.2, 0.6, 0.6)]
        protected.to_file(gpkg, layer="protected", driver="GPKG")
        rights = gpd.read_file(gpkg, layer="mining")
        rights.loc[2] = ["C003", "采矿权", "丙矿业", "砖瓦用粘土", "2018-01-01", "2028-01-01",
                         "existing", county.cell(2.4, 0.4, 0.2, 0.2)]
        rights.to_file(gpkg, layer="mining", driver="GPKG")
    finally:
        county.dltb = original
    cover = _landcover(folder)
    text = cfg.read_text(encoding="utf-8").replace(
        "[options]", f'{cover}[layers.landuse_previous]\npath = "county.gpkg"\nlayer = "DLTB2021"\n'
                     f'year = 2021\n\n[options]\ntownship = "{policy}"')
    cfg.write_text(text, encoding="utf-8")
    return cfg


@pytest.mark.parametrize("policy", ["zldwdm", "xzq"])
def test_every_output_agrees_on_the_township(tmp_path: Path, policy: str) -> None:
    cfg = _write(tmp_path / "in", policy)
    out = tmp_path / "out"
    result = landuse.run.run(cfg, out=out)
    want = FARMLAND[policy]

    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    farm = {r["zone"]: r["value"] for r in doc["indicators"] if r["id"] == "farmland_area"
            and r["scope"] == "township"}
    assert farm == want

    areas = pd.read_csv(out / "class_areas.csv", dtype={"zone": str, "code": str})
    paddy = areas[areas["code"] == "0101"].set_index("zone")["area_ha"]
    assert {z: float(paddy.get(z, 0.0)) for z in want} == want

    trans = pd.read_csv(out / "transitions.csv", dtype={"zone": str, "from_code": str,
                                                        "to_code": str})
    stay = trans[(trans["from_code"] == "0101") & (trans["to_code"] == "0101")]
    stay = stay.set_index("zone")["area_ha"]
    assert {z: float(stay.get(z, 0.0)) for z in want} == pytest.approx(want)

    red = pd.read_csv(out / "redlines.csv", dtype=str)
    p2 = red[(red["check"] == "line_conflict") & (red["feature_id"] == "P2")]
    assert p2["township"].tolist() == [P2_TOWNSHIP[policy]]
    # the industrial patch A3 is in township 100 under both policies
    a3 = red[red["feature_id"] == "A3"]
    assert set(a3["township"]) == {county.TOWN_A}
    c3 = red[(red["feature_id"] == "C003") & (red["against_id"] == "NR2")]
    assert c3["township"].tolist() == [P2_TOWNSHIP[policy]]
    mining = gpd.read_file(out / "redlines.gpkg", layer="mining_conflicts")
    zones = gpd.read_file(out / "redlines.gpkg", layer="zone_violations")
    c3g = mining[(mining["feature_id"] == "C003") & (mining["against_id"] == "NR2")]
    assert c3g["township"].tolist() == [P2_TOWNSHIP[policy]]
    assert zones[zones["feature_id"] == "P2"]["township"].tolist() == [P2_TOWNSHIP[policy]]

    land = pd.read_csv(out / "landcover_areas.csv", dtype={"zone": str})
    got = dict(zip(land["zone"], land["area_ha"], strict=True))
    assert {z: got[z] for z in want} == pytest.approx(COVER[policy], abs=0.01)

    level1 = pd.read_csv(out / "survey_tables" / "level1.csv", dtype={"zone": str,
                                                                        "level1_code": str})
    farm = level1[(level1["level1_code"] == "01") & (level1["level"] == "township")]
    assert dict(zip(farm["zone"], farm["area_ha"], strict=True)) == want

    mismatch = [f for f in result.findings if f.code == "township_code_mismatch"
                and f.source.endswith(":DLTB")]  # and one for the previous vintage
    assert len(mismatch) == 1
    assert mismatch[0].count == 1 and mismatch[0].examples == ["B1"]
    assert "25.00 ha" in mismatch[0].message
    assert doc["provenance"]["options"]["township"] == policy


def test_xzq_policy_needs_the_township_layer(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "in", "xzq")
    text = cfg.read_text(encoding="utf-8").replace(
        '[layers.townships]\npath = "county.gpkg"\nlayer = "XZQ"\n', "")
    cfg.write_text(text, encoding="utf-8")
    from landuse.config import load_config
    from landuse.errors import ConfigError

    with pytest.raises(ConfigError, match=r"options\.township"):
        load_config(cfg)
