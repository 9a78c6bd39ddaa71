"""Import from every channel, the validation report, and output files (hls survey import)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import toolkit
from toolkit.io import write_cell
from toolkit.survey.readers import READERS, sniff

MINI_ITEMS = ["SM1", "SM2", "SM3", "DR1", "DR2", "DR3"]


@pytest.fixture
def mini(data_dir) -> Path:
    return data_dir / "mini-instrument.yaml"


def contract_form(path: Path, answers: dict, instrument_id="mini-test", version="0.1", form_type="questionnaire"):
    """A filled questionnaire written by hand following the _meta contract (independent of the form writer)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Answers"
    meta = wb.create_sheet("_meta")
    for r, (k, v) in enumerate([("instrument_id", instrument_id), ("instrument_version", version),
                                ("language", "en"), ("form_type", form_type)], start=1):
        meta.cell(r, 1, k)
        meta.cell(r, 2, v)
    meta.append([])
    meta.cell(6, 1, "variable")
    for j, h in enumerate(["sheet", "cell", "kind", "scale"], start=2):
        meta.cell(6, j, h)
    variables = ["respondent_id", "partnership", "role"] + MINI_ITEMS + ["ATT1"]
    for k, var in enumerate(variables):
        row = 3 + k
        ws.cell(row, 1, var)
        if var in answers and answers[var] is not None:
            write_cell(ws, row, 3, answers[var])
        kind = "context" if k < 3 else ("attention" if var == "ATT1" else "item")
        meta.append([var, "Answers", f"C{row}", kind, "" if k < 3 else "agree5"])
    meta.sheet_state = "veryHidden"
    wb.save(path)
    return path


GOOD = {"respondent_id": "R1", "partnership": "P1", "role": "Manager", "SM1": "Agree", "SM2": "strongly AGREE",
        "SM3": "Disagree", "DR1": "Don't know", "DR2": 4, "DR3": "Strongly disagree", "ATT1": "Disagree"}


def sha(paths):
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def test_questionnaire_contract_labels_and_cells(tmp_path, mini):
    f1 = contract_form(tmp_path / "a.xlsx", GOOD)
    bad = dict(GOOD, respondent_id="R2", SM1="Agree a lot", SM2=7)
    f2 = contract_form(tmp_path / "b.xlsx", bad)
    assert sniff(f1) == "questionnaire"
    data, report = toolkit.read_survey([f1, f2], mini)
    assert list(data.columns[:3]) == ["respondent_id", "partnership", "role"]
    assert list(data.columns[-2:]) == ["_source", "_row"]
    r1 = data.iloc[0]
    assert (r1["SM1"], r1["SM2"], r1["SM3"], r1["DR2"], r1["DR3"], r1["ATT1"]) == (4, 5, 2, 4, 1, 2)
    assert pd.isna(r1["DR1"])  # "Don't know" is a declared missing code
    assert r1["role"] == "manager"  # choice label -> value
    issues = report.issues
    nn = issues[issues.check == "non_numeric"].iloc[0]
    assert (nn.file, nn.cell, nn.column, nn.value) == (str(f2), "Answers!C6", "SM1", "Agree a lot")
    oor = issues[issues.check == "out_of_range"].iloc[0]
    assert (oor.cell, oor.column, oor.value) == ("Answers!C7", "SM2", "7")
    assert pd.isna(data.iloc[1]["SM1"]) and pd.isna(data.iloc[1]["SM2"])  # invalid answers blanked
    assert report.n_errors == 2


def test_questionnaire_filled_and_saved_by_libreoffice(tmp_path, data_dir, mini):
    """A questionnaire as LibreOffice Calc writes it back (see tests/data/README.md), not as openpyxl wrote it."""
    form = data_dir / "questionnaire_mini_libreoffice.xlsx"
    before = sha([form])
    assert sniff(form) == "questionnaire"
    data, report = toolkit.read_survey([form], mini)
    row = data.iloc[0]
    assert (row["respondent_id"], row["partnership"], row["role"]) == ("LO-1", "=Partnership & Co", "frontline")
    assert [row[i] for i in ("SM1", "SM2", "SM3", "DR2", "DR3", "ATT1")] == [4, 5, 2, 3, 1, 2]
    assert pd.isna(row["DR1"])  # "Don't know"
    assert report.n_errors == 0 and report.skipped_files == []
    assert sha([form]) == before


