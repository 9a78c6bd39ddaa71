"""Code a corpus on a Dask distributed cluster (``hls code run ... --scheduler dask``).

* Without an address a ``LocalCluster`` (one process per worker, one thread each) is started and closed.
* The coding pipeline (spaCy, compiled matchers, the trained coder) is built **once per worker**, the first
  time a task needs it, and kept in the worker process: tasks carry only the settings (codebook name/path,
  model name, model folder, unit, speakers) and a batch of file paths, never a pipeline.
* Batches of files (at most :data:`BATCH_FILES` files and about :data:`BATCH_BYTES`) are submitted in document
  order with a bounded number in flight, and their rows are handed back in that order as they complete, so
  CSV/Parquet output streams in the single-process order and memory stays flat. A worker codes its files with
  the same streaming :class:`~toolkit.coding.run.CodingRun` as one process (turn by turn, long turns in
  pieces), so the rows are identical, row for row; the batch's statistics (per-document counts, case
  attributes) are merged on the client in document order.

Requires the ``dask`` extra: ``pip install "hls-toolkit[dask]"``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import DataError, ToolkitError

INSTALL = ('--scheduler dask needs Dask distributed, which is an optional extra: '
           'pip install "hls-toolkit[dask]"')

_WORKER_RUNS: dict = {}  # settings -> CodingRun, one per worker process


def require_dask():
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ToolkitError(INSTALL, field="--scheduler") from None


@dataclass(frozen=True)
class Settings:
    codebook: str
    unit: str
    skip_speakers: tuple
    model: str | None
    trained: str | None


@dataclass(frozen=True)
class DocInfo:
    """What the client needs of a document coded on a worker (for the frequencies and the summary)."""

    id: str
    case: str
    group: str
    path: str


class _Recorder:
    """Stands in for a worker run's :class:`~toolkit.coding.run.CodingStats`: keeps each finished document's
    counts so the client can add them in document order (and skip a document id used by an earlier batch)."""

    def __init__(self):
        self.documents: list = []

    def add_document(self, doc, counts, turns: int, units: int, words: int) -> None:
        info = DocInfo(doc.id, doc.case, doc.group, str(doc.path or ""))
        self.documents.append((info, counts, turns, units, words))


@dataclass
class BatchResult:
    """What a worker sends back for one batch of files: its rows in document order, each finished document's
    counts (:class:`~toolkit.coding.run.DocumentCounts`, case attributes included), errors and speakers."""

    pid: int
    rows: list
    documents: list                             # (DocInfo, DocumentCounts, turns, units, words)
    errors: list = field(default_factory=list)  # (message, file, line, field, transcript)
    speakers: set = field(default_factory=set)
    vetoed: int = 0


def _worker_run(settings: Settings):
    run = _WORKER_RUNS.get(settings)
    if run is None:
        from .run import CodingRun

        run = CodingRun([], settings.codebook, unit=settings.unit, skip_speakers=settings.skip_speakers,
                        model=settings.model, trained=settings.trained)
        _WORKER_RUNS[settings] = run
    return run


def code_batch(settings: Settings, paths: list[str]) -> BatchResult:
    """Worker task: code the files *paths* with the worker's pipeline (the same streaming
    :class:`~toolkit.coding.run.CodingRun` as one process: turn by turn, long turns in pieces)."""
    import os

    run = _worker_run(settings)
    run.sources = [Path(p) for p in paths]
    run.errors = []
    run.speakers = set()
    run.stats = _Recorder()  # per batch: the client keeps the totals
    vetoed = run.vetoed
    rows: list = []
    for _, batch_rows in run:
        rows.extend(batch_rows)
    errors = [(e.message, e.location.file, e.location.line, e.location.field,
               str(getattr(e, "transcript", "") or "")) for e in run.errors]
    return BatchResult(os.getpid(), rows, run.stats.documents, errors, set(run.speakers), run.vetoed - vetoed)


#: a batch closes at this many files or this many bytes of transcripts, whichever comes first (a worker holds
#: one batch's rows; a single file larger than this is a batch of its own)
BATCH_FILES = 8
BATCH_BYTES = 8 * 1024 * 1024


def batches(paths: list[Path], size: int, max_bytes: int = BATCH_BYTES) -> list[list[str]]:
    """Consecutive runs of *paths* (document order kept) of at most *size* files and about *max_bytes*."""
    out: list[list[str]] = []
    cur: list[str] = []
    nbytes = 0
    for p in paths:
        try:
            n = Path(p).stat().st_size
        except OSError:
            n = 0  # the worker reports the file as unreadable
        if cur and (len(cur) >= size or nbytes + n > max_bytes):
            out.append(cur)
            cur, nbytes = [], 0
        cur.append(str(p))
        nbytes += n
    if cur:
        out.append(cur)
    return out


class DaskRun:
    """Iterate ``(None, rows)`` batches in document order while a Dask cluster codes the files.

    ``stats``, ``errors``, ``vetoed`` and ``model_info()`` fill as in :class:`toolkit.coding.run.CodingRun`;
    ``workers_used`` holds the worker processes that coded something.
    """

    def __init__(self, sources, codebook, unit="sentence", skip_speakers=(), model=None, trained=None,
                 address: str | None = None, workers: int | None = None, batch_files: int | None = None,
                 in_flight: int | None = None):
        require_dask()
        from .codebook import load_codebook
        from .run import UNITS, CodingStats
        from .transcripts import READERS, transcript_paths

        if unit not in UNITS:
            raise ToolkitError(f"unit must be one of {', '.join(UNITS)}", field="--unit")
        if workers is not None and workers < 1:
            raise ToolkitError("workers must be at least 1", field="--workers")
        self.codebook = load_codebook(codebook)
        self.trained_meta, self.model_warnings = None, []
        if trained is not None:  # checked here, before a cluster starts; the weights load on the workers
            from .learn.trained import read_model_meta

            if unit != "sentence":
                raise ToolkitError("a trained coder codes sentences; use --unit sentence", field="--trained")
            self.trained_meta, self.model_warnings = read_model_meta(trained, self.codebook)
        cb_ref = str(self.codebook.path) if self.codebook.path is not None else str(codebook)
        self.settings = Settings(cb_ref, unit, tuple(skip_speakers), model,
                                 None if trained is None else str(Path(trained).resolve()))
        self.unit = unit
        for src in sources:
            if Path(src).is_dir() and not transcript_paths([src]):
                raise ToolkitError(f"no transcripts in this folder (looked for {', '.join(READERS)})", file=src)
        self.paths = []
        seen: set = set()
        for path in transcript_paths(list(sources)):  # a file named twice is coded once, as in one process
            key = path.resolve() if path.exists() else path
            if key not in seen:
                seen.add(key)
                self.paths.append(path)
        self.address = address
        self.workers = workers
        self.batch_files = batch_files
        self.in_flight = in_flight
        self.stats = CodingStats(self.codebook.code_ids)
        self.errors: list[ToolkitError] = []
        self.speakers: set[str] = set()
        self._skip_names = {s.strip().casefold(): s.strip() for s in skip_speakers}
        self.workers_used: set = set()
        self.vetoed = 0
        self._seen: dict[str, str] = {}  # document id -> its file

    def unmatched_skips(self) -> list[str]:
        return sorted(name for key, name in self._skip_names.items() if key not in self.speakers)

    def model_info(self) -> dict | None:
        if self.trained_meta is None:
            return None
        from .learn.trained import model_summary

        return model_summary(self.settings.trained, self.trained_meta, self.vetoed)

    def _client(self):
        from distributed import Client, LocalCluster

        if self.address:
            try:
                return Client(self.address, timeout="20s"), None
            except OSError as exc:
                raise ToolkitError(f"cannot reach the Dask scheduler ({exc})", field="--address") from None
        import os

        n = self.workers or max(1, min(os.cpu_count() or 1, 4))
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=50)
        return Client(cluster), cluster

    def __iter__(self) -> Iterator:
        from collections import deque

        client, cluster = self._client()
        try:
            n_workers = max(1, len(client.scheduler_info().get("workers", {})) or (self.workers or 1))
            limit = self.in_flight or 3 * n_workers
            size = self.batch_files or max(1, min(BATCH_FILES, -(-len(self.paths) // (2 * n_workers))))
            todo = deque(batches(self.paths, size))
            pending: deque = deque()
            while todo or pending:
                while todo and len(pending) < limit:
                    pending.append(client.submit(code_batch, self.settings, todo.popleft(), pure=False))
                fut = pending.popleft()
                res: BatchResult = fut.result()
                fut.release()
                self.workers_used.add(res.pid)
                for msg, file, line, fld, transcript in res.errors:
                    err = ToolkitError(msg, file=file, line=line, field=fld)
                    if transcript:
                        err.transcript = transcript
                    self.errors.append(err)
                self.speakers.update(res.speakers)
                self.vetoed += res.vetoed
                rows, dropped = res.rows, set()
                for info, counts, turns, units, words in res.documents:
                    if info.id in self._seen:  # as one process does: codings refer to documents by file stem
                        err = DataError(f"document id '{info.id}' is already used by {self._seen[info.id]}: "
                                        "codings refer to documents by file stem, so rename one of the files",
                                        file=info.path)
                        err.transcript = info.path
                        self.errors.append(err)
                        dropped.add(info.id)
                        continue
                    self._seen[info.id] = info.path or "another document"
                    self.stats.add_document(info, counts, turns, units, words)
                if dropped:
                    rows = [r for r in rows if r["document"] not in dropped]
                yield None, rows
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
