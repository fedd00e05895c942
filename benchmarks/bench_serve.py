"""Benchmark: ``check-new-right`` latency over loopback at 20 concurrent clients.

Target (issue #10): p95 < 200 ms at 20 concurrent clients on the sample county.
Mixed run (issue #17, ``--mixed``): the same 20 clients for ``--duration`` seconds while
5 ``indicators`` jobs are kept in flight (a new one is started as soon as one ends);
targets p95 < 100 ms, p99 < 200 ms, 0 errors, server RSS growth < 5 % over the load.

The server runs as its own process (``landuse.serve.create_app`` behind waitress, as
``landuse serve`` does) on a free port of 127.0.0.1; the load is a bounded script: a fixed
number of requests spread over ``--clients`` clients (separate processes by default,
threads of this process with ``--client-mode threads``), each with its own keep-alive
connection, posting random 300 m x 300 m rights inside the county (seeded: about a tenth
touch a protected area). It stops by itself, then stops the server it started. Peers: the
same rights through ``ProtectedIndex.check`` in-process (the library call the service
wraps), so the ratio shows the cost of HTTP + JSON + pygeoapi.

Run::

    python benchmarks/bench_serve.py                              # 2000 requests x 3 rounds
    python benchmarks/bench_serve.py --client-mode threads        # clients as threads
    python benchmarks/bench_serve.py --requests 500 --rounds 1    # quick look
    python benchmarks/bench_serve.py --mixed                      # 10 minutes, 5 jobs
    python benchmarks/bench_serve.py --mixed --duration 60        # quick mixed run
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
HOST = "127.0.0.1"  # loopback only, by design

# The server process writes its port to a file: its stdout carries pygeoapi's and
# waitress's log (a pipe nobody reads would fill up and block the server).
# The server is built as `landuse serve` builds it (landuse.serve._server.make_server).
_SERVER = """
import pathlib, sys
from landuse.serve import create_app
from landuse.serve._server import make_server
app = create_app(sys.argv[1], work_dir=sys.argv[2], max_jobs=int(sys.argv[5]), open_jobs=True)
server = make_server(app, host="127.0.0.1", port=0, threads=int(sys.argv[3]),
                     max_request_body_size=10 * 2**20)
pathlib.Path(sys.argv[4]).write_text(str(server.effective_port))
server.run()
"""


def make_root(tmp: Path) -> Path:
    """A data root holding a copy of the sample county as committed (config and all files)."""
    shutil.copytree(SAMPLE, tmp / "data" / "huantai",
                    ignore=shutil.ignore_patterns("large", "*.py", "__pycache__"))
    return tmp / "data"


def rights(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` random 300 m x 300 m squares inside the county's extent, EPSG:4527."""
    x0, y0, x1, y1 = pyogrio.read_info(SAMPLE / "huantai.gpkg", layer="DLTB")["total_bounds"]
    rng = np.random.default_rng(seed)
    xs, ys = rng.uniform(x0, x1 - 300, n), rng.uniform(y0, y1 - 300, n)
    return [shapely.geometry.mapping(shapely.box(x, y, x + 300, y + 300))
            for x, y in zip(xs, ys, strict=True)]


def _client(port: int, chunk: list[dict[str, Any]], start: Any, until: float | None = None
            ) -> tuple[list[float], int, str]:
    """One client: its own keep-alive connection, its requests one after the other.

    With ``until`` (a ``time.time()``), the requests are repeated in turn until then.
    """
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    bodies = [json.dumps({"inputs": {"config": "huantai/config.toml", "crs": "EPSG:4527",
                                     "geometry": geom}}) for geom in chunk]
    mine: list[float] = []
    errors, first_error = 0, ""
    start.wait()
    n = 0
    while n < len(bodies) or (until is not None and time.time() < until):
        body = bodies[n % len(bodies)]
        n += 1
        t0 = time.perf_counter()
        conn.request("POST", "/processes/check-new-right/execution", body,
                     {"Content-Type": "application/json"})
        resp = conn.getresponse()
        payload = resp.read()
        mine.append(time.perf_counter() - t0)
        if resp.status != 200 or b'"allowed"' not in payload:
            errors += 1
            first_error = first_error or f"{resp.status}: {payload[:300]!r}"
    conn.close()
    return mine, errors, first_error


def _client_process(port: int, chunk: list[dict[str, Any]], start: Any, out: Any,
                    until: float | None = None) -> None:
    out.put(_client(port, chunk, start, until))