def test_labels_typed_with_curly_quotes_or_extra_spaces_are_read(tmp_path, mini):
    """Spreadsheets and word processors turn Don't into Don\u2019t and people type double spaces: still labels."""
    typed = dict(GOOD, SM1="strongly  agree", DR1="Don\u2019t know", DR2="Neither agree\u00a0nor disagree",
                 role="frontline  worker", SM3=" Disagree ")
    data, report = toolkit.read_survey([contract_form(tmp_path / "typed.xlsx", typed)], mini)
    row = data.iloc[0]
    assert (row["SM1"], row["SM3"], row["DR2"], row["role"]) == (5, 2, 3, "frontline")
    assert pd.isna(row["DR1"])
    assert report.n_errors == 0 and (report.issues["check"] != "unknown_choice").all()
    kept, _ = toolkit.read_survey([tmp_path / "typed.xlsx"], mini, keep_missing_codes=True)
    assert kept.iloc[0]["DR1"] == 9


def test_bad_files_are_skipped_and_named(tmp_path, mini, run_cli):
    good = contract_form(tmp_path / "good.xlsx", GOOD)
    other = contract_form(tmp_path / "other.xlsx", dict(GOOD, respondent_id="R9"), instrument_id="something-else")
    oldver = contract_form(tmp_path / "old.xlsx", dict(GOOD, respondent_id="R8"), version="0.0")
    blank = contract_form(tmp_path / "blank.xlsx", {})
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a zip file")
    data, report = toolkit.read_survey([good, other, oldver, blank, broken], mini)
    assert len(data) == 1
    status = dict(zip(report.files.file, report.files.status))
    assert status == {str(good): "ok", str(other): "wrong_instrument", str(oldver): "wrong_instrument",
                      str(blank): "blank", str(broken): "unreadable"}
    assert set(report.skipped_files) == {str(other), str(oldver), str(blank), str(broken)}
    assert "something-else" in report.issues.set_index("file").loc[str(other), "message"]
    assert "version 0.0" in report.issues.set_index("file").loc[str(oldver), "message"]
    out = tmp_path / "out.csv"
    code, stdout, stderr = run_cli("survey", "import", str(tmp_path), "-i", str(mini), "-o", str(out))
    assert code == 3  # data written, but some files skipped
    assert "4 of 5 file(s) skipped" in stderr and "broken.xlsx" in stderr
    assert len(pd.read_csv(out)) == 1
    assert "Traceback" not in stdout + stderr


def test_nothing_readable_writes_nothing(tmp_path, mini, run_cli):
    blank = contract_form(tmp_path / "blank.xlsx", {})
    out = tmp_path / "out.csv"
    code, _, stderr = run_cli("survey", "import", str(blank), "-i", str(mini), "-o", str(out))
    assert code == 2 and "nothing written" in stderr
    assert not out.exists()


