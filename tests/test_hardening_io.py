"""Issue 15, I/O half: archive bombs, CSV injection across line breaks, mixed encodings, warnings, interrupts,
nothing lost, same bytes, provenance. Every hostile file here is made by the test and stays small."""
from __future__ import annotations

import copy
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from toolkit.errors import DataError, ToolkitError

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENT = "collective-data-use"


def _xlsx(path: Path, sheet_xml: bytes, extra: dict | None = None) -> Path:
    """A minimal workbook whose first sheet is *sheet_xml* (deflated), plus *extra* members."""
    members = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
                               b'-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                               b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                               b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
                               b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                               b'worksheet+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                       b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                           b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                           b'<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                      b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                                      b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                      b'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    members.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _sheet(rows: list[list], padding: int = 0) -> bytes:
    """Sheet XML with inline strings and numbers; *padding* bytes of XML whitespace make it a bomb."""
    out = [b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b"<sheetData>"]
    for r, row in enumerate(rows, start=1):
        out.append(f'<row r="{r}">'.encode())
        for c, v in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(v, str) and v.startswith("="):
                out.append(f'<c r="{ref}"><f>{v[1:]}</f></c>'.encode())
            elif isinstance(v, str):
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'.encode())
            else:
                out.append(f'<c r="{ref}"><v>{v}</v></c>'.encode())
        out.append(b"</row>")
    out.append(b" " * padding + b"</sheetData></worksheet>")
    return b"".join(out)


ROWS = [["respondent_id", "partnership_id", "CON1", "CON2"], ["R1", "P1", 4, 5], ["R2", "P1", 3, 2]]


# -- archive bombs ---------------------------------------------------------------------------------------------
@pytest.fixture
def bomb(tmp_path) -> Path:
    """A 5 KB workbook whose sheet inflates to 4 MB (about 1000:1, as a zip bomb)."""
    path = _xlsx(tmp_path / "answers.xlsx", _sheet(ROWS, padding=4 * 1024 * 1024))
    assert path.stat().st_size < 20_000
    return path


def test_xlsx_bomb_is_refused_before_any_reader(bomb, tmp_path, run_cli):
    from toolkit.spreadsheets import read_sheet
    from toolkit.survey.table import read_table

    for reader in (read_sheet, read_table):
        with pytest.raises(DataError, match=r"compresses \d+:1 .*possible zip bomb.*hls --max-ratio"):
            reader(bomb)
    out = tmp_path / "out.csv"
    code, said, err = run_cli("survey", "import", str(bomb), "-i", INSTRUMENT, "-o", str(out))
    said += err  # the import report (stdout) names the skipped file and why; stderr says nothing was written
    assert code != 0 and "zip bomb" in said and "answers.xlsx" in said and "Traceback" not in said
    assert not out.exists()
    code, _, err = run_cli("code", "apply-review", str(bomb), "-o", str(tmp_path / "final.csv"))
    assert code != 0 and "zip bomb" in err and not (tmp_path / "final.csv").exists()
    # an honest giant file: the limit can be raised per run
    code, _, err = run_cli("--max-ratio", "5000", "survey", "import", str(bomb), "-i", INSTRUMENT, "-o", str(out))
    assert "zip bomb" not in err and out.exists()


def test_total_size_limit_from_option_and_environment(tmp_path, monkeypatch, run_cli):
    from toolkit.archive import check_archive

    honest = _xlsx(tmp_path / "honest.xlsx", _sheet(ROWS * 400))  # about 50 KB of sheet XML
    check_archive(honest)
    monkeypatch.setenv("HLS_MAX_UNZIPPED", "20KB")
    with pytest.raises(DataError, match=r"expands to more than 20.0 KB.*HLS_MAX_UNZIPPED"):
        check_archive(honest)
    monkeypatch.delenv("HLS_MAX_UNZIPPED")
    code, _, err = run_cli("--max-unzipped", "20KB", "analyze", "reliability", str(honest),
                           "--scale", "s=CON1,CON2")
    assert code != 0 and "expands to more than" in err
    from toolkit.archive import current_limits

    assert current_limits().max_total_size == 2 * 1024 ** 3  # the option held for that command only


