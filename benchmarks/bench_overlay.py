"""Benchmark of the area-tabulation engine (issue 3) against its peers.

Tabulates the DLTB patches (by DLBM) against four zone layers (townships, ecological
redline, permanent farmland, urban development boundary) with:

* ``landuse``    - ``landuse.overlay.tabulate`` (this engine);
* ``geopandas``  - ``geopandas.overlay(a, b, how="intersection")`` + area + groupby;
* ``postgis``    - PostGIS 3 on a private server (initdb / pg_ctl on 127.0.0.1, started and
  stopped by this script), ``ST_Intersection`` with the ``ST_ContainsProperly`` shortcut,
  zones cut with ``ST_Subdivide`` (the documented PostGIS practice); load time reported apart;
* ``sedonadb``   - SedonaDB (``pip install "sedonadb[geopandas]"``), same SQL shape with an
  ``ST_Within`` shortcut; load (``create_data_frame``) reported apart.

Every engine runs in its own subprocess (``--worker``), reports the median of ``--runs``
runs and its peak resident memory (sampled every 5 ms) above the memory after loading the
layers; the tables of all engines are compared (max relative difference per group).
It also compares ``tabulate`` with QGIS's own intersection of the NYC boroughs
(``--qgis-dir``), per (BoroCode, polygon) pair.

Data: ``--data large_county.gpkg`` (made by ``sample_data/make_sample.py --large``) or,
without it, a synthetic county generated here: ``--size`` patches (jittered-Voronoi cells
with ~30 vertices on a continuous coverage) and zone polygons with thousands of vertices.

Usage::

    python benchmarks/bench_overlay.py --size 200000 --runs 3
    python benchmarks/bench_overlay.py --size 50000 --runs 3 --skip-geopandas
    python benchmarks/bench_overlay.py --data sample_data/large/large_county.gpkg
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from overlay_layouts import LAYOUTS, blob, coverage, layout

HERE = Path(__file__).resolve().parent
# measure the landuse of this checkout (workers too), not another installed copy
sys.path.insert(1, str(HERE.parent))
CRS = "EPSG:4527"
ZONES = {  # layer -> key column (None: the whole layer is one zone)
    "XZQ": "XZQDM",
    "STBHHX": "HXBM",
    "YJJBNTTB": None,
    "CZKFBJ": "GHFQDM",
}
CODES = ["0101", "0102", "0103", "0201", "0202", "0301", "0305", "0307", "0401", "0404",
         "0601", "0602", "0701", "0702", "08H2", "0809", "0810", "1001", "1003", "1006",
         "1101", "1104", "1107", "1109", "1201", "1202", "1203", "1206"]


# ----------------------------------------------------------------------------- data


def synthetic_county(size: int, seed: int = 3) -> dict[str, gpd.GeoDataFrame]:
    """DLTB with ``size`` patches and four zone layers, EPSG:4527 near Huantai."""
    rng = np.random.default_rng(seed)
    side = float(np.sqrt(size * 2500.0))  # mean patch 2 500 m², like a 三调 county
    x0, y0 = 39_540_000.0, 4_080_000.0
    ext = shapely.box(x0, y0, x0 + side, y0 + side)
    n = int(np.ceil(np.sqrt(size)))
    gx, gy = np.meshgrid((np.arange(n) + 0.5) * side / n, (np.arange(n) + 0.5) * side / n)
    pts = np.column_stack([gx.ravel(), gy.ravel()])[:size]
    pts += rng.uniform(-0.35, 0.35, pts.shape) * side / n + [x0, y0]
    cells = coverage(pts, ext, step=side / n / 5, amp=0.6, wavelength=37.0)
    dltb = gpd.GeoDataFrame({"DLBM": rng.choice(CODES, len(cells)),
                             "BSM": [f"p{i}" for i in range(len(cells))]},
                            geometry=cells, crs=CRS)
    dltb["TBDLMJ"] = dltb.area * 0.9998
    dltb["KCMJ"] = np.where(dltb["DLBM"].str.startswith("01"), dltb.area * 0.03, 0.0)
    # townships: 9 Voronoi cells of the county, boundaries densified to ~thousands of vertices
    tseeds = rng.uniform(0.1, 0.9, (9, 2)) * side + [x0, y0]
    towns = coverage(tseeds, ext, step=side / 1500, amp=side / 500, wavelength=side / 20)
    xzq = gpd.GeoDataFrame({"XZQDM": [f"370321{100 + i}" for i in range(len(towns))]},
                           geometry=towns, crs=CRS)
    # ecological redline: 4 large wavy polygons (one with a hole), 3000 vertices each
    eco = [blob(rng, x0 + fx * side, y0 + fy * side, side / 9, 3000)
           for fx, fy in [(0.25, 0.25), (0.75, 0.3), (0.3, 0.75), (0.72, 0.72)]]
    eco[0] = eco[0].difference(blob(rng, x0 + 0.25 * side, y0 + 0.25 * side, side / 30, 400))
    stbhhx = gpd.GeoDataFrame({"HXBM": [f"HX{i}" for i in range(4)]}, geometry=eco, crs=CRS)
    # permanent farmland: ~size/200 blobs of 300 vertices on a jittered grid (no overlaps)
    m = max(int(np.sqrt(size / 200)), 2)
    sp = side / m
    farm = [blob(rng, x0 + (i + 0.5) * sp, y0 + (j + 0.5) * sp, sp * 0.33, 300)
            for i in range(m) for j in range(m)]
    yjjbnt = gpd.GeoDataFrame({"DLBM": ["0101"] * len(farm)}, geometry=farm, crs=CRS)
    # urban boundary: 12 blobs of 1500 vertices
    urb = [blob(rng, x0 + (i + 0.5) * side / 4, y0 + (j + 0.5) * side / 3, side / 13, 1500)
           for i in range(4) for j in range(3)]
    czkfbj = gpd.GeoDataFrame({"GHFQDM": rng.choice(["01", "02", "03"], 12)}, geometry=urb,
                              crs=CRS)
    return {"DLTB": dltb, "XZQ": xzq, "STBHHX": stbhhx, "YJJBNTTB": yjjbnt, "CZKFBJ": czkfbj}


def prepare_data(args: argparse.Namespace, work: Path,
                 name: str = "county") -> tuple[dict[str, str], dict[str, str | None]]:
    """Write the layers as GeoParquet in ``work`` (cached); their paths and the zone keys.

    ``name`` is ``"county"`` (the four control layers of ``--data`` or of the synthetic
    county) or one of the layouts of :mod:`overlay_layouts` (one zone layer ``ZONE``).
    """
    work.mkdir(parents=True, exist_ok=True)
    if name == "county":
        tag = Path(args.data).stem if args.data else f"synthetic-{args.size}"
        spec: dict[str, str | None] = dict(ZONES)
    else:
        tag, spec = f"layout-{name}", {"ZONE": "ZONE"}
    paths = {layer: str(work / f"{tag}_{layer}.parquet") for layer in ["DLTB", *spec]}
    if all(Path(p).exists() for p in paths.values()):
        return paths, spec
    t = time.perf_counter()
    if name != "county":
        layers = layout(name)
    elif args.data:
        import pyogrio

        present = {layer for layer, _ in pyogrio.list_layers(args.data)}
        alias = {"YJJBNTTB": "YJJBNTBHTB"}  # the 三区三线 name used by make_sample.py
        layers = {layer: gpd.read_file(args.data, layer=layer if layer in present
                                       else alias.get(layer, layer)) for layer in paths}
        crs = layers["DLTB"].crs
        layers = {k: v.to_crs(crs) for k, v in layers.items()}
    else:
        layers = synthetic_county(args.size)
    for layer, gdf in layers.items():
        gdf.to_parquet(paths[layer])
    print(f"data prepared in {time.perf_counter() - t:.1f}s: "
          + ", ".join(f"{k} {len(v)} features, "
                      f"{shapely.get_num_coordinates(v.geometry.array).sum()} vertices"
                      for k, v in layers.items()), flush=True)
    return paths, spec


def zone_key(gdf: gpd.GeoDataFrame, name: str, spec: dict[str, str | None]) -> str | None:
    key = spec[name]
    return key if key is not None and key in gdf.columns else None


# ----------------------------------------------------------------------------- workers


class PeakRSS:
    """Sample this process's resident memory every 5 ms; ``peak`` in bytes."""

    def __init__(self) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(0.005)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def run_landuse(a, zones, args):
    from landuse.overlay import tabulate

    # planar, like the peers (the DLTB carries TBDLMJ, so the default would be official)
    return {name: tabulate(a, b, by_a="DLBM", by_b=key, area="planar", n_jobs=args.n_jobs)
            for name, (b, key) in zones.items()}