def load(port: int, geoms: list[dict[str, Any]], clients: int, mode: str = "processes",
         until: float | None = None) -> tuple[list[float], int]:
    """Send every geometry once over ``clients`` clients; return latencies (s), errors.

    ``mode="processes"``: each client is its own process (independent callers, as separate
    platforms are); ``"threads"``: the clients are threads of this one process, so they
    share its interpreter lock and their own Python work (JSON, HTTP parsing) queues behind
    each other and is counted in the latencies too.
    """
    chunks = [geoms[i::clients] for i in range(clients)]
    results: list[tuple[list[float], int, str]] = []
    if mode == "threads" or clients == 1:
        barrier = threading.Barrier(clients)
        lock = threading.Lock()

        def worker(chunk: list[dict[str, Any]]) -> None:
            res = _client(port, chunk, barrier, until)
            with lock:
                results.append(res)

        threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        ctx = multiprocessing.get_context("fork")
        pbarrier, queue = ctx.Barrier(clients), ctx.Queue()
        procs = [ctx.Process(target=_client_process, args=(port, c, pbarrier, queue, until))
                 for c in chunks]
        for p in procs:
            p.start()
        wait_s = 600 + max(0.0, (until or 0) - time.time())
        results = [queue.get(timeout=wait_s) for _ in procs]
        for p in procs:
            p.join()
    latencies = [x for res in results for x in res[0]]
    errors = sum(res[1] for res in results)
    first = next((res[2] for res in results if res[2]), "")
    if first:
        print(f"first error: {first}", file=sys.stderr)
    return latencies, errors


def library_peer(root: Path, geoms: list[dict[str, Any]]) -> list[float]:
    """The same checks in-process on a prebuilt ProtectedIndex (no HTTP)."""
    from landuse.io.vector import read_protected_areas
    from landuse.redlines import ProtectedIndex

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pa = read_protected_areas(root / "huantai" / "huantai.gpkg", layer="ZRBHD",
                                  working_crs="EPSG:4527")
    index = ProtectedIndex(pa, working_crs="EPSG:4527")
    out = []
    for g in geoms:
        t0 = time.perf_counter()
        index.check(g, crs="EPSG:4527")
        out.append(time.perf_counter() - t0)
    return out


