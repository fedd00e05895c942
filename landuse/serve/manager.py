"""The process manager: pygeoapi's TinyDB job manager, with validation before jobs.

:class:`LanduseManager` keeps pygeoapi's TinyDB job store (status, progress, results
links: ``/jobs``, ``/jobs/{id}``, ``/jobs/{id}/results``) and changes four things:

1. every request is checked by the processor's ``prepare`` **before** a job exists, so
   bad input is a 4xx answer with the CLI's message, also for asynchronous requests;
2. synchronous executions (``check-new-right``, ``txt2geojson``) are not written to the
   job database (pygeoapi would rewrite its JSON file three times per request);
3. each job gets its own folder ``<work_dir>/jobs/<job id>/``; the job's result is the
   ``indicators.json`` in it; progress comes from the annual run's steps;
4. callbacks to client-given URLs (``subscriber``) are disabled: the server makes no
   outgoing requests (no SSRF), and a failing job only fails its own record;
5. annual runs are bounded: at most ``max_jobs`` run and ``max_queued`` wait (a further
   one is 503 with ``Retry-After``); a waiting job is ``accepted`` with the message
   "queued ...", it becomes ``running`` when it gets a slot;
6. each job belongs to the client that created it (``owner``): status, results and
   deletion are answered only to that client (another gets 404, as for an unknown id);
7. on start, jobs left ``accepted`` or ``running`` by a previous server process are marked
   ``failed`` ("server restarted") and the uploads they were reading are removed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, Final

from pygeoapi.process.base import JobNotFoundError, ProcessorExecuteError
from pygeoapi.process.manager.tinydb_ import TinyDBManager
from pygeoapi.util import (
    JobStatus,
    ProcessExecutionMode,
    RequestedProcessExecutionMode,
    RequestedResponse,
    get_current_datetime,
)

from landuse.errors import LanduseError
from landuse.serve._clients import ANYONE, CURRENT_CLIENT
from landuse.serve._errors import InternalError, rejected
from landuse.serve._state import (
    DEFAULT_MAX_JOBS,
    DEFAULT_MAX_QUEUED,
    DEFAULT_MAX_VERTICES,
    DEFAULT_UPLOAD_DISK_BYTES,
    ServiceState,
    Ticket,
)
from landuse.serve.processes import LanduseProcessor

__all__ = ["LanduseManager"]

log = logging.getLogger("landuse.serve")

#: The message of a job found queued or running when the server starts.
RESTARTED: Final = ("server restarted: the job was queued or running when the previous "
                    "server process stopped; its upload was removed - start it again")
QUEUED: Final = "queued: waiting for a free job slot"


class LanduseManager(TinyDBManager):
    """pygeoapi's TinyDB manager with the landuse service state (see the module doc).

    ``manager_def`` (the ``server.manager`` block of the generated pygeoapi config) carries
    ``connection`` (TinyDB file), ``output_dir`` (job folders) and ``data_root``,
    ``work_dir``, ``max_upload_bytes``, ``max_jobs``, ``url`` (base of the job links).
    """

    def __init__(self, manager_def: dict[str, Any]) -> None:
        super().__init__(manager_def)
        self.supports_subscribing = False
        self.state = ServiceState(
            data_root=Path(manager_def["data_root"]), work_dir=Path(manager_def["work_dir"]),
            max_upload_bytes=int(manager_def["max_upload_bytes"]),
            max_jobs=int(manager_def.get("max_jobs", DEFAULT_MAX_JOBS)),
            max_queued=int(manager_def.get("max_queued", DEFAULT_MAX_QUEUED)),
            max_vertices=int(manager_def.get("max_vertices", DEFAULT_MAX_VERTICES)),
            upload_disk_bytes=int(manager_def.get("upload_disk_bytes",
                                                  DEFAULT_UPLOAD_DISK_BYTES)))
        self.state.jobs_dir.mkdir(parents=True, exist_ok=True)
        self.url = str(manager_def.get("url", "")).rstrip("/")
        self._recover()

    def _recover(self) -> None:
        """Fail the jobs a previous server process left queued or running; drop uploads.

        Called when the app is built, before it serves: no job of this process exists
        yet, so every ``accepted`` or ``running`` record is from a process that stopped
        (its job processes died with it), and every unpacked upload is an orphan.
        """
        now = get_current_datetime()
        stale = (JobStatus.accepted.value, JobStatus.running.value)
        with self._db() as db:
            orphans = [job["identifier"] for job in db.all() if job.get("status") in stale]
        for job_id in orphans:
            self.update_job(job_id, {"status": JobStatus.failed.value, "finished": now,
                                     "updated": now, "location": None,
                                     "message": RESTARTED})
        if orphans:
            log.warning("%d job(s) left queued or running by a previous server process "
                        "marked failed (server restarted)", len(orphans))
        for folder in (self.state.work_dir / "uploads", *self.state.jobs_dir.glob("sync-*")):
            if folder.name.startswith("sync-"):
                shutil.rmtree(folder, ignore_errors=True)
            elif folder.is_dir():
                for child in folder.iterdir():
                    shutil.rmtree(child, ignore_errors=True) if child.is_dir() \
                        else child.unlink(missing_ok=True)

    def get_processor(self, process_id: str) -> LanduseProcessor:
        """Load the process plugin and hand it the service state."""
        processor = super().get_processor(process_id)
        if not isinstance(processor, LanduseProcessor):
            raise InternalError(user_msg=f"process {process_id!r} is not a landuse process")
        processor.state = self.state
        return processor

    def execute_process(
        self,
        process_id: str,
        data_dict: dict,
        execution_mode: RequestedProcessExecutionMode | None = None,
        requested_outputs: dict | None = None,
        subscriber: Any | None = None,
        requested_response: str | None = RequestedResponse.raw.value,
    ) -> tuple[str, str, Any, JobStatus, dict[str, str] | None]:
        """Validate, then run synchronously or start a job (OGC API – Processes Part 1).

        Asynchronous when the client sent ``Prefer: respond-async`` and the process allows
        it; synchronous otherwise.

        Raises
        ------
        ProcessorExecuteError
            A 4xx :class:`RequestRejected` for bad input (no job is created), or a 500
            :class:`InternalError` for a bug (details in the server log only).
        """
        processor = self.get_processor(process_id)
        job_id = str(uuid.uuid4())  # 122 random bits from os.urandom: not guessable
        processor.set_job_id(job_id)
        # an annual run takes a place in the bounded queue before its upload is unpacked
        ticket = self.state.admit() if processor.needs_job_dir else None
        try:
            prepared = self._guarded(processor.prepare, data_dict)
        except BaseException:
            if ticket is not None:
                ticket.release()
            raise
        options = processor.metadata.get("jobControlOptions", [])
        wants_async = execution_mode == RequestedProcessExecutionMode.respond_async
        job_dir = self.state.jobs_dir / job_id
        if wants_async and ProcessExecutionMode.async_execute.value in options:
            try:
                self._add(job_id, process_id)
                worker = threading.Thread(target=self._run_job, name=f"job-{job_id}",
                                          daemon=True,
                                          args=(processor, job_id, prepared, job_dir, ticket))
                worker.start()
            except BaseException:  # no job thread will give the place back
                if ticket is not None:
                    ticket.release()
                raise
            status = {"type": "process", "jobID": job_id, "processID": process_id,
                      "status": JobStatus.accepted.value, "message": QUEUED,
                      "links": [{"href": f"{self.url}/jobs/{job_id}?f=json", "rel": "monitor",
                                 "type": "application/json", "title": "job status"}]}
            return (job_id, "application/json", status, JobStatus.accepted,
                    {"Preference-Applied": RequestedProcessExecutionMode.respond_async.value})
        if ticket is not None:  # a synchronous job: its folder lives for the request
            try:
                with ticket.slot(), tempfile.TemporaryDirectory(
                        dir=self.state.jobs_dir, prefix="sync-") as tmp:
                    mime, outputs = self._guarded(processor.run, prepared, job_dir=Path(tmp))
            finally:
                ticket.release()
        else:
            mime, outputs = self._guarded(processor.run, prepared)
        if requested_response == RequestedResponse.document.value:
            outputs = {"outputs": [outputs]}
        headers = ({"Preference-Applied": RequestedProcessExecutionMode.wait.value}
                   if execution_mode is not None else None)
        return job_id, mime, outputs, JobStatus.successful, headers

    def _guarded(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Call ``func``; LanduseError -> 400 with its message; a bug -> 500, logged."""
        try:
            return func(*args, **kwargs)
        except ProcessorExecuteError:
            raise
        except LanduseError as exc:
            raise rejected(exc, self.state.data_root) from None
        except Exception:
            ref = uuid.uuid4().hex[:12]
            log.exception("internal error %s", ref)
            raise InternalError(user_msg=f"internal error (reference {ref} in the server "
                                         "log); this is a bug in landuse, not in your "
                                         "data") from None

    def _add(self, job_id: str, process_id: str) -> None:
        now = get_current_datetime()
        self.add_job({
            "type": "process", "identifier": job_id, "process_id": process_id,
            "created": now, "started": now, "updated": now, "finished": None,
            "status": JobStatus.accepted.value, "location": None,
            "mimetype": "application/json", "message": QUEUED, "progress": 0,
            "owner": CURRENT_CLIENT.get(),
        })

    def _run_job(self, processor: LanduseProcessor, job_id: str, prepared: Any,
                 job_dir: Path, ticket: Ticket | None) -> None:
        """Body of a job thread: never raises (the server stays up when a job fails)."""
        if ticket is None:  # a process without job slots
            self._run_in_slot(processor, job_id, prepared, job_dir)
            return
        try:
            with ticket.slot():  # queued (accepted) until a slot is free
                self._run_in_slot(processor, job_id, prepared, job_dir)
        finally:
            ticket.release()

    def _run_in_slot(self, processor: LanduseProcessor, job_id: str, prepared: Any,
                     job_dir: Path) -> None:
        self.update_job(job_id, {"status": JobStatus.running.value,
                                 "updated": get_current_datetime(),
                                 "message": "Job running", "progress": 1})

        def progress(step: str, done: int, total: int) -> None:
            pct = max(1, min(99, round(100 * done / total))) if total else 1
            self.update_job(job_id, {"updated": get_current_datetime(), "progress": pct,
                                     "message": f"{step} ({done}/{total})"})

        try:
            mime, _ = self._guarded(processor.run, prepared, job_dir=job_dir,
                                    progress=progress)
            result = job_dir / "outputs" / "indicators.json"
            self.update_job(job_id, {
                "status": JobStatus.successful.value, "finished": get_current_datetime(),
                "updated": get_current_datetime(), "location": str(result),
                "mimetype": mime, "message": "Job complete", "progress": 100})
        except ProcessorExecuteError as exc:
            self.update_job(job_id, {
                "status": JobStatus.failed.value, "finished": get_current_datetime(),
                "updated": get_current_datetime(), "location": None,
                "message": f"{exc.ogc_exception_code}: {exc.message}"})
        except Exception:  # a job thread must never bring the server down
            log.exception("job %s: could not record its end", job_id)

    def _visible(self, job: dict[str, Any]) -> bool:
        """Tell whether the current request's client may see ``job``.

        Its owner may, anyone when no keys are configured, and code outside a request.
        """
        client = CURRENT_CLIENT.get()
        return client == ANYONE or client is None or job.get("owner") == client

    def get_job(self, job_id: str) -> dict[str, Any]:
        """Return a job of the current client; another client's is not found (404)."""
        job: dict[str, Any] = super().get_job(job_id)
        if not self._visible(job):
            raise JobNotFoundError()
        return job

    def get_jobs(self, status: JobStatus | None = None, limit: int | None = None,
                 offset: int | None = None) -> dict[str, Any]:
        """Return the current client's jobs (all of them when no keys are configured)."""
        with self._db() as db:
            jobs = [job for job in db.all() if self._visible(job)]
        matched = len(jobs)
        jobs = jobs[offset or 0:]
        return {"jobs": jobs[:limit] if limit else jobs, "numberMatched": matched}

    def delete_job(self, job_id: str) -> bool:
        """Dismiss a job of the current client: its record and its whole folder."""
        self.get_job(job_id)  # another client's job: JobNotFoundError (404)
        removed = super().delete_job(job_id)
        shutil.rmtree(self.state.jobs_dir / job_id, ignore_errors=True)
        return removed

    def __repr__(self) -> str:
        return f"<LanduseManager> {self.state.data_root}"