def run_geopandas(a, zones, args):
    out = {}
    for name, (b, key) in zones.items():
        cols = ["geometry"] + ([key] if key else [])
        pieces = gpd.overlay(a[["DLBM", "geometry"]], b[cols], how="intersection",
                             keep_geom_type=True)
        keys = ["DLBM"] + ([key] if key else [])
        out[name] = (pieces.assign(area_m2=pieces.area).groupby(keys, as_index=False)["area_m2"]
                     .sum())
    return out


SQL = """
SELECT a.dlbm AS "DLBM", {bkey} SUM(CASE WHEN {inside} THEN ST_Area(a.geom)
           ELSE ST_Area(ST_Intersection(a.geom, b.geom)) END) AS area_m2
FROM dltb a JOIN {zones} b ON ST_Intersects(a.geom, b.geom)
GROUP BY 1{group}
"""


def _sql(name: str, key: str | None, inside: str, zones: str) -> str:
    return SQL.format(bkey=f'b.k AS "{key}",' if key else "", group=", 2" if key else "",
                      inside=inside, zones=zones)


def run_sedonadb(a, zones, args):
    import sedonadb

    sd = sedonadb.connect()
    t = time.perf_counter()
    sd.create_data_frame(a[["DLBM", "geometry"]].rename(columns={"DLBM": "dlbm"})
                         .rename_geometry("geom")).to_view("dltb")
    for name, (b, key) in zones.items():
        frame = (b[[key, "geometry"]].rename(columns={key: "k"}) if key else b[["geometry"]])
        sd.create_data_frame(frame.rename_geometry("geom")).to_view(name.lower())
    load = time.perf_counter() - t
    out = {name: sd.sql(_sql(name, key, "ST_Within(a.geom, b.geom)", name.lower())).to_pandas()
           for name, (b, key) in zones.items()}
    out["_load_s"] = load
    return out


