"""Write simulated answers in the layouts platforms export, to demonstrate and test every import channel.

``kobo_csv`` (KoboToolbox: ``;``-separated, every field quoted, ``group/question`` headers or label headers,
labels or XML values, Kobo's metadata columns), ``odk_csv`` (ODK Central: ``group-question`` headers, XML
values, ``SubmissionDate``/``meta-instanceID``/``KEY`` columns), ``qualtrics_csv`` (three header rows) and
``questionnaires`` (filled xlsx questionnaires, one file per respondent, written into a form built by
``hls instrument build --format xlsx``). The layouts follow the platforms' documented exports; see
``docs/survey.md``.
"""
from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

from ..io import write_text
from .fill import answer_label, fill_questionnaire
from .variables import as_instrument, variables

KOBO_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
             "__version__", "_tags", "_index"]


def _section_of(inst) -> dict:
    out = {}
    for s in inst.sections:
        for c in s.constructs:
            for i in c.items:
                out[i.id] = s.id
    for a in inst.attention_checks:
        out[a.id] = a.after_section or "checks"
    return out


def _value(x):
    if x is None or (isinstance(x, float) and x != x):
        return ""
    try:
        import pandas as pd

        if x is pd.NA:
            return ""
    except ImportError:  # pragma: no cover
        pass
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return str(x)


def _uuid(seed: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "hls-toolkit-sample/" + seed))


def kobo_csv(df, instrument, path, labels: bool = True) -> Path:
    """A KoboToolbox CSV export of *df*: with *labels*, question labels as headers and choice labels as values
    (Kobo's default); else ``group/name`` headers and XML values."""
    inst = as_instrument(instrument)
    section = _section_of(inst)
    lang = inst.default_language
    vars_ = [v for v in variables(inst) if v.id in df.columns]
    header = [(v.label if labels else (f"{section[v.id]}/{v.id}" if v.id in section else v.id)) for v in vars_]
    header += KOBO_META
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(header)
    for k, (_, row) in enumerate(df.iterrows(), start=1):
        cells = []
        for v in vars_:
            x = row[v.id]
            cells.append(_value(answer_label(v, None if _value(x) == "" else x, lang) if labels else x))
        rid = _value(row[inst.respondent_column]) if inst.respondent_column in df.columns else str(k)
        cells += [str(100000 + k), _uuid(rid), f"2026-05-{1 + k % 28:02d}T10:{k % 60:02d}:00", "", "", "submitted_via_web",
                  "", "vSampleVersion", "", str(k)]
        w.writerow(cells)
    write_text(path, buf.getvalue())
    return Path(path)


def odk_csv(df, instrument, path) -> Path:
    """An ODK Central CSV export of *df*: ``group-question`` headers, XML values, Central's metadata columns."""
    inst = as_instrument(instrument)
    section = _section_of(inst)
    vars_ = [v for v in variables(inst) if v.id in df.columns]
    header = ["SubmissionDate"] + [f"{section[v.id]}-{v.id}" if v.id in section else v.id for v in vars_]
    header += ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
               "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for k, (_, row) in enumerate(df.iterrows(), start=1):
        rid = _value(row[inst.respondent_column]) if inst.respondent_column in df.columns else str(k)
        key = "uuid:" + _uuid(rid)
        w.writerow([f"2026-05-{1 + k % 28:02d}T09:{k % 60:02d}:00.000Z"] + [_value(row[v.id]) for v in vars_]
                   + [key, key, "5", "sample", "0", "0", "", "", "", "0", inst.version])
    write_text(path, buf.getvalue())
    return Path(path)