def wait_port(port_file: Path, proc: subprocess.Popen, timeout_s: float = 60) -> int:
    """The server's port, once it has written it (it stops waiting if the server died)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_file.exists() and port_file.read_text().strip():
            return int(port_file.read_text())
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start in {timeout_s} s")


def pct(values: list[float], q: float) -> float:
    return 1000 * float(np.percentile(values, q))


class JobFeeder(threading.Thread):
    """Keeps ``n`` ``indicators`` jobs in flight: starts one as soon as one ends."""

    def __init__(self, port: int, n: int) -> None:
        super().__init__(name="job-feeder", daemon=True)
        self.port, self.n = port, n
        self.halt = threading.Event()
        self.done = self.failed = self.refused = self.most_running = 0
        self.messages: list[str] = []

    def _call(self, conn: http.client.HTTPConnection, method: str, path: str,
              body: str | None = None, headers: dict[str, str] | None = None
              ) -> tuple[int, Any]:
        conn.request(method, path, body, {"Content-Type": "application/json",
                                          **(headers or {})})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")

    def run(self) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        body = json.dumps({"inputs": {"config": "huantai/config.toml"}})
        inflight: set[str] = set()
        while not self.halt.is_set():
            while len(inflight) < self.n:
                status, doc = self._call(conn, "POST", "/processes/indicators/execution",
                                         body, {"Prefer": "respond-async"})
                if status != 201:
                    self.refused += 1
                    break
                inflight.add(doc["jobID"])
            # one listing: a snapshot of every job's status at one instant
            _, listing = self._call(conn, "GET", "/jobs?f=json&limit=1000")
            statuses = {j["jobID"]: j for j in listing["jobs"]}
            running = sum(j["status"] == "running" for j in statuses.values())
            for job in sorted(inflight):
                doc = statuses[job]
                if doc["status"] in ("successful", "failed"):
                    self.done += doc["status"] == "successful"
                    if doc["status"] == "failed":
                        self.failed += 1
                        self.messages.append(str(doc.get("message"))[:300])
                    self._call(conn, "DELETE", f"/jobs/{job}")
                    inflight.discard(job)
            self.most_running = max(self.most_running, running)
            self.halt.wait(1.0)
        conn.close()


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def mixed(port: int, server_pid: int, args: argparse.Namespace) -> None:
    """20 clients on check-new-right for ``--duration`` s while jobs run; peer: no jobs."""
    geoms = rights(2000, args.seed)

    def phase(name: str, seconds: float) -> dict[str, float]:
        t0 = time.perf_counter()
        lat, err = load(port, geoms, args.clients, args.client_mode,
                        until=time.time() + seconds)
        wall = time.perf_counter() - t0
        row = {"p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99),
               "rps": len(lat) / wall, "errors": err, "n": len(lat)}
        print(f"{name}: {len(lat)} requests in {wall:.0f} s, {args.clients} clients: p50 "
              f"{row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, p99 {row['p99']:.1f} ms, "
              f"{row['rps']:.0f} req/s, errors {err}")
        return row

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    base = phase("peer, no jobs", args.baseline)
    feeder = JobFeeder(port, args.jobs)
    feeder.start()
    time.sleep(5)  # the first jobs start (spawned processes) before the clients do
    samples = [rss_mb(server_pid)]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(5.0):
            samples.append(rss_mb(server_pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    row = phase(f"mixed, {args.jobs} indicators jobs in flight", args.duration)
    sampling.set()
    sampler.join()
    samples.append(rss_mb(server_pid))
    feeder.halt.set()
    feeder.join(120)
    growth = 100 * (samples[-1] - samples[0]) / samples[0]
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"jobs: {feeder.done} successful, {feeder.failed} failed, {feeder.refused} "
          f"refused (503, queue full), at most {feeder.most_running} running at once "
          f"(--max-jobs {args.max_jobs})")
    for message in feeder.messages[:3]:
        print(f"  failed job: {message}")
    print(f"server RSS: {samples[0]:.0f} MB at the start of the load, {samples[-1]:.0f} MB "
          f"at its end, max {max(samples):.0f} MB: growth {growth:+.1f} %")
    goals = {"p95 < 100 ms": row["p95"] < 100, "p99 < 200 ms": row["p99"] < 200,
             "0 errors": row["errors"] == 0 and feeder.failed == 0,
             "RSS growth < 5 %": growth < 5}
    print("targets: " + ", ".join(f"{k} {'met' if ok else 'NOT met'}"
                                  for k, ok in goals.items()))
    print(f"mixed / peer: p95 {row['p95'] / base['p95']:.2f}x, p99 "
          f"{row['p99'] / base['p99']:.2f}x, throughput {row['rps'] / base['rps']:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=2000, help="requests per round")
    ap.add_argument("--clients", type=int, default=20, help="concurrent clients")
    ap.add_argument("--rounds", type=int, default=3, help="rounds (medians are reported)")
    ap.add_argument("--threads", type=int, default=8, help="waitress request threads")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--client-mode", choices=["processes", "threads"], default="processes",
                    help="clients as separate processes (default) or threads of one process")
    ap.add_argument("--mixed", action="store_true",
                    help="the mixed run: clients for --duration s while --jobs jobs run")
    ap.add_argument("--duration", type=float, default=600,
                    help="seconds of the mixed load (default 600; e.g. 60 for a quick run)")
    ap.add_argument("--baseline", type=float, default=30,
                    help="seconds of the peer phase without jobs (mixed run)")
    ap.add_argument("--jobs", type=int, default=5, help="indicators jobs kept in flight")
    ap.add_argument("--max-jobs", type=int, default=2, help="the server's --max-jobs")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        root = make_root(tmp)
        port_file = tmp / "port"
        with (tmp / "server.log").open("w") as log:
            proc = subprocess.Popen([sys.executable, "-c", _SERVER, str(root), str(tmp / "work"),
                                     str(args.threads), str(port_file), str(args.max_jobs)],
                                    stdout=log,
                                    stderr=subprocess.STDOUT)
        try:
            port = wait_port(port_file, proc)
            first = rights(1, args.seed + 999)
            t0 = time.perf_counter()
            lat, err = load(port, first, 1)  # builds the protected-area index
            assert err == 0, "the warm-up request failed"
            print(f"first request (builds the protected-area index): "
                  f"{1000 * (time.perf_counter() - t0):.0f} ms")
            load(port, rights(50, args.seed + 998), args.clients, args.client_mode)  # warm-up
            single, _ = load(port, rights(200, args.seed + 997), 1)
            print(f"1 client, 200 requests (service time without queueing): p50 "
                  f"{pct(single, 50):.1f} ms, p95 {pct(single, 95):.1f} ms")
            if args.mixed:
                mixed(port, proc.pid, args)
                return
            rounds = []
            for r in range(args.rounds):
                geoms = rights(args.requests, args.seed + r)
                t0 = time.perf_counter()
                lat, err = load(port, geoms, args.clients, args.client_mode)
                wall = time.perf_counter() - t0
                row = {"p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99),
                       "rps": len(lat) / wall, "errors": err}
                rounds.append(row)
                print(f"round {r + 1}: {len(lat)} requests, {args.clients} clients: "
                      f"p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, "
                      f"p99 {row['p99']:.1f} ms, {row['rps']:.0f} req/s, errors {err}")
        finally:
            proc.terminate()
            proc.wait(10)
            log_tail = (tmp / "server.log").read_text(encoding="utf-8")[-1000:]
            if proc.returncode not in (0, -15) and log_tail.strip():
                print(f"server log (tail):\n{log_tail}", file=sys.stderr)
        peer = library_peer(root, rights(args.requests, args.seed))
    med = {k: statistics.median(r[k] for r in rounds) for k in ("p50", "p95", "p99", "rps")}
    print(f"median of {args.rounds} round(s): p50 {med['p50']:.1f} ms, p95 {med['p95']:.1f} ms,"
          f" p99 {med['p99']:.1f} ms, {med['rps']:.0f} req/s "
          f"(target p95 < 200 ms: {'met' if med['p95'] < 200 else 'NOT met'})")
    print(f"peer, ProtectedIndex.check in-process (1 thread): p50 {pct(peer, 50):.2f} ms, "
          f"p95 {pct(peer, 95):.2f} ms; service p50 / library p50 = "
          f"{med['p50'] / pct(peer, 50):.0f}x (HTTP, JSON, pygeoapi and queueing of "
          f"{args.clients} clients on {args.threads} threads)")


if __name__ == "__main__":
    main()