def run_postgis(a, zones, args):
    import psycopg

    conn = psycopg.connect(args.dsn, autocommit=True)
    t = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        _copy(cur, "dltb", a["DLBM"].astype(str).to_numpy(), a.geometry.array)
        for name, (b, key) in zones.items():
            keys = b[key].astype(str).to_numpy() if key else np.full(len(b), "", dtype=object)
            _copy(cur, name.lower(), keys, b.geometry.array)
    load = time.perf_counter() - t
    out = {}
    with conn.cursor() as cur:
        for name, (_b, key) in zones.items():
            # cutting the zones is part of the method (as the tiling is in landuse): timed
            cur.execute(f"DROP TABLE IF EXISTS {name.lower()}_sub")
            cur.execute(f"CREATE TABLE {name.lower()}_sub AS SELECT k, ST_Subdivide(geom, 256) "
                        f"AS geom FROM {name.lower()}")
            cur.execute(f"CREATE INDEX ON {name.lower()}_sub USING gist (geom)")
            cur.execute(f"ANALYZE {name.lower()}_sub")
            inside = "ST_ContainsProperly(b.geom, a.geom)"
            cur.execute(_sql(name, key, inside, f"{name.lower()}_sub"))
            cols = [d.name for d in cur.description]
            out[name] = pd.DataFrame(cur.fetchall(), columns=cols)
    out["_load_s"] = load
    conn.close()
    return out


