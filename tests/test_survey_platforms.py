"""Round trips with the platforms researchers use: Qualtrics numeric exports and .qsf, LibreOffice .ods and legacy
.xls workbooks, ODK Central .csv.zip and KoboToolbox workbook exports with repeat groups.

Fixtures: tests/data/qualtrics (made by make_fixtures.py there, following Qualtrics' documented layouts) and
tests/data/platforms (LibreOffice headless conversions and documented Kobo/ODK layouts; make_fixtures.py there).
"""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit.errors import DataError
from toolkit.survey.readers import sniff
from toolkit.survey.readers.qualtrics import ExportSettingsError

ITEMS = ["SM1", "SM2", "SM3", "DR1", "DR2", "DR3", "ATT1"]
NA = None
# what every Qualtrics layout of tests/data/qualtrics holds (see make_fixtures.py: PEOPLE; 6 = Don't know)
QUALTRICS_EXPECTED = [
    ("Q-01", "P1", "manager", [4, 5, 2, NA, 3, 1, 2]),
    ("Q-02", "P1", "frontline", [5, 5, 1, 4, 4, 2, 2]),
    ("Q-03", "P2", "manager", [2, 3, 4, 2, NA, 5, 4]),
    ("Q-04", "P2", "frontline", [3, NA, 3, 3, 3, 3, 2]),
]
PLATFORM_EXPECTED = [  # tests/data/platforms: kobo_groups.*, odk_central.csv.zip (9 = Don't know)
    ("K-01", "P1", "manager", [4, 5, 2, NA, 3, 1, 2]),
    ("K-02", "P1", "frontline", [5, 4, 1, 4, 4, 2, 2]),
    ("K-03", "P2", "manager", [2, 3, 4, 2, NA, 5, 4]),
]


@pytest.fixture
def mini(data_dir) -> Path:
    return data_dir / "mini-instrument.yaml"


def rows_of(data) -> list:
    out = []
    for _, r in data.iterrows():
        out.append((r["respondent_id"], r["partnership"], r["role"],
                    [None if pd.isna(r[i]) else int(r[i]) for i in ITEMS]))
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- Qualtrics --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, qsf", [
    ("choice-text.csv", None),
    ("choice-text.csv", "mini.qsf"),            # labels pass through a .qsf untouched
    ("numeric-default.csv", "mini.qsf"),        # default recodes: Don't know = 6, role 1/2, -99 = seen, unanswered
    ("numeric-custom.csv", "mini-recoded.qsf"),  # custom recodes 0..4, Don't know = 8; columns Q4_1.. by text
    ("legacy.csv", "mini.qsf"),                 # two header rows (V1..V10)
    ("numeric-default.tsv", "mini.qsf"),        # UTF-16 tab-separated
])
def test_every_qualtrics_layout_gives_the_same_answers(data_dir, mini, name, qsf):
    folder = data_dir / "qualtrics"
    path = folder / name
    before = digest(path)
    assert sniff(path) == "qualtrics"
    data, report = toolkit.read_survey([path], mini, qsf=folder / qsf if qsf else None)
    assert rows_of(data) == QUALTRICS_EXPECTED
    assert report.n_errors == 0
    assert "unknown_choice" not in report.counts
    assert digest(path) == before


def test_legacy_layout_is_recognised_with_its_data_rows(data_dir, mini):
    data, _ = toolkit.read_survey([data_dir / "qualtrics" / "legacy.csv"], mini, qsf=data_dir / "qualtrics" / "mini.qsf")
    assert len(data) == 4 and list(data["_row"]) == [3, 4, 5, 6]  # two header rows, not six "respondents"


@pytest.mark.parametrize("name, columns", [
    ("numeric-default.csv", ["role (1, 2)", "DR1 (6)", "DR2 (6)"]),
    ("numeric-default.tsv", ["role (1, 2)", "DR1 (6)", "DR2 (6)"]),
    ("legacy.csv", ["role (1, 2)", "DR1 (6)", "DR2 (6)"]),
    ("numeric-custom.csv", ["role (10, 20)", "Q4_3 = SM3 (0)", "Q4_4 = DR1 (8)"]),
])
def test_numeric_export_without_qsf_stops_with_one_message(data_dir, mini, run_cli, tmp_path, name, columns):
    path = data_dir / "qualtrics" / name
    with pytest.raises(ExportSettingsError) as exc:
        toolkit.read_survey([path], mini)
    code, out, err = run_cli("survey", "import", str(path), "-i", str(mini), "-o", str(tmp_path / "a.csv"))
    assert code == 2 and not (tmp_path / "a.csv").exists()
    lines = [ln for ln in err.strip().splitlines() if ln]
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(f"error: {path}: numeric Qualtrics export")
    for col in columns:
        assert col in lines[0]
    assert "--qsf" in lines[0] and "choice text" in lines[0]
    assert str(exc.value) == lines[0][len("error: "):]


