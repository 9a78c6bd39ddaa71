"""Code a corpus on a Dask distributed cluster (``hls code run ... --scheduler dask``).

* Without an address a ``LocalCluster`` (one process per worker, one thread each) is started and closed.
* The coding pipeline (spaCy, compiled matchers, the trained coder) is built **once per worker**, the first
  time a task needs it, and kept in the worker process: tasks carry only the settings (codebook name/path,
  model name, model folder, unit, speakers) and a batch of file paths, never a pipeline.
* Batches of files are submitted in document order with a bounded number in flight, and their rows are
  handed back in that order as they complete, so CSV/Parquet output streams in the single-process order and
  memory stays flat. Each document is coded exactly as in one process, so the rows are identical.

Requires the ``dask`` extra: ``pip install "hls-toolkit[dask]"``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import ToolkitError

INSTALL = ('--scheduler dask needs Dask distributed, which is an optional extra: '
           'pip install "hls-toolkit[dask]"')

_WORKER_RUNS: dict = {}  # settings -> CodingRun, one per worker process


def require_dask():
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ToolkitError(INSTALL, field="--scheduler") from None


@dataclass
class DocInfo:
    """What the client needs of a document coded on a worker (for frequencies and the summary)."""

    id: str
    case: str
    group: str
    path: str
    n_turns: int
    words: int
    metadata: dict = field(default_factory=dict)
    speakers: tuple = ()

    @property
    def turns(self):
        return range(self.n_turns)


@dataclass(frozen=True)
class Settings:
    codebook: str
    unit: str
    skip_speakers: tuple
    model: str | None
    trained: str | None


def _worker_run(settings: Settings):
    run = _WORKER_RUNS.get(settings)
    if run is None:
        from .run import CodingRun

        run = CodingRun([], settings.codebook, unit=settings.unit, skip_speakers=settings.skip_speakers,
                        model=settings.model, trained=settings.trained)
        _WORKER_RUNS[settings] = run
    return run


def code_batch(settings: Settings, paths: list[str]):
    """Worker task: code the files *paths*; returns per document (DocInfo, units, coded, rows) and errors."""
    import os

    from .run import CodingStats

    run = _worker_run(settings)
    run.sources = [Path(p) for p in paths]
    run.errors = []
    run.stats = CodingStats(run.codebook.code_ids)  # per batch: the client keeps the totals
    docs_out = []
    for doc, rows in run:
        st = run.stats.documents[-1]
        info = DocInfo(doc.id, doc.case, doc.group, str(doc.path or ""), len(doc.turns), doc.words,
                       dict(doc.metadata or {}), tuple({t.speaker for t in doc.turns}))
        docs_out.append((info, st["units"], run._last_coded, rows))
    errors = [(e.message, e.location.file, e.location.line, e.location.field,
               str(getattr(e, "transcript", "") or "")) for e in run.errors]
    return os.getpid(), docs_out, errors


def batches(paths: list[Path], size: int) -> list[list[str]]:
    return [[str(p) for p in paths[i:i + size]] for i in range(0, len(paths), size)]


class DaskRun:
    """Iterate ``(DocInfo, rows)`` in document order while a Dask cluster codes the files.

    ``stats`` and ``errors`` fill as in :class:`toolkit.coding.run.CodingRun`; ``workers_used`` counts the
    worker processes that coded something.
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
        cb_ref = str(self.codebook.path) if self.codebook.path is not None else str(codebook)
        self.settings = Settings(cb_ref, unit, tuple(skip_speakers), model,
                                 None if trained is None else str(Path(trained).resolve()))
        self.unit = unit
        for src in sources:
            if Path(src).is_dir() and not transcript_paths([src]):
                raise ToolkitError(f"no transcripts in this folder (looked for {', '.join(READERS)})", file=src)
        self.paths = transcript_paths(list(sources))
        self.address = address
        self.workers = workers
        self.batch_files = batch_files
        self.in_flight = in_flight
        self.stats = CodingStats(self.codebook.code_ids)
        self.errors: list[ToolkitError] = []
        self.speakers: set[str] = set()
        self._skip_names = {s.strip().casefold(): s.strip() for s in skip_speakers}
        self.workers_used: set = set()
        self.trained = None
        self.model_meta = None

    def unmatched_skips(self) -> list[str]:
        return sorted(name for key, name in self._skip_names.items() if key not in self.speakers)

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
            size = self.batch_files or max(1, min(8, -(-len(self.paths) // (2 * n_workers))))
            todo = deque(batches(self.paths, size))
            pending: deque = deque()
            while todo or pending:
                while todo and len(pending) < limit:
                    pending.append(client.submit(code_batch, self.settings, todo.popleft(), pure=False))
                fut = pending.popleft()
                pid, docs, errors = fut.result()
                fut.release()
                self.workers_used.add(pid)
                for msg, file, line, fld, transcript in errors:
                    err = ToolkitError(msg, file=file, line=line, field=fld)
                    if transcript:
                        err.transcript = transcript
                    self.errors.append(err)
                for info, units, coded, rows in docs:
                    self.speakers.update(s.casefold() for s in info.speakers)
                    self.stats.add_document(info, units, coded)
                    yield info, rows
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