def _copy(cur, table: str, keys: np.ndarray, geoms) -> None:
    cur.execute(f"DROP TABLE IF EXISTS {table}; DROP TABLE IF EXISTS {table}_sub")
    col = "dlbm" if table == "dltb" else "k"
    cur.execute(f"CREATE TABLE {table} ({col} text, geom geometry(Geometry, 4527))")
    geoms = shapely.set_srid(np.asarray(geoms, dtype=object), 4527)
    hexes = shapely.to_wkb(geoms, hex=True, include_srid=True)
    with cur.copy(f"COPY {table} ({col}, geom) FROM STDIN") as copy:
        for k, h in zip(keys, hexes, strict=True):
            copy.write_row((k, h))
    cur.execute(f"CREATE INDEX ON {table} USING gist (geom)")
    cur.execute(f"ANALYZE {table}")


def run_floor(a, zones, args):
    """The GEOS work no exact method avoids: intersect the pairs whose boundaries cross.

    A pair (patch P, zone feature Z) crosses when its interiors meet and P's interior also
    meets Z's exterior (DE-9IM ``T*T******``), i.e. 0 < area(P ∩ Z) < area(P). Finding the
    pairs is not timed; the timed part is ``shapely.intersection`` + ``area`` of those
    pairs, in this one thread, with the zone features as given (not tiled).
    """
    if not hasattr(args, "_floor_pairs"):
        args._floor_pairs = {}
        for name, (b, _key) in zones.items():
            pg, zg = np.asarray(a.geometry.array), np.asarray(b.geometry.array)
            ip, iz = shapely.STRtree(zg).query(pg, predicate="intersects")
            cross = shapely.relate_pattern(pg[ip], zg[iz], "T*T******")
            args._floor_pairs[name] = (pg[ip[cross]], zg[iz[cross]])
    t, c = time.perf_counter(), time.process_time()
    for pg, zg in args._floor_pairs.values():
        shapely.area(shapely.intersection(pg, zg))
    elapsed, cpu = time.perf_counter() - t, time.process_time() - c
    n = sum(len(p) for p, _ in args._floor_pairs.values())
    return {"_info": {"crossing_pairs": n, "floor_s": elapsed, "floor_cpu_s": cpu}}


ENGINES = {"floor": run_floor, "landuse": run_landuse, "geopandas": run_geopandas,
           "postgis": run_postgis, "sedonadb": run_sedonadb}


def worker(args: argparse.Namespace) -> None:
    """Run one engine ``--runs`` times in this process; print a JSON line."""
    import psutil

    proc = psutil.Process()
    base = proc.memory_info().rss
    paths, spec = json.loads(args.paths), json.loads(args.spec)
    a = gpd.read_parquet(paths["DLTB"])
    zones = {}
    for name in spec:
        b = gpd.read_parquet(paths[name])
        zones[name] = (b, zone_key(b, name, spec))
    loaded = proc.memory_info().rss
    times, cpu, loads, result, info = [], [], [], {}, {}
    with PeakRSS() as peak:
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            result = ENGINES[args.worker](a, zones, args)
            total, total_cpu = time.perf_counter() - t, time.process_time() - c
            load = result.pop("_load_s", 0.0)
            info = result.pop("_info", info)
            if "floor_s" in info:  # the floor times only its own part
                total, total_cpu = info["floor_s"], info["floor_cpu_s"]
            loads.append(load)
            times.append(total - load)
            cpu.append(total_cpu)
    tables = {}
    for name, df in result.items():
        key = zone_key(zones[name][0], name, spec)
        keys = ["DLBM"] + ([key] if key else [])
        df = df[[*keys, "area_m2"]].copy()
        for k in keys:
            df[k] = df[k].astype(str)
        tables[name] = df.sort_values(keys).to_dict(orient="list")
    print(json.dumps({
        "engine": args.worker, "times_s": times, "cpu_s": cpu, "load_s": loads,
        "layers_mb": (loaded - base) / 2**20, "peak_extra_mb": (peak.peak - loaded) / 2**20,
        "tables": tables, "info": info,
    }))