def test_table_without_item_columns_says_so(tmp_path, mini, run_cli):
    """A table with none of the instrument's columns was reported as 'no answers', and the summary as 'nan%'."""
    other = tmp_path / "other.csv"
    other.write_text("a;b\n1;2\n", encoding="utf-8")
    code, stdout, stderr = run_cli("survey", "import", str(other), "-i", str(mini), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and not (tmp_path / "o.csv").exists()
    assert f"skipped {other}: no column is an item of 'mini-test' (the file has: a, b)" in stdout
    assert "nan" not in stdout + stderr


def test_round_trip_with_built_forms(tmp_path, mini):
    from toolkit.survey.fill import fill_questionnaire

    form = toolkit.build_form(str(mini), "xlsx", tmp_path / "form.xlsx")
    answers = {"respondent_id": "R7", "partnership": "P3", "role": "frontline", "SM1": 5, "SM2": 9, "SM3": 1,
               "DR1": 2, "DR2": 3, "DR3": 4, "ATT1": 2}
    filled = fill_questionnaire(form, answers, tmp_path / "R7.xlsx", mini)
    data, report = toolkit.read_survey(filled, mini)
    row = data.iloc[0]
    for k, v in answers.items():
        if k == "SM2":
            assert pd.isna(row[k])
        else:
            assert row[k] == v, k
    assert report.n_errors == 0

    entry = toolkit.build_form(str(mini), "entry", tmp_path / "entry.xlsx")
    assert sniff(entry) == "entry"
    wb = load_workbook(entry)
    ws = wb["Data"]
    header = [c.value for c in ws[1]]
    rows = [{"respondent_id": "E1", "partnership": "P1", "role": "manager", "SM1": 1, "SM2": 2, "SM3": 3, "DR1": 4,
             "DR2": 5, "DR3": 9, "ATT1": 2},
            {"respondent_id": "E2", "partnership": "P1", "role": "Frontline worker", "SM1": 6, "SM2": 2, "SM3": 3,
             "DR1": 4, "DR2": 5, "DR3": 1, "ATT1": 2}]
    for r, rec in enumerate(rows, start=2):
        for j, h in enumerate(header, start=1):
            if h in rec:
                ws.cell(r, j, rec[h])
    wb.save(entry)
    data, report = toolkit.read_survey(entry, mini)
    assert data["respondent_id"].tolist() == ["E1", "E2"]
    assert data["role"].tolist() == ["manager", "frontline"]
    assert pd.isna(data.loc[0, "DR3"]) and pd.isna(data.loc[1, "SM1"])
    oor = report.issues[report.issues.check == "out_of_range"].iloc[0]
    assert (oor.row, oor.column, oor.value) == (3, "SM1", "6")


KOBO_LABELS = (
    '"Respondent number";"Which partnership are you part of?";"What is your role?";'
    '"In our partnership we work out together what the numbers say about the whole system.";'
    '"We link changes in our figures to what other partners are doing.";"Each organisation reads only its own numbers.";'
    '"We meet regularly to go through the data together.";"Our meetings have a set time for discussing results.";'
    '"=Data are rarely discussed when we meet.";"To show you are reading, please choose \'Disagree\'.";'
    '"_id";"_uuid";"_submission_time";"_validation_status";"_notes";"_status";"_submitted_by";"__version__";"_tags";'
    '"_index"\r\n'
    '"K1";"P1";"Manager";"Agree";"Agree";"Disagree";"Strongly agree";"Agree";"Don\'t know";"Disagree";"1";"u-1";'
    '"2026-05-01T10:00:00";"";"";"submitted_via_web";"";"v1";"";"1"\r\n'
    '"K2";"P1";"Frontline worker";"";"Neutral";"Disagree";"Agree";"Agree";"Agree";"Agree";"2";"u-2";'
    '"2026-05-01T11:00:00";"";"";"submitted_via_web";"";"v1";"";"2"\r\n')

KOBO_XML = ('"respondent_id";"partnership";"role";"mechanisms/SM1";"mechanisms/SM2";"mechanisms/SM3";"mechanisms/DR1";'
            '"mechanisms/DR2";"mechanisms/DR3";"mechanisms/ATT1";"_id";"_uuid";"_submission_time";"_index"\r\n'
            '"#respondent";"#group";"";"";"";"";"";"";"";"";"";"";"";""\r\n'
            '"K3";"P2";"manager";"5";"4";"1";"9";"3";"2";"2";"3";"u-3";"2026-05-02T09:00:00";"1"\r\n')

ODK = ("SubmissionDate,respondent_id,partnership,role,mechanisms-SM1,mechanisms-SM2,mechanisms-SM3,mechanisms-DR1,"
       "mechanisms-DR2,mechanisms-DR3,mechanisms-ATT1,meta-instanceID,KEY,SubmitterID,SubmitterName,"
       "AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
       "2026-05-01T09:00:00.000Z,O1,P3,frontline,4,4,2,3,3,3,2,uuid:a1,uuid:a1,5,x,0,0,,,,0,0.1\n"
       "2026-05-01T09:05:00.000Z,,P3,manager,2,2,2,2,2,2,2,uuid:a2,uuid:a2,5,x,0,0,,,,0,0.1\n")

QUALTRICS = ('StartDate,EndDate,Status,Finished,ResponseId,Q1,Q2,Q3_1,Q3_2,Q3_3,Q4_1,Q4_2,Q4_3,Q5\n'
             '"Start Date","End Date","Response Type","Finished","Response ID","Respondent number",'
             '"Which partnership are you part of?",'
             '"How much do you agree?\nPlease read each statement. - '
             'In our partnership we work out together what the numbers say about the whole system.",'
             '"How much do you agree? - We link changes in our figures to what other partners are doing.",'
             '"How much do you agree? - Each organisation reads only its own numbers.",'
             '"Meetings - We meet regularly to go through the data together.",'
             '"Meetings - Our meetings have a set time for discussing results.",'
             '"Meetings - =Data are rarely discussed when we meet.",'
             '"To show you are reading, please choose \'Disagree\'."\n'
             '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
             '"{""ImportId"":""finished""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1_TEXT""}",'
             '"{""ImportId"":""QID2_TEXT""}","{""ImportId"":""QID3_1""}","{""ImportId"":""QID3_2""}",'
             '"{""ImportId"":""QID3_3""}","{""ImportId"":""QID4_1""}","{""ImportId"":""QID4_2""}",'
             '"{""ImportId"":""QID4_3""}","{""ImportId"":""QID5""}"\n'
             '2026-05-01,2026-05-01,IP Address,True,R_abc,Q1,P4,5,4,2,4,4,2,2\n'
             '2026-05-01,2026-05-01,IP Address,True,R_def,,P4,3,3,3,3,3,3,4\n')


def test_platform_exports(tmp_path, mini):
    kobo = tmp_path / "kobo.csv"
    kobo.write_text(KOBO_LABELS, encoding="utf-8")
    kobo_xml = tmp_path / "kobo_xml.csv"
    kobo_xml.write_text(KOBO_XML, encoding="utf-8")
    odk = tmp_path / "odk.csv"
    odk.write_text(ODK, encoding="utf-8")
    qual = tmp_path / "qualtrics.csv"
    qual.write_text(QUALTRICS, encoding="utf-8")
    assert [sniff(p) for p in (kobo, kobo_xml, odk, qual)] == ["kobo", "kobo", "odk", "qualtrics"]
    data, report = toolkit.read_survey([kobo, kobo_xml, odk, qual], mini)
    d = data.set_index("respondent_id")
    # Kobo labels: headers are question texts, values are labels
    assert d.loc["K1", MINI_ITEMS + ["ATT1"]].tolist()[:5] == [4, 4, 2, 5, 4]
    assert pd.isna(d.loc["K1", "DR3"]) and d.loc["K1", "role"] == "manager"
    assert pd.isna(d.loc["K2", "SM1"]) and pd.isna(d.loc["K2", "SM2"])  # blank; "Neutral" is not a label
    assert d.loc["K3", MINI_ITEMS].tolist()[:3] == [5, 4, 1]  # XML values, group paths, HXL row skipped
    assert d.loc["O1", MINI_ITEMS].tolist() == [4, 4, 2, 3, 3, 3]  # ODK group paths
    assert d.loc["Q1", MINI_ITEMS].tolist() == [5, 4, 2, 4, 4, 2]  # Qualtrics matched by statement text
    assert data["partnership"].tolist() == ["P1", "P1", "P2", "P3", "P3", "P4", "P4"]
    # platform ids stand in when the form had no respondent question
    assert "uuid:a2" in data["respondent_id"].tolist() and "R_def" in data["respondent_id"].tolist()
    issues = report.issues
    neutral = issues[issues.check == "non_numeric"].iloc[0]
    assert (neutral.file, neutral.row, neutral.column, neutral.value) == (str(kobo), 3, "SM2", "Neutral")
    sl = issues[issues.check == "straightlining"]
    assert set(zip(sl.file, sl.row)) == {(str(odk), 3), (str(qual), 5)}
    att = issues[issues.check == "attention_failed"]
    assert set(zip(att.file, att.row)) == {(str(kobo), 3), (str(qual), 5)}
    assert len(data) == 7 and report.n_respondents == 7


def test_utf16_tab_exports(tmp_path, mini, run_cli):
    """Qualtrics' TSV export and Excel's "Unicode text" are UTF-16 with tabs; they were read as cp1252 garbage."""
    import csv
    import io

    from toolkit.survey.table import read_table

    rows = list(csv.reader(io.StringIO(QUALTRICS)))
    qual = tmp_path / "qualtrics.tsv"
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    qual.write_bytes(buf.getvalue().encode("utf-16"))
    assert sniff(qual) == "qualtrics"
    data, report = toolkit.read_survey([qual], mini)
    d = data.set_index("respondent_id")
    assert d.loc["Q1", MINI_ITEMS].tolist() == [5, 4, 2, 4, 4, 2] and report.skipped_files == []
    text = tmp_path / "unicode.txt"
    pd.DataFrame({"respondent_id": ["Zoë", "Åsa"], "SM1": [4, 2], "SM2": [5, 3], "SM3": [2, 4], "DR1": [3, 3],
                  "DR2": [4, 4], "DR3": [1, 2]}).to_csv(text, sep="\t", index=False, encoding="utf-16")
    back = read_table(text)
    assert back["respondent_id"].tolist() == ["Zoë", "Åsa"] and back["SM2"].tolist() == [5, 3]
    data, _ = toolkit.read_survey([text], mini)
    assert data["respondent_id"].tolist() == ["Zoë", "Åsa"] and data["SM1"].tolist() == [4, 2]
    code, _, err = run_cli("survey", "score", str(text), "-i", str(mini), "-o", str(tmp_path / "s.csv"))
    assert code == 0, err


def test_format_override_and_plain_tables(tmp_path, mini):
    plain = tmp_path / "plain.csv"
    pd.DataFrame({"respondent_id": ["A", "B", "A"], "partnership": ["P1", "P1", ""], "SM1": [1, 2, 3],
                  "SM2": ["2", "x", 3], "SM3": [3, 3, 3], "DR1": [4, 4, 9], "DR2": [5, 5, 5],
                  "DR3": [1, 1, 1]}).to_csv(plain, index=False)
    assert sniff(plain) == "table"
    data, report = toolkit.read_survey(plain, mini, straightline_min=3)
    issues = report.issues
    dup = issues[issues.check == "duplicate_id"]
    assert sorted(dup.row.tolist()) == [2, 4]
    assert "row 4" in dup[dup.row == 2].message.iloc[0]
    assert issues[issues.check == "missing_group"].row.tolist() == [4]
    # no ATT1 column in this table: said once for the file, not as a failed check for every respondent
    assert issues[issues.check == "missing_columns"].message.tolist() == [
        "no column for attention check(s) ATT1; not checked in this file"]
    assert (issues.check != "attention_failed").all()
    assert "no column for item(s)" not in " ".join(issues.message)
    # missingness tables: item and respondent, declared missing counted
    im = report.item_missing.set_index("item")
    assert im.loc["SM2", "n_missing"] == 1 and im.loc["DR1", "n_declared_missing"] == 1
    assert report.respondent_missing["n_missing"].tolist() == [0, 1, 1]
    # a Kobo file forced through the plain reader still maps its group paths
    kobo_xml = tmp_path / "k.csv"
    kobo_xml.write_text(KOBO_XML.replace(";", ","), encoding="utf-8")
    forced, _ = toolkit.read_survey(kobo_xml, mini, format="table")
    assert forced["SM1"].dropna().tolist() == [5]
    assert set(READERS) == {"questionnaire", "entry", "qualtrics", "odk", "kobo", "table"}
    with pytest.raises(toolkit.ToolkitError, match="unknown format"):
        toolkit.read_survey(kobo_xml, mini, format="limesurvey")


def test_cli_outputs_reports_and_inputs_untouched(tmp_path, mini, run_cli):
    kobo = tmp_path / "kobo.csv"
    kobo.write_text(KOBO_LABELS, encoding="utf-8")
    form = contract_form(tmp_path / "f.xlsx", dict(GOOD, respondent_id="=HYPERLINK(1)"))
    before = sha([kobo, form])
    out_sav, out_xlsx, rep_xlsx, rep_csv = (tmp_path / n for n in ("d.sav", "d.xlsx", "r.xlsx", "r.csv"))
    code, stdout, _ = run_cli("survey", "import", str(kobo), str(form), "-i", str(mini), "-o", str(out_sav),
                              "--report", str(rep_xlsx), "--json")
    assert code == 0
    payload = json.loads(stdout)
    assert payload["n_respondents"] == 3 and payload["counts"]["non_numeric"] == 1
    assert payload["issues"][0]["check"] == "non_numeric"
    code, stdout, _ = run_cli("survey", "import", str(kobo), str(form), "-i", str(mini), "-o", str(out_xlsx),
                              "--report", str(rep_csv), "--straightline-min", "3")
    assert code == 0 and "non_numeric" in stdout and "kobo.csv:row 3: SM2" in stdout
    assert sha([kobo, form]) == before
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(out_sav), user_missing=True)
    assert meta.column_names_to_labels["SM3"] == "Each organisation reads only its own numbers."
    assert meta.variable_value_labels["SM1"][9.0] == "Don't know"
    assert meta.variable_value_labels["SM1"][4.0] == "Agree"
    assert meta.missing_ranges["SM1"] == [{"lo": 9.0, "hi": 9.0}]
    assert "source_file" in df.columns and df["SM1"].tolist()[:1] == [4.0]
    wb = load_workbook(out_xlsx)
    ws = wb["Data"]
    ids = [ws.cell(r, 1) for r in range(2, 5)]
    evil = [c for c in ids if str(c.value).startswith("=")][0]
    assert evil.data_type == "s"  # text, never a formula
    wb = load_workbook(rep_xlsx)
    assert wb.sheetnames == ["Summary", "Issues", "Item missingness", "Respondent missingness", "Files"]
    ws = wb["Item missingness"]  # labelled headers and number formats (the one table writer)
    assert [c.value for c in ws[2]] == ["Item", "Construct", "N", "Missing", "Missing codes (Don't know)", "Share missing"]
    assert ws["F3"].number_format == "0.0%"
    assert wb["Issues"]["B3"].value == "Answer not on the scale"
    rep = pd.read_csv(rep_csv)
    assert {"severity", "check", "file", "row", "cell", "column", "value", "message"} <= set(rep.columns)
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_outputs_never_replace_inputs(tmp_path, mini, run_cli):
    """-o naming an input (or a file inside an input folder) used to overwrite the raw data without a word."""
    folder = tmp_path / "returned"
    folder.mkdir()
    form = contract_form(folder / "f.xlsx", GOOD)
    table = tmp_path / "answers.csv"
    table.write_text("respondent_id,SM1,SM2,SM3,DR1,DR2,DR3\nR1,4,4,2,3,3,3\nR2,2,3,4,4,3,2\n", encoding="utf-8")
    before = sha([form, table])
    calls = [
        (["survey", "import", str(folder), "-i", str(mini), "-o", str(form)], "--output", form),
        (["survey", "import", str(table), "-i", str(mini), "-o", str(tmp_path / "." / "answers.csv")], "--output",
         tmp_path / "." / "answers.csv"),
        (["survey", "import", str(table), "-i", str(mini), "-o", str(tmp_path / "o.csv"), "--report",
          str(table)], "--report", table),
        (["survey", "validate", str(table), "-i", str(mini), "--report", str(table)], "--report", table),
        (["survey", "score", str(table), "-i", str(mini), "-o", str(table)], "--output", table),
        (["analyze", "reliability", str(form), "--scale", "s=SM1,SM2", "-o", str(form)], "--output", form),
    ]
    for args, option, target in calls:
        code, out, err = run_cli(*args)
        assert code == 2 and err.startswith(f"error: {target}: {option}: would overwrite the input file"), (args, err)
    code, _, err = run_cli("survey", "import", str(table), "-i", str(mini), "-o", str(tmp_path / "o.csv"),
                           "--report", str(tmp_path / "o.csv"))
    assert code == 2 and "--report: names the same file as --output" in err
    assert sha([form, table]) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv", "returned"]


