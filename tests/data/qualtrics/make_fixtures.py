"""Write the Qualtrics fixtures of this folder (run from the repository root:
``python tests/data/qualtrics/make_fixtures.py``). Standard library only; not run by the tests.

We cannot run Qualtrics here, so the files follow Qualtrics' documented layouts, checked against public samples:

* current export (2017 on): three header rows - export tags, question text ("Question - Statement" for matrix
  rows), ``{"ImportId":"QID4_1"}`` JSON - as in ropensci/qualtRics ``tests/testthat/files/sample.csv``; TSV is the
  same table as UTF-16 (little endian, BOM) with tabs;
* legacy export (before 2017): two header rows, ``V1..V10`` then the export tags, and
  ``ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,Status,StartDate,EndDate,Finished``
  then the question text; every line ends with a comma (qualtRics ``sample_legacy.csv``);
* numeric values are recode values: the choice id unless the question has ``RecodeValues`` (for a matrix they
  apply to the scale points, ``Answers``); ``-99`` is "seen but unanswered";
* the .qsf is JSON with ``SurveyEntry`` and ``SurveyElements``; questions are ``SQ`` elements whose ``Payload``
  has ``QuestionID``, ``DataExportTag``, ``QuestionType`` (``MC``/``Matrix``/``TE``), ``Choices``,
  ``ChoiceOrder``, ``Answers``, ``AnswerOrder``, ``RecodeValues`` and ``ChoiceDataExportTags`` (field names as
  in real .qsf files in public repositories).

The survey is ``tests/data/mini-instrument.yaml`` built in Qualtrics: text questions respondent_id and
partnership, a multiple-choice role question, one matrix for SM1..DR3 with a sixth column "Don't know" (so
Qualtrics numbers it 6), and the attention check ATT1 as a multiple-choice question.
"""
import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SURVEY_ID = "SV_0hlsMiniTest"
ITEMS = [("SM1", "In our partnership we work out together what the numbers say about the whole system."),
         ("SM2", "We link changes in our figures to what other partners are doing."),
         ("SM3", "Each organisation reads only its own numbers."),
         ("DR1", "We meet regularly to go through the data together."),
         ("DR2", "Our meetings have a set time for discussing results."),
         ("DR3", "=Data are rarely discussed when we meet.")]
SCALE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree", "Don't know"]
MATRIX_TEXT = "How far do you agree with each statement?"
ATT_TEXT = "To show you are reading, please choose 'Disagree'."
# respondents: id, partnership, role (1 Manager, 2 Frontline worker), six items and ATT1 as choice ids (6 = DK)
PEOPLE = [
    ("R_1aAbCdEfGhIjKlM", "Q-01", "P1", 1, [4, 5, 2, 6, 3, 1], 2),
    ("R_2bBcDeFgHiJkLmN", "Q-02", "P1", 2, [5, 5, 1, 4, 4, 2], 2),
    ("R_3cCdEfGhIjKlMnO", "Q-03", "P2", 1, [2, 3, 4, 2, 6, 5], 4),
    ("R_4dDeFgHiJkLmNoP", "Q-04", "P2", 2, [3, None, 3, 3, 3, 3], 2),
]