def test_qsf_option_on_the_command_line(data_dir, mini, run_cli, tmp_path):
    folder = data_dir / "qualtrics"
    out = tmp_path / "answers.csv"
    code, _, err = run_cli("survey", "import", str(folder / "numeric-custom.csv"), "-i", str(mini),
                           "--qsf", str(folder / "mini-recoded.qsf"), "-o", str(out))
    assert code == 0, err
    assert rows_of(pd.read_csv(out, dtype={"respondent_id": str})) == QUALTRICS_EXPECTED


def test_qsf_of_another_survey_or_not_a_qsf(data_dir, mini, tmp_path, run_cli):
    folder = data_dir / "qualtrics"
    other = tmp_path / "other.qsf"
    other.write_text('{"SurveyEntry": {}, "SurveyElements": [{"Element": "SQ", "Payload": {"QuestionID": "QID99", '
                     '"QuestionText": "x", "QuestionType": "MC", "Choices": {"1": {"Display": "a"}}}}]}')
    with pytest.raises(ExportSettingsError, match="not the survey of this export"):
        toolkit.read_survey([folder / "numeric-default.csv"], mini, qsf=other)
    broken = tmp_path / "broken.qsf"
    broken.write_text('{"SurveyEntry": {},\n "SurveyElements": [')
    code, _, err = run_cli("survey", "import", str(folder / "numeric-default.csv"), "-i", str(mini),
                           "--qsf", str(broken), "-o", str(tmp_path / "a.csv"))
    assert code == 2 and err.strip().startswith(f"error: {broken}:2: --qsf: not a Qualtrics survey file")


def test_qsf_facts(data_dir):
    from toolkit.survey.qsf import load_qsf

    qsf = load_qsf(data_dir / "qualtrics" / "mini-recoded.qsf")
    matrix = qsf.questions["QID4"]
    assert matrix.value_labels()["8"] == "Don't know" and matrix.value_labels()["0"] == "Strongly disagree"
    assert qsf.labels_for("Q4_6", "QID4_6") == matrix.value_labels()
    assert qsf.labels_for("Q4_6_TEXT", "QID4_6_TEXT") is None
    assert qsf.labels_for("role", None) == {"10": "Manager", "20": "Frontline worker"}  # legacy: by column name
    default = load_qsf(data_dir / "qualtrics" / "mini.qsf")
    assert default.questions["QID4"].columns()["SM1"] == "1"
    assert default.labels_for("ATT1", "QID5")["6"] == "Don't know"  # no RecodeValues: the choice id


# -- LibreOffice .ods and Excel 97-2003 .xls ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["questionnaire_mini.ods", "questionnaire_mini.xls"])
def test_questionnaire_saved_as_ods_or_xls(data_dir, mini, name):
    from toolkit.survey.workbook import open_workbook

    path = data_dir / "platforms" / name
    before = digest(path)
    book = open_workbook(path)
    assert book.state("_meta") == "hidden"  # LibreOffice keeps the sheet hidden, not very hidden
    assert sniff(path) == "questionnaire"
    data, report = toolkit.read_survey([path], mini)
    row = data.iloc[0]
    assert (row["respondent_id"], row["partnership"], row["role"]) == ("LO-1", "=Partnership & Co", "frontline")
    assert [row[i] for i in ("SM1", "SM2", "SM3", "DR2", "DR3", "ATT1")] == [4, 5, 2, 3, 1, 2]
    assert pd.isna(row["DR1"])
    assert report.n_errors == 0 and report.skipped_files == []
    assert digest(path) == before


def test_hidden_meta_sheet_in_xlsx(tmp_path, mini):
    """A questionnaire whose _meta was unhidden and hidden again (state 'hidden') reads as before."""
    from openpyxl import load_workbook

    form = tmp_path / "form.xlsx"
    toolkit.build_form(mini, "xlsx", form)
    wb = load_workbook(form)
    wb["_meta"].sheet_state = "hidden"
    wb["Questionnaire"]["C11"] = "Agree"
    wb.save(form)
    data, report = toolkit.read_survey([form], mini)
    assert data.iloc[0]["SM1"] == 4 and report.skipped_files == []