def test_formula_like_text_survives_csv_then_xlsx(tmp_path, mini, run_cli):
    """Our CSV keeps '=Trust & Co' as text with a leading quote; reading it back used to keep that quote, so the
    scored .xlsx (and a re-import) showed \'=Trust & Co."""
    from toolkit.survey.table import read_table

    form = contract_form(tmp_path / "f.xlsx", dict(GOOD, partnership="-P1", respondent_id="=Trust & Co"))
    csv_out, xlsx_out = tmp_path / "a.csv", tmp_path / "s.xlsx"
    assert run_cli("survey", "import", str(form), "-i", str(mini), "-o", str(csv_out))[0] == 0
    assert "'=Trust & Co" in csv_out.read_text(encoding="utf-8")  # escaped on disk
    back = read_table(csv_out)
    assert (back.loc[0, "respondent_id"], back.loc[0, "partnership"]) == ("=Trust & Co", "-P1")
    again, _ = toolkit.read_survey([csv_out], mini)
    assert (again.loc[0, "respondent_id"], again.loc[0, "partnership"]) == ("=Trust & Co", "-P1")
    assert run_cli("survey", "score", str(csv_out), "-i", str(mini), "-o", str(xlsx_out))[0] == 0
    ws = load_workbook(xlsx_out).active
    assert [ws.cell(2, 1).value, ws.cell(2, 2).value] == ["=Trust & Co", "-P1"]
    assert ws.cell(2, 1).data_type == "s"


