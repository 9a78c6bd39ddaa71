"""Writers for coding results: the Excel review workbook, streaming CSV, JSON.

All files are written atomically (:func:`toolkit.io.atomic_path`) and every text cell goes through
:func:`toolkit.io.write_cell` (never a formula).
"""
from __future__ import annotations

from pathlib import Path

from ..io import atomic_path, csv_writer, safe_text
from .run import OUTPUT_COLUMNS

DECISIONS = ("accept", "reject", "recode")
REVIEW_COLUMNS = ["decision", "recode_to", "comment"]
LIST_SHEET = "lists"
TEXT_COLUMNS = frozenset({"document", "case", "group", "speaker", "text", "matched", "memo"})


class CsvCodingsWriter:
    """Write codings rows to CSV as they arrive (formula-like text escaped); atomic on close.

    >>> with CsvCodingsWriter("codings.csv") as w:      # doctest: +SKIP
    ...     w.write_rows(rows)
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ctx = atomic_path(self.path)

    def __enter__(self):
        self._tmp = self._ctx.__enter__()
        self._fh = open(self._tmp, "w", encoding="utf-8", newline="")
        self._w = csv_writer(self._fh)
        self._w.writerow(OUTPUT_COLUMNS)
        return self

    def write_rows(self, rows: list[dict]) -> None:
        # only the columns that carry transcript or metadata text can look like a formula
        self._w.writerows([safe_text(r[c]) if c in TEXT_COLUMNS else r[c] for c in OUTPUT_COLUMNS] for r in rows)

    def __exit__(self, exc_type, exc, tb):
        self._fh.close()
        return self._ctx.__exit__(exc_type, exc, tb)


def review_order(codings):
    """Codings sorted so the least certain suggestions come first: ascending model score, then the rows
    without a score (codes the model did not learn, or a run without --trained) in document order."""
    if "score" not in codings or codings["score"].isna().all():
        return codings.reset_index(drop=True)
    import numpy as np

    key = codings["score"].to_numpy(dtype="float64", na_value=np.nan)
    order = np.lexsort((np.arange(len(codings)), np.isnan(key), np.nan_to_num(key, nan=2.0)))
    return codings.iloc[order].reset_index(drop=True)


def _flat_columns(df):
    """(attribute, value) MultiIndex columns -> 'attribute: value'."""
    import pandas as pd

    if isinstance(df.columns, pd.MultiIndex):
        df = df.copy()
        df.columns = [f"{a}: {v}" for a, v in df.columns]
    return df


def review_tables(result) -> list:
    """The review workbook as tables for :func:`toolkit.report.tables.write_workbook`."""
    import pandas as pd

    from ..report.tables import Column, Table

    df = review_order(result.codings)
    for c in OUTPUT_COLUMNS:
        if c not in df.columns:
            df[c] = None
    df = df[OUTPUT_COLUMNS].copy()
    for c in REVIEW_COLUMNS:
        df[c] = ""
    widths = {"text": 70, "matched": 30, "rule": 30, "code": 30, "comment": 40, "memo": 40, "recode_to": 28,
              "decision": 11, "source": 8, "score": 8}
    kinds = {"unit_index": "id", "start": "id", "end": "id", "score": "num3"}
    cols = []
    for c in OUTPUT_COLUMNS + REVIEW_COLUMNS:
        cols.append(Column(c, label=c, kind=kinds.get(c, "text"), width=widths.get(c, 12),
                           wrap=c in ("text", "memo", "comment"),
                           choices=DECISIONS if c == "decision" else None,
                           choices_from=LIST_SHEET if c == "recode_to" else None))
    model = getattr(result, "model", None)
    note = None
    if model:
        note = (f"Suggestions of the rules and of the trained coder {model['path']} (source rule / model / both), "
                "least certain first (ascending score). Fill in decision (accept / reject / recode), recode_to, "
                "comment and memo, then run 'hls code apply-review'.")
    codings = Table("Codings", df, columns=cols, autofilter=True, dropdown_rows=max(len(df), 1000))
    tables = [codings]
    tables.append(Table("Frequencies", result.frequencies, title="Units coded per document", index=True))
    tables.append(Table("Frequencies", result.speaker_frequencies, title="Units coded per speaker (document: speaker)",
                        index=True))
    attr = getattr(result, "attribute_frequencies", None)
    if attr is not None and len(attr.columns):
        tables.append(Table("Frequencies", _flat_columns(attr), index=True,
                            title="Units coded per case attribute (attribute: value)"))
    tables.append(Table("Co-occurrence", result.cooccurrence, index=True,
                        title=f"Units ({result.unit}s) holding both codes; diagonal = units holding the code"))
    frame = result.codebook.to_frame()
    tables.append(Table("Codebook", frame, columns=[Column(c, label=c, kind="text", wrap=c in (
        "definition", "use_when", "dont_use_when", "example", "rules", "unless")) for c in frame.columns]))
    if note:
        tables[0].note = None  # the codings sheet stays a plain table (apply-review reads it row by row)
        tables.append(Table("About", pd.DataFrame({"about": [note]}), columns=[Column("about", label="about",
                                                                                     width=100, wrap=True)]))
    tables.append(Table(LIST_SHEET, pd.DataFrame({"code": result.codebook.code_ids}), hidden=True, header=False,
                        freeze=False, columns=[Column("code", label="code", kind="text")]))
    return tables


def _codebook_record(result) -> dict | None:
    cb = getattr(result, "codebook", None)
    if cb is None:
        return None
    return {"codebook": f"{cb.id} {cb.version}" if getattr(cb, "version", None) else str(cb.id)}


def write_review_workbook(path: str | Path, result) -> Path:
    """The review workbook: sheets Codings (with decision / recode_to drop-downs, comment and memo; least
    certain suggestions first), Frequencies (per document, speaker and case attribute), Co-occurrence and
    Codebook, plus a hidden ``lists`` sheet feeding the recode_to drop-down. Written in streaming mode by the
    toolkit's one table writer."""
    from ..report.tables import write_workbook

    return write_workbook(path, review_tables(result), provenance=_codebook_record(result), title="Coding review")


class ParquetCodingsWriter:
    """Write codings rows to Parquet as they arrive (row groups of ``chunk`` rows); atomic on close.

    Needs pyarrow (``pip install "hls-toolkit[dask]"`` brings it).
    """

    INT_COLUMNS = ("unit_index", "start", "end")

    def __init__(self, path: str | Path, chunk: int = 50_000):
        self.path = Path(path)
        self.chunk = chunk
        self._ctx = atomic_path(self.path)
        self._buf: list[dict] = []

    def __enter__(self):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            from ..errors import ToolkitError

            raise ToolkitError('Parquet output needs pyarrow: pip install "hls-toolkit[dask]" (or pyarrow)',
                               field="--parquet") from None
        self._pa = pa
        fields = [pa.field(c, pa.int64() if c in self.INT_COLUMNS else pa.float64() if c == "score" else pa.string())
                  for c in OUTPUT_COLUMNS]
        self._schema = pa.schema(fields)
        self._tmp = self._ctx.__enter__()
        self._w = pq.ParquetWriter(str(self._tmp), self._schema)
        return self

    def write_rows(self, rows: list[dict]) -> None:
        self._buf.extend(rows)
        if len(self._buf) >= self.chunk:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        cols = {c: [r[c] for r in self._buf] for c in OUTPUT_COLUMNS}
        self._w.write_table(self._pa.Table.from_pydict(cols, schema=self._schema))
        self._buf = []

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._flush()
        finally:
            self._w.close()
        return self._ctx.__exit__(exc_type, exc, tb)