def qsf(custom: bool) -> dict:
    """The survey file; *custom*: the researcher recoded the scale to 0..4 (Don't know 8), role to 10/20 and kept
    Qualtrics' default matrix column names (Q4_1 ...)."""
    def sq(payload):
        return {"SurveyID": SURVEY_ID, "Element": "SQ", "PrimaryAttribute": payload["QuestionID"],
                "SecondaryAttribute": payload["QuestionText"][:99], "TertiaryAttribute": None, "Payload": payload}

    scale = {str(i + 1): {"Display": label} for i, label in enumerate(SCALE)}
    order = [str(i + 1) for i in range(len(SCALE))]
    matrix = {"QuestionText": MATRIX_TEXT, "DefaultChoices": False, "DataExportTag": "Q4", "QuestionType": "Matrix",
              "Selector": "Likert", "SubSelector": "SingleAnswer",
              "Configuration": {"QuestionDescriptionOption": "UseText", "TextPosition": "inline"},
              "QuestionDescription": MATRIX_TEXT,
              "Choices": {str(i + 1): {"Display": text} for i, (_, text) in enumerate(ITEMS)},
              "ChoiceOrder": [str(i + 1) for i in range(len(ITEMS))],
              "Answers": scale, "AnswerOrder": order, "Language": [], "QuestionID": "QID4",
              "NextChoiceId": 7, "NextAnswerId": 7}
    role = {"QuestionText": "What is your role?", "DataExportTag": "role", "QuestionType": "MC", "Selector": "SAVR",
            "SubSelector": "TX", "Configuration": {"QuestionDescriptionOption": "UseText"},
            "QuestionDescription": "What is your role?",
            "Choices": {"1": {"Display": "Manager"}, "2": {"Display": "Frontline worker"}}, "ChoiceOrder": ["1", "2"],
            "Language": [], "QuestionID": "QID3", "NextChoiceId": 3, "NextAnswerId": 1}
    att = {"QuestionText": ATT_TEXT, "DataExportTag": "ATT1", "QuestionType": "MC", "Selector": "SAVR",
           "SubSelector": "TX", "Configuration": {"QuestionDescriptionOption": "UseText"},
           "QuestionDescription": ATT_TEXT, "Choices": scale, "ChoiceOrder": order, "Language": [],
           "QuestionID": "QID5", "NextChoiceId": 7, "NextAnswerId": 1}
    if custom:
        recode = {str(i + 1): str(i) for i in range(5)} | {"6": "8"}
        matrix["RecodeValues"] = recode
        att["RecodeValues"] = recode
        role["RecodeValues"] = {"1": "10", "2": "20"}
    else:
        matrix["ChoiceDataExportTags"] = {str(i + 1): item for i, (item, _) in enumerate(ITEMS)}
    texts = [{"QuestionText": text, "DefaultChoices": False, "DataExportTag": tag, "QuestionType": "TE",
              "Selector": "SL", "Configuration": {"QuestionDescriptionOption": "UseText"},
              "QuestionDescription": text, "Validation": {"Settings": {"ForceResponse": "OFF", "Type": "None"}},
              "Language": [], "QuestionID": qid}
             for qid, tag, text in (("QID1", "respondent_id", "Respondent number"),
                                    ("QID2", "partnership", "Which partnership are you part of?"))]
    block = {"Type": "Default", "Description": "Default Question Block", "ID": "BL_0hlsMini",
             "BlockElements": [{"Type": "Question", "QuestionID": f"QID{i}"} for i in range(1, 6)]}
    return {
        "SurveyEntry": {"SurveyID": SURVEY_ID, "SurveyName": "Mini test instrument", "SurveyDescription": None,
                        "SurveyLanguage": "EN", "SurveyStatus": "Inactive",
                        "SurveyCreationDate": "2026-05-01 09:00:00", "LastModified": "2026-05-02 10:00:00"},
        "SurveyElements": [
            {"SurveyID": SURVEY_ID, "Element": "BL", "PrimaryAttribute": "Survey Blocks", "SecondaryAttribute": None,
             "TertiaryAttribute": None, "Payload": [block]},
            {"SurveyID": SURVEY_ID, "Element": "FL", "PrimaryAttribute": "Survey Flow", "SecondaryAttribute": None,
             "TertiaryAttribute": None, "Payload": {"Flow": [{"ID": "BL_0hlsMini", "Type": "Block", "FlowID": "FL_2"}],
                                                    "Properties": {"Count": 2}, "FlowID": "FL_1", "Type": "Root"}},
            {"SurveyID": SURVEY_ID, "Element": "QC", "PrimaryAttribute": "Survey Question Count",
             "SecondaryAttribute": "5", "TertiaryAttribute": None, "Payload": None},
        ] + [sq(p) for p in texts + [role, matrix, att]],
    }