def test_sav_names_spss_cannot_take_are_renamed(tmp_path, mini):
    """An item called WITH (an SPSS reserved word) made ReadStat refuse the whole .sav; clashes after cleaning
    (a-b and a_b) would have overwritten each other."""
    import pyreadstat

    from toolkit.survey.output import write_survey

    df = pd.DataFrame({"WITH": [1.0, 2.0], "a-b": [1.0, 1.0], "a_b": [2.0, 2.0], "_source": ["x", "y"],
                       "Data": ["p", "q"], "data": ["r", "s"]})
    out = write_survey(df, tmp_path / "d.sav")
    back, _ = pyreadstat.read_sav(str(out))
    assert list(back.columns) == ["WITH_", "a_b", "a_b_2", "source_file", "Data", "data_2"]
    assert back["a_b_2"].tolist() == [2.0, 2.0]


def test_validate_file_of_another_survey_is_one_error(tmp_path, data_dir, mini, run_cli):
    """bfi.csv checked against the mini instrument gave thousands of missing-id/missing-answer warnings."""
    code, out, err = run_cli("survey", "validate", str(data_dir / "bfi.csv"), "-i", str(mini))
    assert code == 2 and out == ""
    assert err.strip() == (f"error: {data_dir / 'bfi.csv'}: --instrument: no column is an item of 'mini-test' "
                           "(the file has: id, A1, A2, A3, A4, A5, ...)")