def test_docx_bomb_and_unsafe_members(tmp_path):
    from toolkit.coding.transcripts import read_transcript

    docx = tmp_path / "interview.docx"
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (3 * 1024 * 1024) + b"</w:document>")
    with pytest.raises(ToolkitError, match="zip bomb"):
        read_transcript(docx)
    slip = tmp_path / "slip.xlsx"
    with zipfile.ZipFile(slip, "w") as z:
        z.writestr("../../etc/evil", "x")
    from toolkit.spreadsheets import read_sheet

    with pytest.raises(DataError, match="path traversal"):
        read_sheet(slip)


def test_encrypted_and_old_workbooks_are_named(tmp_path):
    from toolkit.survey.table import read_table

    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500
    enc = tmp_path / "locked.xlsx"
    enc.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\0" * 100)
    with pytest.raises(DataError, match="password-protected workbook"):
        read_table(enc)
    old = tmp_path / "old.xlsx"  # not encrypted: read as the Excel 97-2003 file it claims to be (broken here)
    old.write_bytes(ole + b"Workbook" + b"\0" * 100)
    with pytest.raises(DataError, match=r"old.xlsx: cannot open the workbook"):
        read_table(old)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"hello")
    with pytest.raises(DataError, match="junk.xlsx: not a workbook"):
        read_table(junk)


def test_formula_without_cached_value_is_a_located_warning(tmp_path):
    from toolkit.survey.importer import read_survey
    from toolkit.survey.table import read_table

    path = _xlsx(tmp_path / "calc.xlsx", _sheet([ROWS[0], ["R1", "P1", "=2+2", 5], ["R2", "P1", 3, 2]]))
    with pytest.warns(UserWarning, match=r"calc.xlsx: Data!C2: formula with no calculated value"):
        df = read_table(path)
    assert pd.isna(df.loc[0, "CON1"])
    _, report = read_survey(path, INSTRUMENT)
    hit = report.issues[report.issues.check == "formula_without_value"].iloc[0]
    assert hit["row"] == 2 and hit["cell"] == "Data!C2" and hit["column"] == "CON1"


def test_questionnaire_answer_with_an_uncalculated_formula_is_located(tmp_path, run_cli):
    from openpyxl import load_workbook

    from toolkit.survey.importer import read_survey

    form = tmp_path / "R1.xlsx"
    assert run_cli("instrument", "build", INSTRUMENT, "--format", "xlsx", "-o", str(form))[0] == 0
    wb = load_workbook(form)
    meta = {r[0]: r for r in wb["_meta"].iter_rows(values_only=True) if r and r[0]}
    sheet, cell = meta["CON2"][1], meta["CON2"][2]
    wb[sheet][meta["CON1"][2]] = "Agree"
    wb[sheet][cell] = "=2+2"  # saved by a program that does not calculate: no cached value
    wb.save(form)
    _, report = read_survey(form, INSTRUMENT)
    hit = report.issues[report.issues.check == "formula_without_value"]
    assert len(hit) == 1 and hit.iloc[0]["cell"] == f"{sheet}!{cell}" and hit.iloc[0]["column"] == "CON2"
    assert hit.iloc[0]["severity"] == "warning"


def test_qdpx_bytes_do_not_depend_on_the_output_name(tmp_path, run_cli):
    gold = ROOT / "sample_data/transcripts/gold.csv"
    outs = []
    for name in ("first.qdpx", "other-name.qdpx"):
        out = tmp_path / name
        code, _, err = run_cli("code", "export", str(gold), "--codebook", "hls-theory", "--format", "qdpx",
                               "--transcripts", str(ROOT / "sample_data/transcripts"), "-o", str(out))
        assert code == 0, err
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    with zipfile.ZipFile(tmp_path / "first.qdpx") as z:
        qde = z.read("project.qde").decode("utf-8")
    assert 'name="hls-theory project"' in qde and "command: hls code export" in qde
    assert "gold.csv (sha256 " in qde