# ----------------------------------------------------------------------------- postgis server


class PostgisServer:
    """A private PostgreSQL 15 + PostGIS 3 server in a temporary folder, run as ``postgres``."""

    BIN = Path("/usr/lib/postgresql/15/bin")

    def __init__(self, port: int = 55432) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="bench_overlay_pg_"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.bin = self.BIN

    def _as_postgres(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *cmd], check=True, capture_output=True)

    def __enter__(self) -> str:
        data = self.dir / "data"
        self._as_postgres(str(self.bin / "initdb"), "-D", str(data), "--auth=trust",
                          "-U", "postgres", "-E", "UTF8")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(data), "-o", opts, "-w",
                          "-l", str(self.dir / "log"), "start")
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def __exit__(self, *exc: object) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast",
                          "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


# ----------------------------------------------------------------------------- comparisons


def layout_row(name: str, paths: dict[str, str], results: dict[str, dict]) -> str:
    """One markdown row: wall and CPU seconds, ratios to landuse, the floor, the agreement.

    Ratios are taken on CPU seconds of the process (all its threads), which a shared
    machine disturbs much less than wall time; PostGIS works in its server, so only its
    wall time is known.
    """
    a = pd.read_parquet(paths["DLTB"], columns=["DLBM"])
    b = pd.read_parquet(paths["ZONE"], columns=["ZONE"])
    wall = {e: statistics.median(r["times_s"]) for e, r in results.items()}
    cpu = {e: statistics.median(r["cpu_s"]) for e, r in results.items()}
    ref = results.get("landuse")
    nan = float("nan")

    def peer(engine: str) -> str:
        if engine not in wall:
            return "skipped"
        diff = compare(ref["tables"], results[engine]["tables"]).split(" ")[0] if ref else "?"
        if engine == "postgis":
            return (f"{wall[engine]:.2f} wall ({wall[engine] / wall.get('landuse', nan):.1f}x "
                    f"wall; diff {diff})")
        return (f"{wall[engine]:.2f} / {cpu[engine]:.2f} "
                f"(**{cpu[engine] / cpu.get('landuse', nan):.1f}x**; diff {diff})")

    floor = results.get("floor", {})
    pairs = floor.get("info", {}).get("crossing_pairs", "?")
    f_cpu = cpu.get("floor", nan)
    over = (f"{cpu.get('landuse', nan) / f_cpu:.2f}" if pairs not in (0, "?")
            else "n/a (no crossing pair)")
    mem = (f"{(ref['layers_mb'] + ref['peak_extra_mb']) / ref['layers_mb']:.2f}" if ref
           else "?")
    return (f"| {name} | {len(a)} x {len(b)} | {pairs} | "
            f"{wall.get('landuse', nan):.2f} / {cpu.get('landuse', nan):.2f} | "
            f"{peer('geopandas')} | {peer('postgis')} | {peer('sedonadb')} | "
            f"{wall.get('floor', nan):.2f} / {f_cpu:.2f} | {over} | {mem} |")


def compare(ref: dict, other: dict) -> str:
    """Largest relative difference per layer over every (key) group, worst first.

    Groups smaller than 1e-9 of the layer total are ignored (engines differ on slivers);
    ``inf`` means a group is missing from ``other``.
    """
    worst: dict[str, float] = {}
    for name, table in ref.items():
        r = pd.DataFrame(table)
        o = pd.DataFrame(other[name])
        keys = [c for c in r.columns if c != "area_m2"]
        r = r[r["area_m2"] > 1e-9 * r["area_m2"].sum()]
        m = r.merge(o, on=keys, how="left", suffixes=("", "_o"))
        rel = abs(m["area_m2"] - m["area_m2_o"]) / m["area_m2"]
        worst[name] = float("inf") if rel.isna().any() else float(rel.max())
    order = sorted(worst, key=worst.get, reverse=True)
    return ", ".join(f"{worst[n]:.1e} ({n})" for n in order)