def test_keep_missing_codes(tmp_path, mini):
    f = contract_form(tmp_path / "a.xlsx", GOOD)
    data, _ = toolkit.read_survey(f, mini, keep_missing_codes=True)
    assert data.loc[0, "DR1"] == 9
    scored = toolkit.score(data, mini)
    assert scored.loc[0, "deliberation"] == pytest.approx((4 + (6 - 1)) / 2)


def test_validate_command_on_tidy_file(tmp_path, mini, run_cli):
    df = pd.DataFrame({"respondent_id": ["A", "B"], "partnership": ["P1", "P1"], "SM1": [1, 8], "SM2": [2, 2],
                       "SM3": [3, 3], "DR1": [4, 4], "DR2": [5, 5], "DR3": [1, 1], "ATT1": [2, 3]})
    p = tmp_path / "tidy.csv"
    df.to_csv(p, index=False)
    code, stdout, _ = run_cli("survey", "validate", str(p), "-i", str(mini), "--json")
    assert code == 0
    payload = json.loads(stdout)
    oor = [i for i in payload["issues"] if i["check"] == "out_of_range"][0]
    assert (oor["row"], oor["column"], oor["value"], oor["file"]) == (3, "SM1", "8", str(p))
    assert payload["counts"]["attention_failed"] == 1