def qualtrics_csv(df, instrument, path) -> Path:
    """A Qualtrics CSV export of *df* (three header rows; numeric values)."""
    inst = as_instrument(instrument)
    vars_ = [v for v in variables(inst) if v.id in df.columns]
    meta = ["StartDate", "EndDate", "Status", "Progress", "Finished", "ResponseId"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(meta + [v.id for v in vars_])
    w.writerow(["Start Date", "End Date", "Response Type", "Progress", "Finished", "Response ID"] +
               [v.label for v in vars_])
    w.writerow([json.dumps({"ImportId": m[0].lower() + m[1:]}) for m in meta] +
               [json.dumps({"ImportId": f"QID{j + 1}"}) for j in range(len(vars_))])
    for k, (_, row) in enumerate(df.iterrows(), start=1):
        w.writerow(["2026-05-01 10:00:00", "2026-05-01 10:12:00", "IP Address", "100", "True", f"R_sample{k:04d}"]
                   + [_value(row[v.id]) for v in vars_])
    write_text(path, buf.getvalue())
    return Path(path)


def questionnaires(df, instrument, outdir, form=None) -> list[Path]:
    """One filled xlsx questionnaire per row of *df* (``<respondent id>.xlsx``), written into *form* (built
    with ``build_form(instrument, "xlsx", ...)`` when not given)."""
    inst = as_instrument(instrument)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if form is None:
        from ..instruments.forms import build_form

        form = outdir / ".blank-form.xlsx"
        build_form(inst.source_path or inst.id, "xlsx", form)
        cleanup = True
    else:
        cleanup = False
    out = []
    try:
        for k, (_, row) in enumerate(df.iterrows(), start=1):
            answers = {c: (None if _value(row[c]) == "" else row[c]) for c in df.columns}
            rid = _value(row[inst.respondent_column]) if inst.respondent_column in df.columns else f"R{k}"
            out.append(fill_questionnaire(form, answers, outdir / f"{rid}.xlsx", inst))
    finally:
        if cleanup:
            Path(form).unlink(missing_ok=True)
    return out


def make_channels(instrument, outdir, n: int = 20, groups: int = 4, seed: int = 2, flaws: bool = True) -> list[Path]:
    """Simulate *n* respondents and split them over the channels: 5 filled questionnaires, then a Kobo CSV
    (labels), an ODK Central CSV and a Qualtrics CSV with the rest. With *flaws*, two deliberate mistakes show
    the validation report at work: a misspelt label in the Kobo file and an out-of-range 6 in the ODK file.
    """
    from .simulate import simulate

    inst = as_instrument(instrument)
    outdir = Path(outdir)
    df = simulate(inst, n=n, groups=groups, seed=seed)
    q = max(1, min(5, n // 4))
    rest = n - q
    a, b = q + rest // 3, q + 2 * rest // 3
    kobo, odk, qual = df.iloc[q:a].copy(), df.iloc[a:b].copy(), df.iloc[b:].copy()
    first_item = inst.item_ids[0]
    if flaws and len(kobo) and len(odk):
        kobo[first_item] = kobo[first_item].astype(object)
        kobo.iloc[0, kobo.columns.get_loc(first_item)] = "__typo__"
        odk[inst.item_ids[1]] = odk[inst.item_ids[1]].astype(object)
        odk.iloc[0, odk.columns.get_loc(inst.item_ids[1])] = 6
    paths = questionnaires(df.iloc[:q], inst, outdir / "questionnaires")
    paths.append(kobo_csv(kobo, inst, outdir / "kobo-export.csv", labels=True))
    if flaws and len(kobo):
        text = paths[-1].read_text(encoding="utf-8").replace('"__typo__"', '"Agreee"', 1)
        write_text(paths[-1], text)
    paths.append(odk_csv(odk, inst, outdir / "odk-export.csv"))
    paths.append(qualtrics_csv(qual, inst, outdir / "qualtrics-export.csv"))
    return paths


def main(argv=None) -> int:
    """``python -m toolkit.survey.samples INSTRUMENT OUTDIR``: write the sample channel files."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m toolkit.survey.samples INSTRUMENT OUTDIR", file=sys.stderr)
        return 2
    for p in make_channels(args[0], args[1]):
        print(p)
    return 0


__all__ = ["kobo_csv", "make_channels", "odk_csv", "qualtrics_csv", "questionnaires"]

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