# -- CSV: quoting, formulas after line breaks, encodings -------------------------------------------------------
def test_csv_fields_with_cr_or_lf_are_quoted_and_formulas_escaped_after_breaks(tmp_path):
    from toolkit.io import safe_text, unescape_text, write_csv
    from toolkit.survey.table import read_table

    hostile = ["ok\r+cmd|' /C calc'!A0", "line\n=HYPERLINK(\"x\")", "a\r\n-2+3", "plain", "-5", "x\n-7"]
    path = tmp_path / "out.csv"
    write_csv(pd.DataFrame({"text": hostile, "n": range(len(hostile))}), path)
    raw = path.read_bytes()
    assert b"\r+cmd" not in raw and b"'+cmd" in raw and b"\n'=HYPERLINK" in raw and b"\n'-2+3" in raw
    assert b"\n-7" in raw  # a number after a break is not a formula
    lines = raw.split(b"\r\n")
    assert lines[1].startswith(b'"ok\r') and lines[0] == b"text,n"
    import csv

    with open(path, newline="", encoding="utf-8") as fh:  # a strict reader sees one field per value
        rows = list(csv.reader(fh))
    assert len(rows) == len(hostile) + 1 and all(len(r) == 2 for r in rows)
    assert read_table(path)["text"].tolist() == hostile  # our own reader undoes the escapes
    assert all(unescape_text(safe_text(v)) == v for v in hostile)


def test_mixed_encodings_decode_line_by_line(tmp_path, run_cli):
    from toolkit.survey.importer import read_survey
    from toolkit.survey.table import read_table

    path = tmp_path / "mixed.csv"
    path.write_bytes("respondent_id,partnership_id,CON1\nR1,Zürich,4\n".encode("utf-8")
                     + "R2,Genève,3\n".encode("cp1252") + "R3,Köln,5\n".encode("utf-8"))
    with pytest.warns(UserWarning, match=r"line\(s\) 3 are not UTF-8"):
        df = read_table(path)
    assert df["partnership_id"].tolist() == ["Zürich", "Genève", "Köln"]
    data, report = read_survey(path, INSTRUMENT)
    assert data["partnership_id"].tolist() == ["Zürich", "Genève", "Köln"]
    assert "line(s) 3" in report.issues[report.issues.check == "mixed_encoding"].iloc[0]["message"]
    code, out, err = run_cli("survey", "validate", str(path), "-i", INSTRUMENT)
    assert "warning: " in err and "line(s) 3 are not UTF-8" in err


# -- simulate and warnings -------------------------------------------------------------------------------------
def test_simulated_true_model_is_shared_not_copied():
    import toolkit

    df = toolkit.simulate("tests/data/mini-instrument.yaml", n=20, groups=4, seed=1)
    assert copy.deepcopy(df.attrs)["true_model"] is df.attrs["true_model"]
    assert df[["SM1"]].attrs["true_model"] is df.attrs["true_model"]
    assert df.attrs["true_model"]["settings"]["seed"] == 1