def test_every_sample_channel_round_trips(tmp_path):
    """Simulated answers written through every channel layout come back identical."""
    from toolkit.survey.samples import make_channels
    from toolkit.survey.variables import recode_frame

    paths = make_channels("collective-data-use", tmp_path, n=16, groups=4, seed=3, flaws=False)
    data, report = toolkit.read_survey([tmp_path / "questionnaires"] + [p for p in paths if p.suffix == ".csv"],
                                       "collective-data-use")
    assert report.n_errors == 0 and report.skipped_files == []
    truth = toolkit.simulate("collective-data-use", n=16, groups=4, seed=3)
    expected, _ = recode_frame(truth, toolkit.load_instrument("collective-data-use"))
    got = data.set_index("respondent_id").loc[expected["respondent_id"]].reset_index()
    cols = [c for c in expected.columns if c != "organisation" or True]
    pd.testing.assert_frame_equal(got[cols].reset_index(drop=True), expected[cols].reset_index(drop=True),
                                  check_dtype=False)
    assert sorted(set(data["_source"].map(lambda s: Path(s).suffix))) == [".csv", ".xlsx"]


def test_help_has_examples(run_cli):
    for cmd in ("import", "score", "simulate", "validate"):
        code, stdout, _ = run_cli("survey", cmd, "--help")
        assert code == 0 and "Example:" in stdout and "hls survey " + cmd in stdout
    code, stdout, _ = run_cli("survey", "--help")
    assert code == 0 and "Example:" in stdout and "hls survey import" in stdout.split("Example:")[1]


