"""The executor of a region run: county tasks on a dask.distributed cluster.

:func:`run_tasks` submits one task per county (the scheduler places and retries them)
and hands back each task's result, or the exception when the cluster lost the task;
:func:`local_cluster` and :func:`connect` give the cluster. The orchestration itself
(which counties, their configs, the outputs and the city roll-up) is
:mod:`landuse.run.region`: this module knows nothing of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import distributed

__all__ = ["LOCAL_CLUSTER_CONFIG", "connect", "local_cluster", "run_tasks"]

#: dask settings of the clusters landuse starts itself (:func:`local_cluster`). The
#: worker's statistical profiler samples every task thread 100 times a second for the
#: dashboard's profile page; for batch county runs it only costs time (measured: about 8 %
#: of a county run on one worker, ``benchmarks/bench_distributed.py``).
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {"distributed.worker.profile.enabled": False}


def local_cluster(n_workers: int = 1, *, processes: bool = False,
                  **kwargs: Any) -> distributed.LocalCluster:
    """Start a ``LocalCluster`` of ``n_workers`` single-threaded workers for county runs.

    Workers are threads of this process (``processes=False``, the default) or their own
    processes; :data:`LOCAL_CLUSTER_CONFIG` applies to them. ``kwargs`` go to
    ``LocalCluster`` (e.g. ``memory_limit``).
    """
    import dask
    from distributed import LocalCluster

    kwargs.setdefault("dashboard_address", ":0")
    kwargs.setdefault("threads_per_worker", 1)
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(n_workers=n_workers, processes=processes, **kwargs)


def connect(scheduler: str | None = None) -> distributed.Client:
    """Return a client: of the cluster at ``scheduler`` (``"tcp://host:8786"``), else in-process.

    ``None`` starts an in-process cluster (:func:`local_cluster`: one worker, threads
    only), the default of ``[options] scheduler``.
    """
    from distributed import Client

    if scheduler:
        return Client(scheduler)
    return Client(local_cluster(1))


def run_tasks(func: Callable[..., Any], calls: Sequence[tuple[str, tuple[Any, ...]]], *,
              client: distributed.Client | str | None = None) -> list[Any]:
    """Run ``func(*args)`` for every ``(key, args)`` of ``calls`` on a cluster.

    ``client`` is a client, a scheduler address (``"tcp://host:8786"``), or ``None`` for
    the current client or else an in-process cluster (:func:`connect`), closed again at
    the end. Returns, in the order of ``calls``, each task's result or, when the cluster
    lost the task (a worker killed more often than ``allowed-failures``), the exception.
    """
    from distributed import as_completed

    from landuse.dask.engine import _client

    if isinstance(client, str):
        cl, own = connect(client), True
    else:
        found = _client(client)
        cl, own = (found, False) if found is not None else (connect(None), True)
    try:
        futures = {cl.submit(func, *args, pure=False, key=key): i
                   for i, (key, args) in enumerate(calls)}
        out: list[Any] = [None] * len(calls)
        for fut in as_completed(list(futures)):
            try:
                out[futures[fut]] = fut.result()
            except Exception as exc:  # lost by the cluster: the caller reports it
                out[futures[fut]] = exc
        return out
    finally:
        if own:
            cluster = getattr(cl, "cluster", None)
            cl.close()
            if cluster is not None:
                cluster.close()
