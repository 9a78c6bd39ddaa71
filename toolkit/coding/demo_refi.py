"""Demo step: REFI-QDA export, auto-coder evaluation and coder agreement on the sample interviews.

The six fictional interviews in ``sample_data/transcripts`` are auto-coded with the ``hls-theory`` codebook
(interviewer turns skipped), then: the codebook is exported as ``.qdc``; the auto-coding and the gold
(manual) coding are exported together as a ``.qdpx`` project with two users; the auto-coding is scored
against ``gold.csv``; and the gold coding is treated as a second coder for Krippendorff's alpha / kappa.
"""
from __future__ import annotations

from pathlib import Path

from ..resources import sample_data_dir

SAMPLE = sample_data_dir() / "transcripts"
CODEBOOK = "hls-theory"
SKIP = ("Interviewer",)


def step(outdir: Path, echo) -> list[Path]:
    from ..io import write_csv, write_json
    from .agreement import agreement, write_agreement_xlsx
    from .codings_io import read_codings
    from .evaluation_report import evaluate_sources, write_evaluation_xlsx
    from .refi.export import export_project
    from .refi.qdc import write_qdc
    from .run import code_documents

    outdir.mkdir(parents=True, exist_ok=True)
    gold = SAMPLE / "gold.csv"
    transcripts = sorted(p for p in SAMPLE.glob("*.txt"))
    codings = outdir.parent / "coding" / "codings.csv"  # written by the demo's coding step
    written = []
    if codings.exists():
        echo(f"   using the coding step's {codings.parent.name}/{codings.name}")
    else:  # run on its own (hls demo --only refi)
        codings = outdir / "auto-codings.csv"
        write_csv(code_documents(transcripts, CODEBOOK, skip_speakers=SKIP).codings, codings)
        written.append(codings)

    qdc = write_qdc(CODEBOOK, outdir / f"{CODEBOOK}.qdc")
    written.append(qdc)
    echo(f"   codebook -> {qdc.name} (REFI-QDA codebook for NVivo, ATLAS.ti, MAXQDA, QualCoder)")

    sets = read_codings(codings, name="hls auto-coder") + read_codings(gold, name="gold (manual)")
    qdpx = outdir / "sample-project.qdpx"
    summary = export_project(sets, CODEBOOK, qdpx, transcripts=transcripts)
    written.append(qdpx)
    echo(f"   project -> {qdpx.name}: {summary['sources']} sources, {summary['codings']} codings by "
         f"{', '.join(summary['users'])}")

    ev, notes = evaluate_sources(gold, codings, skip_speakers=SKIP)
    ev_xlsx = outdir / "evaluation.xlsx"
    write_evaluation_xlsx(ev, ev_xlsx, notes)
    ev_json = outdir / "evaluation.json"
    write_json(ev.to_dict(), ev_json)
    written += [ev_xlsx, ev_json]
    m, a = ev.micro, ev.macro
    echo(f"   evaluation vs gold: micro P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f}; "
         f"macro F1 {a['f1']:.3f}; {len(ev.errors)} FP/FN segments listed in {ev_xlsx.name}")

    agr = agreement([gold, codings], names=["gold", "auto"], transcripts=transcripts, skip_speakers=SKIP,
                    codebook=CODEBOOK)
    agr_xlsx = outdir / "agreement.xlsx"
    write_agreement_xlsx(agr, agr_xlsx)
    agr_json = outdir / "agreement.json"
    write_json(agr.to_dict(), agr_json)
    written += [agr_xlsx, agr_json]
    o = agr.overall
    echo(f"   agreement gold vs auto on {agr.units} sentences: pooled alpha {o['alpha']:.3f}, kappa {o['kappa']:.3f}, "
         f"{o['agreement']:.1%} raw agreement; {len(o['unreliable'])} of {o['codes']} codes below .667")
    # the same comparison read back from the exported project (texts and both coders from the archive)
    agr2 = agreement([qdpx], skip_speakers=SKIP, codebook=CODEBOOK)
    echo(f"   agreement read back from {qdpx.name}: pooled alpha {agr2.overall['alpha']:.3f}")
    return written