def test_kobo_xlsx_and_german_labels(tmp_path):
    """A German questionnaire of the bilingual instrument and a Kobo XLSX export with German labels."""
    from toolkit.survey.fill import fill_questionnaire

    inst = toolkit.load_instrument("performance-attraction")
    items = inst.item_ids[:3]
    form = toolkit.build_form("performance-attraction", "xlsx", tmp_path / "form-de.xlsx", lang="de")
    answers = {inst.respondent_column: "D1", items[0]: 5, items[1]: 9, items[2]: 2}
    if inst.group_column:
        answers[inst.group_column] = "G1"
    filled = fill_questionnaire(form, answers, tmp_path / "D1.xlsx", inst)
    cells = load_workbook(filled)
    texts = [c.value for ws in cells.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Stimme voll und ganz zu" in texts and "Weiß nicht" in texts  # written as German labels
    kobo = tmp_path / "kobo.xlsx"
    pd.DataFrame({inst.respondent_column: ["K1"], f"grp/{items[0]}": ["stimme EHER zu"],
                  f"grp/{items[1]}": ["Weder noch"], f"grp/{items[2]}": ["Weiß nicht"], "_uuid": ["u1"],
                  "_submission_time": ["2026-05-01"], "_index": [1]}).to_excel(kobo, index=False)
    assert sniff(kobo) == "kobo"
    data, report = toolkit.read_survey([filled, filled, kobo], inst)  # the same file twice is read once
    d = data.set_index(inst.respondent_column)
    assert len(d) == 2 and report.counts.get("duplicate_id") is None
    assert d.loc["D1", items[0]] == 5 and pd.isna(d.loc["D1", items[1]]) and d.loc["D1", items[2]] == 2
    assert d.loc["K1", items].tolist()[:2] == [4, 3] and pd.isna(d.loc["K1", items[2]])
    assert report.n_errors == 0


def test_demo_step_imports_the_bundled_samples(tmp_path):
    import toolkit

    lines = []
    paths = toolkit.run_demo(tmp_path, only=["survey"], echo=lines.append)
    assert all(p.exists() for p in paths)
    assert (tmp_path / "inputs" / "survey" / "collective-data-use.csv").exists()  # the inputs sit beside the outputs
    tmp_path = tmp_path / "survey"
    issues = pd.read_excel(tmp_path / "channels-validation.xlsx", sheet_name="Issues", header=1)  # row 1: title
    errors = issues[issues["Severity"] == "error"]
    # the two planted mistakes, in words (not the machine names non_numeric / out_of_range)
    assert sorted(errors["Check"]) == ["Answer not on the scale", "Answer outside the scale"]
    assert set(errors["File"].map(lambda f: Path(f).name)) == {"kobo-export.csv", "odk-export.csv"}
    scored = pd.read_csv(tmp_path / "collective-data-use-scored.csv")
    assert len(scored) == 400 and "collective_data_use" in scored.columns
