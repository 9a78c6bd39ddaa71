"""``hls demo`` step for coding: code the six sample interviews against the theory codebook.

Writes the review workbook (Codings with decision drop-downs, Frequencies, Co-occurrence, Codebook), the
codings as CSV and the whole result as JSON; if the gold coding is present, also an evaluation summary.
"""
from __future__ import annotations

from pathlib import Path


def sample_dir() -> Path:
    """The bundled ``sample_data/transcripts`` folder."""
    from ..resources import sample_data_dir

    return sample_data_dir() / "transcripts"


def step(outdir: Path, echo) -> list[Path]:
    from ..io import dumps_json, write_csv, write_text
    from .outputs import write_review_workbook
    from .run import code_documents

    src = sample_dir()
    if not src.exists():
        echo(f"   sample transcripts not found at {src}; skipped")
        return []
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    res = code_documents([src], "hls-theory", skip_speakers=["Interviewer"])
    written = [write_review_workbook(outdir / "coding-review.xlsx", res)]
    write_csv(res.codings, outdir / "codings.csv")
    write_text(outdir / "coding.json", dumps_json(res.to_dict()) + "\n")
    written += [outdir / "codings.csv", outdir / "coding.json"]
    echo(f"   {len(res.documents)} interviews, {res.codings[['document', 'unit_index']].drop_duplicates().shape[0]} "
         f"sentences coded, {len(res.codings)} codings with {res.codings['code'].nunique()} codes")
    return written  # the refi step evaluates these codings against gold.csv and exports them