META = [("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
        ("Status", "Response Type", "status"), ("Progress", "Progress", "progress"),
        ("Duration (in seconds)", "Duration (in seconds)", "duration"), ("Finished", "Finished", "finished"),
        ("RecordedDate", "Recorded Date", "recordedDate"), ("ResponseId", "Response ID", "_recordId")]


def current(mode: str) -> list[list[str]]:
    """Rows of a current-layout export; mode: 'text' (choice text), 'default' or 'custom' (numeric)."""
    custom = mode == "custom"
    cols = ["respondent_id", "partnership", "role"]
    cols += [f"Q4_{i + 1}" for i in range(len(ITEMS))] if custom else [item for item, _ in ITEMS]
    cols += ["ATT1"]
    head = [m[0] for m in META] + cols
    labels = [m[1] for m in META] + ["Respondent number", "Which partnership are you part of?", "What is your role?"]
    labels += [f"{MATRIX_TEXT} - {text}" for _, text in ITEMS] + [ATT_TEXT]
    ids = [{"ImportId": m[2]} for m in META] + [{"ImportId": "QID1_TEXT"}, {"ImportId": "QID2_TEXT"},
                                                 {"ImportId": "QID3"}]
    ids += [{"ImportId": f"QID4_{i + 1}"} for i in range(len(ITEMS))] + [{"ImportId": "QID5"}]
    rows = [head, labels, [json.dumps(i, separators=(",", ":")) for i in ids]]
    for k, (rid, person, group, role, items, att) in enumerate(PEOPLE):
        meta = [f"2026-05-0{k + 1} 10:00:00", f"2026-05-0{k + 1} 10:07:00", "IP Address", "100", "420", "True",
                f"2026-05-0{k + 1} 10:07:01", rid]
        rows.append(meta + [person, group] + answers(mode, role, items, att))
    return rows


def answers(mode, role, items, att):
    if mode == "text":
        return (["Manager", "Frontline worker"][role - 1:role] + ["" if x is None else SCALE[x - 1] for x in items]
                + [SCALE[att - 1]])
    if mode == "custom":
        code = {i: str(i - 1) for i in range(1, 6)} | {6: "8"}
        return [str(role * 10)] + ["" if x is None else code[x] for x in items] + [code[att]]
    # default recodes = choice ids; the unanswered item is exported as -99 ("seen but unanswered")
    return [str(role)] + ["-99" if x is None else str(x) for x in items] + [str(att)]


def legacy() -> list[list[str]]:
    """A legacy export (two header rows, numeric default recodes) of the same answers."""
    tags = ["respondent_id", "partnership", "role"] + [item for item, _ in ITEMS] + ["ATT1"]
    head = [f"V{i}" for i in range(1, 11)] + tags + [""]
    texts = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
             "StartDate", "EndDate", "Finished", "Respondent number", "Which partnership are you part of?",
             "What is your role?"] + [f"{MATRIX_TEXT}-{text}" for _, text in ITEMS] + [ATT_TEXT, ""]
    rows = [head, texts]
    for k, (rid, person, group, role, items, att) in enumerate(PEOPLE):
        rows.append([rid, "Default Response Set", "Anonymous", "", "", "", "0", f"2015-05-0{k + 1} 10:00:00",
                     f"2015-05-0{k + 1} 10:07:00", "1", person, group]
                    + [str(role)] + ["" if x is None else str(x) for x in items] + [str(att), ""])
    return rows


def write_csv(name, rows, delimiter=",", encoding="utf-8", lineterminator="\r\n"):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator).writerows(rows)
    data = buf.getvalue()
    (HERE / name).write_bytes(data.encode(encoding) if encoding != "utf-16" else b"\xff\xfe" +
                              data.encode("utf-16-le"))


if __name__ == "__main__":
    (HERE / "mini.qsf").write_text(json.dumps(qsf(False), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (HERE / "mini-recoded.qsf").write_text(json.dumps(qsf(True), indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    write_csv("choice-text.csv", current("text"))
    write_csv("numeric-default.csv", current("default"))
    write_csv("numeric-custom.csv", current("custom"))
    write_csv("legacy.csv", legacy())
    write_csv("numeric-default.tsv", current("default"), delimiter="\t", encoding="utf-16")
    for p in sorted(HERE.iterdir()):
        print(p.name)