def test_entry_workbook_as_ods_and_table_as_xls(data_dir, mini):
    data, report = toolkit.read_survey([data_dir / "platforms" / "entry_mini.ods"], mini)
    assert sniff(data_dir / "platforms" / "entry_mini.ods") == "entry"
    assert list(data["respondent_id"]) == ["E-01", "E-02", "007"]  # the entry sheet keeps ids as text
    assert list(data["SM2"]) == [5, 4, 5] and pd.isna(data.iloc[0]["DR1"])
    table = data_dir / "platforms" / "table_mini.xls"
    assert sniff(table) == "table"
    data, _ = toolkit.read_survey([table], mini)
    csv = pd.read_csv(data_dir / "survey_mini_sim.csv").head(8)
    assert list(data["respondent_id"]) == list(csv["respondent_id"])
    both = csv["SM3"].where(csv["SM3"] != 9)
    assert data["SM3"].astype(float).tolist() == pytest.approx(both.tolist(), nan_ok=True)


@pytest.mark.parametrize("name", ["table_mini.xls", "entry_mini.ods"])
def test_read_table_reads_ods_and_xls_like_read_excel(data_dir, name):
    from toolkit.survey.table import read_table

    df = read_table(data_dir / "platforms" / name, sheet=0)
    assert df.columns[0] == "respondent_id"
    if name == "table_mini.xls":
        ref = pd.read_csv(data_dir / "survey_mini_sim.csv").head(8)
        pd.testing.assert_frame_equal(df, ref, check_dtype=False)


def test_not_a_workbook_is_one_located_error(tmp_path, mini):
    from toolkit.survey.workbook import open_workbook

    fake = tmp_path / "answers.xls"
    fake.write_text("<html><table><tr><td>SM1</td></tr></table></html>")
    with pytest.raises(DataError, match="not an .xls workbook"):
        open_workbook(fake)
    _, report = toolkit.read_survey([fake, tmp_path / "answers.xls"], mini)
    assert report.files["status"].tolist() == ["unreadable"]


# -- ODK Central .csv.zip and Kobo workbooks with repeat groups --------------------------------------------------
@pytest.mark.parametrize("name, what", [
    ("odk_central.csv.zip", "repeat group table 'mini-test-meeting.csv' (3 row(s)"),
    ("kobo_groups.xlsx", "repeat group sheet 'meeting' (3 row(s)"),
    ("kobo_groups.xls", "repeat group sheet 'meeting' (3 row(s)"),
])
def test_main_table_read_and_repeats_noted(data_dir, mini, run_cli, tmp_path, name, what):
    path = data_dir / "platforms" / name
    before = digest(path)
    data, report = toolkit.read_survey([path], mini)
    assert rows_of(data) == PLATFORM_EXPECTED
    notes = report.issues[report.issues["check"] == "table_not_used"]
    assert len(notes) == 1 and what in notes.iloc[0]["message"]
    assert "not used by this instrument" in notes.iloc[0]["message"]
    assert report.files.iloc[0]["status"] == "ok" and what in report.files.iloc[0]["message"]
    code, out, _ = run_cli("survey", "import", str(path), "-i", str(mini), "-o", str(tmp_path / "a.csv"))
    assert code == 0 and f"note {path}: {what}" in out
    assert digest(path) == before


def test_folder_with_every_workbook_kind(tmp_path, data_dir, mini):
    import shutil

    for name in ("questionnaire_mini.ods", "questionnaire_mini.xls", "odk_central.csv.zip", "kobo_groups.xls"):
        shutil.copy(data_dir / "platforms" / name, tmp_path / name)
    data, report = toolkit.read_survey([tmp_path], mini)
    assert len(data) == 8 and report.skipped_files == []
    assert set(report.files["format"]) == {"questionnaire", "odk", "kobo"}


def test_hostile_zip_is_refused_by_the_archive_guard(tmp_path, mini):
    bad = tmp_path / "export.csv.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("mini-test.csv", "SubmissionDate,KEY\n")
        z.writestr("../../evil.csv", "x")
    _, report = toolkit.read_survey([bad], mini)
    assert report.files.iloc[0]["status"] == "unreadable"
    assert "path traversal" in report.files.iloc[0]["message"]
    empty = tmp_path / "other.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("notes.txt", "hello")
    _, report = toolkit.read_survey([empty], mini)
    assert "no ODK Central submissions table" in report.files.iloc[0]["message"]