def _wide_instrument(path: Path, constructs: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from _wide_instrument import wide_instrument
    finally:
        sys.path.pop(0)
    return wide_instrument(path, constructs, per=3)


def test_no_raw_library_warning_reaches_the_cli(tmp_path, run_cli):
    yaml = _wide_instrument(tmp_path / "wide.yaml", 120)  # 360 items: pandas warned about fragmentation
    sim = tmp_path / "sim.csv"
    assert run_cli("survey", "simulate", str(yaml), "-n", "30", "--groups", "5", "-o", str(sim))[0] == 0
    code, _, err = run_cli("survey", "score", str(sim), "-i", str(yaml), "-o", str(tmp_path / "scored.csv"))
    assert code == 0 and "PerformanceWarning" not in err, err
    two = tmp_path / "two.csv"
    pd.read_csv(ROOT / "tests/data/bfi.csv").head(2).to_csv(two, index=False)
    code, out, err = run_cli("analyze", "reliability", str(two), "--scale", "agree=-A1,A2,A3,A4,A5")
    assert "RuntimeWarning" not in err + out and "only 2 respondent(s)" in out
    for line in err.splitlines():
        assert line.startswith(("warning: ", "error: ", "note: ")), line


def test_a_library_warning_becomes_one_line(capsys):
    import warnings

    from toolkit.cli.main import _show_warning

    _show_warning(RuntimeWarning("divide by zero\n  x = a / b"), RuntimeWarning, "/lib/numpy.py", 12)
    _show_warning(RuntimeWarning("divide by zero\n  x = a / b"), RuntimeWarning, "/lib/numpy.py", 12)
    err = capsys.readouterr().err
    assert err == "warning: RuntimeWarning: divide by zero\n"
    del warnings


# -- interrupts ------------------------------------------------------------------------------------------------
def _run_and_signal(tmp_path, sig) -> tuple[int, str]:
    """Start ``hls survey import`` (report, then a slow .xlsx), send *sig* once the report exists."""
    src = tmp_path / "big.csv"
    if not src.exists():
        import toolkit

        toolkit.simulate(INSTRUMENT, n=6000, groups=60, seed=2).to_csv(src, index=False)
    env = dict(os.environ, PYTHONPATH=str(ROOT), HLS_NO_PROGRESS="1")
    report, data = tmp_path / "report.csv", tmp_path / "answers.xlsx"
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli.main", "survey", "import", str(src), "-i",
                             INSTRUMENT, "-o", str(data), "--report", str(report)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    before = report.read_bytes()
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if report.read_bytes() != before:  # the report is replaced: the data file is being written now
            break
        time.sleep(0.005)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_leaves_every_output_as_it_was(tmp_path, sig, code):
    report, data = tmp_path / "report.csv", tmp_path / "answers.xlsx"
    report.write_text("old report\n")
    from toolkit.io import save_workbook
    from openpyxl import Workbook

    save_workbook(Workbook(), data)  # an earlier output of ours, to be replaced (or, interrupted, kept)
    old_report, old_data = report.read_bytes(), data.read_bytes()
    for _ in range(3):  # on a loaded machine the run may finish before the signal lands: then try again
        rc, err = _run_and_signal(tmp_path, sig)
        if rc != 0:
            break
        report.write_bytes(old_report)
        data.write_bytes(old_data)
    assert rc == code, err
    assert "Traceback" not in err and "no output was changed" in err
    assert report.read_bytes() == old_report and data.read_bytes() == old_data
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


# -- nothing lost ----------------------------------------------------------------------------------------------
def test_human_work_is_kept_without_force(tmp_path, run_cli):
    from openpyxl import Workbook, load_workbook

    # a workbook someone made by hand
    mine = tmp_path / "budget.xlsx"
    wb = Workbook()
    wb.active["A1"] = "my numbers"
    wb.save(mine)
    before = mine.read_bytes()
    code, _, err = run_cli("instrument", "build", INSTRUMENT, "--format", "xlsx", "-o", str(mine))
    assert code != 0 and "did not write" in err and "--force" in err and mine.read_bytes() == before
    # our own blank form: replaced, and said so in one line
    form = tmp_path / "form.xlsx"
    assert run_cli("instrument", "build", INSTRUMENT, "--format", "xlsx", "-o", str(form))[0] == 0
    code, _, err = run_cli("instrument", "build", INSTRUMENT, "--format", "xlsx", "-o", str(form))
    assert code == 0 and err.count("note: replaced 1 earlier output(s)") == 1
    # the same form once a respondent answered in it (as Excel would save it)
    wb = load_workbook(form)
    meta = {r[0]: r for r in wb["_meta"].iter_rows(values_only=True) if r and r[0]}
    sheet, cell = meta["CON1"][1], meta["CON1"][2]
    wb[sheet][cell] = "Agree"
    wb.save(form)
    filled = form.read_bytes()
    code, _, err = run_cli("instrument", "build", INSTRUMENT, "--format", "xlsx", "-o", str(form))
    assert code != 0 and "a filled questionnaire" in err and form.read_bytes() == filled
    code, _, err = run_cli("instrument", "build", INSTRUMENT, "--format", "xlsx", "-o", str(form), "--force")
    assert code == 0 and form.read_bytes() != filled


def test_review_decisions_and_edited_yaml_are_kept(tmp_path, run_cli):
    from openpyxl import load_workbook

    from toolkit.io import human_work, save_workbook, yaml_header

    review = tmp_path / "review.xlsx"
    args = ["code", "run", str(ROOT / "sample_data/transcripts/INT01_riverside.txt"), "--codebook", "hls-theory", "-o",
            str(review)]
    assert run_cli(*args)[0] == 0
    assert run_cli(*args)[0] == 0  # undecided: ours to replace
    wb = load_workbook(review)
    ws = wb["Codings"]
    col = [c.value for c in ws[1]].index("decision") + 1
    ws.cell(row=2, column=col, value="accept")
    save_workbook(wb, review)
    assert human_work(review) == "a review workbook holding reviewers' decisions"
    code, _, err = run_cli(*args)
    assert code != 0 and "reviewers' decisions" in err
    assert run_cli(*args, "--force")[0] == 0
    body = "id: x\n"
    ours = tmp_path / "cb.yaml"
    ours.write_text(yaml_header(body) + body)
    assert human_work(ours) is None
    ours.write_text(yaml_header(body) + body + "# my note\n")
    assert "edited since" in human_work(ours)
    (tmp_path / "hand.yaml").write_text(body)
    assert "did not write" in human_work(tmp_path / "hand.yaml")


def test_a_failed_run_puts_outputs_back(tmp_path):
    from toolkit.io import output_run, write_text

    kept, new = tmp_path / "kept.txt", tmp_path / "new.txt"
    kept.write_text("before")
    with pytest.raises(RuntimeError):
        with output_run():
            write_text(kept, "after")
            write_text(new, "fresh")
            assert kept.read_text() == "after"
            raise RuntimeError("crash between two outputs")
    assert kept.read_text() == "before" and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


# -- same bytes, provenance ------------------------------------------------------------------------------------
def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_demo_steps_give_the_same_bytes_twice(tmp_path, run_cli, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for name in ("a", "b"):  # different folders: nothing may depend on where the outputs go
        for step in ("instruments", "survey", "reliability", "refi"):
            code, _, err = run_cli("demo", "-o", str(tmp_path / name), "--only", step)
            assert code == 0, err
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) > 20
    differ = [k for k in a if a[k] != b[k]]
    assert differ == []
    assert any(k.endswith(".sav") for k in a) and any(k.endswith(".qdpx") for k in a)
    with zipfile.ZipFile(io.BytesIO(a["instruments/collective-data-use-questionnaire.xlsx"])) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run_cli("demo", "-o", str(tmp_path / "c"), "--only", "survey")[0] == 0
    sav = (tmp_path / "c/survey/collective-data-use.sav").read_bytes()
    assert sav[92:109] == b"14 Nov 2322:13:20"


def test_outputs_record_where_they_came_from(tmp_path, run_cli):
    import json

    import pyreadstat

    from toolkit.provenance import read_from_workbook

    src = ROOT / "sample_data/survey/collective-data-use.csv"
    out = tmp_path / "answers.sav"
    assert run_cli("survey", "import", str(src), "-i", INSTRUMENT, "-o", str(out), "--report",
                   str(tmp_path / "report.xlsx"))[0] == 0
    _, meta = pyreadstat.read_sav(str(out), metadataonly=True)
    notes = "\n".join(meta.notes)
    assert "command: hls survey import" in notes and "instrument: collective-data-use 1.0" in notes
    assert "collective-data-use.csv (sha256 " in notes
    record = read_from_workbook(tmp_path / "report.xlsx")
    assert record["command"] == "hls survey import" and record["instrument"] == "collective-data-use 1.0"
    sim = tmp_path / "sim.csv"
    assert run_cli("survey", "simulate", INSTRUMENT, "-n", "50", "--groups", "5", "--seed", "7", "-o", str(sim))[0] == 0
    side = json.loads((tmp_path / "sim.provenance.json").read_text())
    assert side["seed"] == "7" and side["instrument"] == "collective-data-use 1.0" and side["output"] == "sim.csv"


def test_sav_notes_fit_spss_document_lines(tmp_path, run_cli):
    """SPSS documents are 80-byte lines: a run on several inputs wraps its provenance instead of failing."""
    import pyreadstat

    src = ROOT / "sample_data/survey"
    out = tmp_path / "returned.sav"
    files = [src / "questionnaires", src / "kobo-export.csv", src / "odk-export.csv", src / "qualtrics-export.csv"]
    code, _out, err = run_cli("survey", "import", *map(str, files), "-i", INSTRUMENT, "-o", str(out))
    assert code == 0, err
    _, meta = pyreadstat.read_sav(str(out), metadataonly=True)
    assert meta.notes and all(len(line.encode("utf-8")) <= 80 for line in meta.notes)
    notes = " ".join(line.strip() for line in meta.notes)
    for name in ("kobo-export.csv (sha256 ", "odk-export.csv (sha256 ", "qualtrics-export.csv (sha256 "):
        assert name in notes