def qgis_check(folder: Path) -> str:
    """tabulate vs QGIS's intersection of NYC boroughs x polygons, per (BoroCode, polygon)."""
    sys.path.insert(0, str(HERE.parent))  # the repository root: tests.external reads the case
    from tests.external import US_SURVEY_FOOT_M, beside_peer, qgis_nybb

    boroughs, polygons, peer = qgis_nybb(folder)
    joined = beside_peer(boroughs, polygons, peer, ["BoroCode"], ["value1", "value2"],
                         unit_m=US_SURVEY_FOOT_M)
    missing = int(joined[["area_m2", "peer_m2"]].isna().any(axis=1).sum())
    rel = (abs(joined["area_m2"] - joined["peer_m2"]) / joined["peer_m2"]).max()
    verdict = "PASS" if missing == 0 and rel <= 1e-6 else "FAIL"
    return (f"QGIS check: {len(joined)} (BoroCode, polygon) pairs, {missing} present in only "
            f"one result, max relative difference {rel:.2e} (target 1e-6): {verdict}")


def missing(engine: str) -> str | None:
    """Why a peer cannot run here (not installed), or None."""
    import importlib.util

    if engine == "sedonadb" and importlib.util.find_spec("sedonadb") is None:
        return 'sedonadb is not installed (pip install "sedonadb[geopandas]")'
    if engine == "postgis":
        if importlib.util.find_spec("psycopg") is None:
            return "psycopg is not installed (pip install psycopg[binary])"
        if not (PostgisServer.BIN / "initdb").exists():
            return f"PostgreSQL 15 not found in {PostgisServer.BIN} (apt-get install postgresql-15)"
        if not Path("/usr/share/postgresql/15/extension/postgis.control").exists():
            return "PostGIS is not installed (apt-get install postgresql-15-postgis-3)"
    return None


