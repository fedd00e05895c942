"""Shared fixtures: the committed sample county, read once per test session.

``sample_data/`` (made by ``sample_data/make_sample.py`` and ``make_vintage.py``) is read
at most once per session (once per xdist worker), each layer on first use, and **every
access hands out a deep copy** (values, geometry array, ``attrs``): a test may change what
it gets without changing what the next test sees.

- ``sample``: a :class:`SampleCounty`. ``sample["DLTB"]`` is a layer as the ``landuse.io``
  reader of its role returns it (keys: :data:`READERS`); ``sample.warnings("DLTB")`` the
  ``LanduseWarning`` messages that read raised; ``sample.raw("DLTB")`` the layer as pyogrio
  reads it, with no landuse code: the independent side of the regression tests.
- ``sample_run``: ``landuse.run.run("sample_data/config.toml", out=...)`` run once; a
  deep copy of the :class:`~landuse.run.RunResult` and the output folder (read it only).

Tests using them skip, naming the file, when the sample is absent.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import pyogrio
import pytest

from landuse.errors import LanduseWarning

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SAMPLE_GPKG = SAMPLE / "huantai.gpkg"
SAMPLE_PREVIOUS_GPKG = SAMPLE / "huantai_2021.gpkg"
SAMPLE_CONFIG = SAMPLE / "config.toml"


def _readers() -> dict[str, Callable[[], gpd.GeoDataFrame]]:
    from landuse.io.vector import (
        read_control_line,
        read_landuse,
        read_mining_rights,
        read_protected_areas,
        read_townships,
    )

    g = SAMPLE_GPKG
    return {
        "DLTB": lambda: read_landuse(g, layer="DLTB"),
        "DLTB_2021": lambda: read_landuse(SAMPLE_PREVIOUS_GPKG, layer="DLTB"),
        "XZQ": lambda: read_townships(g, layer="XZQ"),
        "STBHHX": lambda: read_control_line(g, kind="ecological_redline", layer="STBHHX"),
        "YJJBNTBHTB": lambda: read_control_line(g, kind="permanent_farmland",
                                                layer="YJJBNTBHTB"),
        "GBZNT": lambda: read_control_line(g, kind="permanent_farmland", layer="GBZNT"),
        "CZKFBJ": lambda: read_control_line(g, kind="urban_boundary", layer="CZKFBJ"),
        "ZRBHD": lambda: read_protected_areas(g, layer="ZRBHD"),
        "KYQ": lambda: read_mining_rights(g, layer="KYQ"),
    }


#: Keys of :class:`SampleCounty`: the layers of ``huantai.gpkg`` by name, and the 2021
#: vintage's DLTB (``huantai_2021.gpkg``) as ``"DLTB_2021"``.
READERS = tuple(_readers())


class SampleCounty:
    """The sample county's layers, each read once; every access returns a deep copy."""

    def __init__(self) -> None:
        self._readers = _readers()
        self._layers: dict[str, gpd.GeoDataFrame] = {}
        self._warnings: dict[str, list[str]] = {}
        self._raw: dict[str, gpd.GeoDataFrame] = {}

    @staticmethod
    def _file(name: str) -> tuple[Path, str]:
        """The file and layer name of key ``name``; skips when the file is absent."""
        path, layer = (SAMPLE_PREVIOUS_GPKG, "DLTB") if name == "DLTB_2021" else (SAMPLE_GPKG,
                                                                                   name)
        if not path.is_file():
            pytest.skip(f"{path} is absent (sample_data/make_sample.py, make_vintage.py)")
        return path, layer

    def _read(self, name: str) -> gpd.GeoDataFrame:
        if name not in self._layers:
            self._file(name)
            # the readers' findings are recorded, not raised; other warnings stay errors
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", LanduseWarning)
                self._layers[name] = self._readers[name]()
            self._warnings[name] = [str(w.message) for w in caught]
        return self._layers[name]

    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        """Layer ``name`` read by its ``landuse.io`` reader (a deep copy)."""
        return self._read(name).copy(deep=True)

    def warnings(self, name: str) -> list[str]:
        """The ``LanduseWarning`` messages raised while reading layer ``name``."""
        self._read(name)
        return list(self._warnings[name])

    def raw(self, name: str) -> gpd.GeoDataFrame:
        """Layer ``name`` as ``pyogrio.read_dataframe`` reads it (a deep copy)."""
        if name not in self._raw:
            path, layer = self._file(name)
            self._raw[name] = pyogrio.read_dataframe(path, layer=layer)
        return self._raw[name].copy(deep=True)


@pytest.fixture(scope="session")
def sample() -> SampleCounty:
    return SampleCounty()


class SampleRun(NamedTuple):
    result: Any  # landuse.run.RunResult
    out: Path


@pytest.fixture(scope="session")
def _sample_run(tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    if not SAMPLE_CONFIG.is_file():
        pytest.skip(f"{SAMPLE_CONFIG} is absent (sample_data/make_sample.py)")
    from landuse.run import run

    out = tmp_path_factory.mktemp("sample_run") / "out"
    return SampleRun(run(SAMPLE_CONFIG, out=out), out)


@pytest.fixture
def sample_run(_sample_run: SampleRun) -> SampleRun:
    return SampleRun(copy.deepcopy(_sample_run.result), _sample_run.out)