def run_engines(args: argparse.Namespace, paths: dict[str, str],
                spec: dict[str, str | None], engines: list[str]) -> dict[str, dict]:
    """Run every engine in its own subprocess; their JSON results by engine."""
    results = {}
    for engine in engines:
        reason = missing(engine)
        if reason:
            print(f"{engine}: skipped, {reason}", flush=True)
            continue
        cmd = [sys.executable, __file__, "--worker", engine, "--paths", json.dumps(paths),
               "--spec", json.dumps(spec), "--runs", str(args.runs)]
        if args.n_jobs:
            cmd += ["--n-jobs", str(args.n_jobs)]
        try:
            if engine == "postgis":
                with PostgisServer() as dsn:
                    out = subprocess.run([*cmd, "--dsn", dsn], capture_output=True, text=True)
            else:
                out = subprocess.run(cmd, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"{engine}: could not run ({exc})", flush=True)
            continue
        if out.returncode != 0:
            print(f"{engine}: failed\n{out.stderr[-3000:]}", flush=True)
            continue
        results[engine] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{engine}: median {statistics.median(results[engine]['times_s']):.2f}s", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--layout", default="county", choices=["county", *LAYOUTS, "all"],
                   help="county: the four control layers (default); a layout of issue 20; "
                        "all: the four layouts one after the other")
    p.add_argument("--size", type=int, default=200_000, help="synthetic DLTB patches")
    p.add_argument("--data", default=None, help="large_county.gpkg from make_sample.py --large")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--n-jobs", type=int, default=None, help="threads for landuse")
    p.add_argument("--work", type=Path, default=HERE / "_work" / "overlay")
    p.add_argument("--qgis-dir", type=Path,
                   default=HERE.parent.parent / "shared" / "external" / "qgis_overlay_nybb")
    for name in ["geopandas", "postgis", "sedonadb", "qgis", "floor"]:
        p.add_argument(f"--skip-{name}", action="store_true")
    p.add_argument("--worker", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    p.add_argument("--paths", help=argparse.SUPPRESS)
    p.add_argument("--spec", help=argparse.SUPPRESS)
    p.add_argument("--dsn", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    engines = ["landuse"] + [e for e in ("geopandas", "sedonadb", "postgis", "floor")
                             if not getattr(args, f"skip_{e}")]
    if args.layout != "county":
        if "floor" in engines:  # first, so that its figure is taken beside the others
            engines = ["floor"] + [e for e in engines if e != "floor"]
        names = list(LAYOUTS) if args.layout == "all" else [args.layout]
        rows = []
        for name in names:
            print(f"\n== layout {name}", flush=True)
            paths, spec = prepare_data(args, args.work, name)
            rows.append(layout_row(name, paths, run_engines(args, paths, spec, engines)))
        print(f"\nruns={args.runs} (medians), cpus={os.cpu_count()}, "
              f"load average {os.getloadavg()[0]:.1f} at the end\n")
        print("seconds are wall / CPU (medians); x = peer CPU / landuse CPU\n")
        print("| layout | patches x zones | crossing pairs | landuse s | geopandas s (x) | "
              "PostGIS s (x) | SedonaDB s (x) | floor s | landuse / floor (CPU) | "
              "peak / layers |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        print("\n".join(rows))
        if "floor" in engines:
            print("\nfloor = shapely.intersection (OverlayNG) + area of exactly the (patch, zone "
                  "feature) pairs whose boundaries cross, zones as given, one thread; landuse "
                  "can go below it (landuse / floor < 1): it intersects with zone tiles of at "
                  "most 128 coordinates and clips axis-parallel rectangles (grid cells, map "
                  "sheets) with GEOS's rectangle clipper")
        return 0
    paths, spec = prepare_data(args, args.work)
    results = run_engines(args, paths, spec, [e for e in engines if e != "floor"])
    ref = results["landuse"]
    t_ref = statistics.median(ref["times_s"])
    print(f"\n{len(gpd.read_parquet(paths['DLTB']))} patches, runs={args.runs}, "
          f"cpus={os.cpu_count()}\n")
    c_ref = statistics.median(ref["cpu_s"])
    print("| engine | median s | runs s | load s | x landuse | CPU s | x landuse (CPU) | "
          "layers MB | peak extra MB | peak / layers | max rel diff vs landuse |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for engine, r in results.items():
        med = statistics.median(r["times_s"])
        load = statistics.median(r["load_s"]) if any(r["load_s"]) else 0.0
        mem = "n/a (server)" if engine == "postgis" else f"{r['peak_extra_mb']:.0f}"
        ratio = ("n/a" if engine == "postgis"
                 else f"{(r['layers_mb'] + r['peak_extra_mb']) / r['layers_mb']:.2f}")
        diff = "-" if engine == "landuse" else compare(ref["tables"], r["tables"])
        c = statistics.median(r["cpu_s"])
        cpu = ("n/a (server)", "n/a") if engine == "postgis" else (f"{c:.2f}",
                                                                    f"{c / c_ref:.1f}")
        print(f"| {engine} | {med:.2f} | {', '.join(f'{t:.2f}' for t in r['times_s'])} | "
              f"{load:.2f} | {med / t_ref:.1f} | {cpu[0]} | {cpu[1]} | {r['layers_mb']:.0f} | "
              f"{mem} | {ratio} | {diff} |")
    if not args.skip_qgis:
        if args.qgis_dir.exists():
            print("\n" + qgis_check(args.qgis_dir))
        else:
            print(f"\nQGIS check skipped: {args.qgis_dir} not found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
