"""Roster questions end to end: instrument check, forms built with a members file (personalised xlsx
questionnaires, XLSForm through pyxform and ODK Validate, entry workbook) and the answers read back as the tidy
edge list."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import toolkit
from toolkit.errors import DataError, ToolkitError
from toolkit.instruments.forms import build_form, build_roster_questionnaires

MEMBERS = """group,member_id,name,organisation,expertise
P01,R0001,Alex Morgan,City Council,commissioner
P01,R0002,Sam Patel,Health Trust,manager
P01,R0003,Jo Chen,University,academic
P01,N0001,Lee Ward,City Council,manager
P02,R0004,Kim Lee,Charity,manager
P02,R0005,Ola Nowak,Consultancy,consultant
"""


@pytest.fixture()
def members(tmp_path) -> Path:
    p = tmp_path / "members.csv"
    p.write_text(MEMBERS, encoding="utf-8")
    return p


def _meta_rows(wb):
    rows = [r for r in wb["_meta"].iter_rows(values_only=True)]
    keys, i = {}, 0
    while rows[i][0] not in (None, ""):
        keys[rows[i][0]] = rows[i][1]
        i += 1
    table = [dict(zip(("variable", "sheet", "cell", "kind", "scale"), r[:5])) for r in rows[i + 2:]]
    return keys, table


# ------------------------------------------------------------------------------------------- instrument
def test_shipped_instrument_has_three_roster_questions_with_sources():
    inst = toolkit.load_instrument("collective-data-use")
    assert [q.id for q in inst.roster_questions] == ["exchange", "influence", "leadership"]
    assert [q.antecedent for q in inst.roster_questions] == ["connectedness", "power_imbalance",
                                                             "distributed_leadership"]
    assert all(q.source and inst.scales[q.scale].min == 0 for q in inst.roster_questions)
    assert inst.scales["freq5"].kind == "frequency" and inst.scales["yesno"].kind == "binary"


def test_instrument_check_locates_roster_problems(tmp_path):
    text = (Path(__file__).parent / "data" / "mini-instrument.yaml").read_text()
    text += ("roster:\n  questions:\n"
             "    - {id: exchange, text: How often?, scale: agree5, antecedent: connectedness}\n"
             "    - {id: infl, text: Weight?, scale: nope, antecedent: powerr, colour: red}\n")
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    problems = [str(p) for p in toolkit.check_instrument(path)]
    n = len(text.splitlines())
    assert any(p.startswith(f"{path}:{n - 1}: roster.questions[0].scale: response scale 'agree5' is of kind "
                            "'likert'") for p in problems)
    assert f"{path}:{n}: roster.questions[1].colour: unknown field 'colour' (allowed: antecedent, id, scale, " \
           "source, text)" in problems
    assert any(p.startswith(f"{path}:{n}: roster.questions[1].antecedent: unknown antecedent 'powerr'")
               for p in problems)
    assert f"{path}:{n}: roster.questions[1].scale: unknown response scale 'nope'" in problems


def test_a_roster_scale_must_start_at_zero(tmp_path):
    text = (Path(__file__).parent / "data" / "mini-instrument.yaml").read_text()
    text = text.replace("response_scales:\n", "response_scales:\n  yn:\n    kind: binary\n    labels: {1: 'No', "
                        "2: 'Yes'}\n", 1)
    text += "roster:\n  questions:\n    - {id: lead, text: Lead?, scale: yn, antecedent: distributed_leadership}\n"
    path = tmp_path / "yn.yaml"
    path.write_text(text)
    assert any("lowest value must be 0" in str(p) for p in toolkit.check_instrument(path))


# ----------------------------------------------------------------------------------------- questionnaires
def test_personalised_questionnaires_round_trip(tmp_path, members):
    paths = build_roster_questionnaires("collective-data-use", members, tmp_path / "q")
    assert [p.name for p in paths] == ["P01_R0001.xlsx", "P01_R0002.xlsx", "P01_R0003.xlsx", "P01_N0001.xlsx",
                                       "P02_R0004.xlsx", "P02_R0005.xlsx"]
    wb = load_workbook(paths[0])
    assert wb.sheetnames[:3] == ["Instructions", "Questionnaire", "Roster"]
    ws = wb["Roster"]
    assert ws.protection.sheet
    keys, table = _meta_rows(wb)
    assert keys["roster_group"] == "P01" and keys["roster_ego"] == "R0001"
    roster = [t for t in table if t["kind"] == "roster"]
    assert [t["variable"] for t in roster][:3] == ["exchange:R0002", "influence:R0002", "leadership:R0002"]
    assert len(roster) == 3 * 3  # three other members, three questions; never the respondent
    for t in roster:  # every roster cell is unlocked and has the scale's drop-down
        cell = ws[t["cell"]]
        assert cell.protection.locked is False
        dv = [d for d in ws.data_validations.dataValidation if t["cell"] in d.sqref]
        assert len(dv) == 1 and dv[0].formula1.startswith("Lists!")
    # the respondent and partnership are filled in and locked
    q = wb["Questionnaire"]
    cells = {t["variable"]: t["cell"] for t in table}
    assert q[cells["respondent_id"]].value == "R0001" and q[cells["partnership_id"]].value == "P01"
    assert q[cells["respondent_id"]].protection.locked is not False
    # R0001 answers with labels, R0002 with codes and a blank, N0001 returns nothing
    answers = {"exchange:R0002": "About weekly", "influence:R0002": "Yes", "leadership:R0002": "No",
               "exchange:R0003": "Never", "influence:R0003": "Can't say", "exchange:N0001": "daily or almost daily"}
    for t in roster:
        if t["variable"] in answers:
            ws[t["cell"]] = answers[t["variable"]]
    wb.save(paths[0])
    wb2 = load_workbook(paths[1])
    _, t2 = _meta_rows(wb2)
    for t in t2:
        if t["variable"] == "leadership:R0001":
            wb2[t["sheet"]][t["cell"]] = 1
    wb2.save(paths[1])
    edges = toolkit.read_roster(tmp_path / "q", "collective-data-use", members)
    got = {(e.ego, e.alter, e.relation): e.weight for e in edges.itertuples()}
    assert got == {("R0001", "R0002", "exchange"): 3, ("R0001", "R0002", "influence"): 1,
                   ("R0001", "R0002", "leadership"): 0, ("R0001", "R0003", "exchange"): 0,
                   ("R0001", "N0001", "exchange"): 4, ("R0002", "R0001", "leadership"): 1}
    assert set(edges["group"]) == {"P01"} and list(edges.columns) == ["group", "ego", "alter", "relation", "weight"]
    # the same folder still imports as survey answers (the ids come from the locked cells)
    data, _ = toolkit.read_survey(tmp_path / "q", "collective-data-use")
    assert sorted(data["respondent_id"]) == ["N0001", "R0001", "R0002", "R0003", "R0004", "R0005"]


def test_off_scale_roster_answer_is_located(tmp_path, members):
    path = build_form("collective-data-use", "xlsx", tmp_path / "one.xlsx", members=members, member="P02:R0004")
    wb = load_workbook(path)
    _, table = _meta_rows(wb)
    cell = next(t["cell"] for t in table if t["variable"] == "exchange:R0005")
    wb["Roster"][cell] = "hourly"
    wb.save(path)
    with pytest.raises(DataError) as err:
        toolkit.read_roster(path, "collective-data-use", members)
    assert str(err.value).startswith(f"{path}: Roster!{cell} (exchange about R0005): answer 'hourly' to roster "
                                     "question 'exchange' is not on its scale (0=Never;")


def test_members_need_roster_questions_and_member_must_exist(tmp_path, members):
    with pytest.raises(ToolkitError, match="has no roster questions"):
        build_form("hls-adoption", "xlsform", tmp_path / "x.xlsx", members=members)
    with pytest.raises(ToolkitError, match="'R9' is not in the members file"):
        build_form("collective-data-use", "xlsx", tmp_path / "x.xlsx", members=members, member="R9")
    with pytest.raises(ToolkitError, match="-o is a folder"):
        build_form("collective-data-use", "xlsx", tmp_path / "x.xlsx", members=members)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["members.csv"]


# ----------------------------------------------------------------------------------------------- XLSForm
def test_xlsform_with_members_converts_without_warnings(tmp_path, members):
    from lxml import etree
    from pyxform.xls2xform import convert

    path = build_form("collective-data-use", "xlsform", tmp_path / "kobo.xlsx", members=members)
    warnings: list[str] = []
    xform = convert(xlsform=str(path), warnings=warnings, validate=False).xform
    assert warnings == []
    root = etree.fromstring(xform.encode())
    ns = {"x": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}
    items = root.findall(".//x:instance[@id='members']/x:root/x:item", ns)
    assert [i.findtext("x:name", namespaces=ns) for i in items] == ["R0001", "R0002", "R0003", "N0001", "R0004",
                                                                    "R0005"]
    assert [i.findtext("x:group", namespaces=ns) for i in items] == ["P01"] * 4 + ["P02"] * 2
    me = root.find(".//h:body//x:select1[@ref='/data/background/respondent_id']/x:itemset", ns)
    assert "group =  /data/background/partnership_id" in me.get("nodeset")
    # slots up to the largest partnership minus one: 3
    binds = {b.get("nodeset"): b for b in root.findall(".//x:bind", ns)}
    assert "/data/alter_3" in binds and "/data/alter_4" not in binds
    assert binds["/data/roster_exchange/exchange_3"].get("relevant").strip() == "/data/n_alters  >= 3"


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_xlsform_with_members_passes_odk_validate(tmp_path, members):
    from pyxform.xls2xform import convert

    path = build_form("collective-data-use", "xlsform", tmp_path / "kobo.xlsx", members=members)
    warnings: list[str] = []
    convert(xlsform=str(path), warnings=warnings, validate=True)
    assert warnings == []


def _odk_export(tmp_path, rows) -> Path:
    """An ODK Central CSV export of the roster form (group paths joined with '-')."""
    cols = ["SubmissionDate", "background-partnership_id", "background-respondent_id", "n_alters"]
    for k in (1, 2, 3):
        cols += [f"alter_{k}", f"alter_{k}_name"]
    for q in ("exchange", "influence", "leadership"):
        cols += [f"roster_{q}-{q}_{k}" for k in (1, 2, 3)]
    cols += ["meta-instanceID", "KEY"]
    frame = pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows], columns=cols)
    path = tmp_path / "odk.csv"
    frame.to_csv(path, index=False)
    return path


def test_xlsform_export_reads_back(tmp_path, members):
    path = _odk_export(tmp_path, [
        {"SubmissionDate": "2026-01-01", "background-partnership_id": "P01", "background-respondent_id": "R0002",
         "n_alters": 3, "alter_1": "R0001", "alter_2": "R0003", "alter_3": "N0001",
         "roster_exchange-exchange_1": 2, "roster_exchange-exchange_2": 0, "roster_exchange-exchange_3": 9,
         "roster_leadership-leadership_1": 1, "KEY": "uuid:1"},
        {"SubmissionDate": "2026-01-02", "background-partnership_id": "P02", "background-respondent_id": "R0005",
         "n_alters": 1, "roster_influence-influence_1": 1, "KEY": "uuid:2"},  # no alter columns: from members
    ])
    edges = toolkit.read_roster(path, "collective-data-use", members)
    got = {(e.group, e.ego, e.alter, e.relation): e.weight for e in edges.itertuples()}
    assert got == {("P01", "R0002", "R0001", "exchange"): 2, ("P01", "R0002", "R0003", "exchange"): 0,
                   ("P01", "R0002", "R0001", "leadership"): 1, ("P02", "R0005", "R0004", "influence"): 1}


def test_export_naming_someone_outside_the_partnership_is_one_located_error(tmp_path, members, run_cli):
    path = _odk_export(tmp_path, [
        {"SubmissionDate": "x", "background-partnership_id": "P01", "background-respondent_id": "R0001",
         "alter_1": "R0002", "roster_exchange-exchange_1": 1, "KEY": "a"},
        {"SubmissionDate": "x", "background-partnership_id": "P02", "background-respondent_id": "R0004",
         "alter_1": "R0001", "roster_exchange-exchange_1": 3, "KEY": "b"},
    ])
    out = tmp_path / "edges.csv"
    code, stdout, stderr = run_cli("survey", "roster", str(path), "-i", "collective-data-use", "--members",
                                   str(members), "-o", str(out))
    assert code == 2 and not out.exists() and stdout == ""
    assert stderr.strip().splitlines() == [
        f"error: {path}:row 3: alter_1: 'R0001' is not a member of partnership 'P02' (R0001 belongs to P01): a "
        "member can only answer about the other members of their own partnership"]


# -------------------------------------------------------------------------------------------- entry workbook
def test_entry_workbook_has_one_column_per_member_and_reads_back(tmp_path, members):
    path = build_form("collective-data-use", "entry", tmp_path / "entry.xlsx", members=members)
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["Data", "Codes"] and "Roster P01" in wb.sheetnames and "Roster P02" in wb.sheetnames
    ws = wb["Roster P01"]
    header = [c.value for c in ws[1]]
    assert header == ["respondent_id", "Name", "relation", "R0001", "R0002", "R0003", "N0001"]
    rows = {(r[0].value, r[2].value): r[0].row for r in ws.iter_rows(min_row=3)}
    assert len(rows) == 4 * 3
    ws.cell(row=rows[("R0003", "exchange")], column=4, value=4)          # R0003 -> R0001
    ws.cell(row=rows[("R0003", "exchange")], column=5, value="Never")    # label accepted
    ws.cell(row=rows[("R0003", "leadership")], column=7, value=1)        # -> N0001
    wb.save(path)
    edges = toolkit.read_roster(path, "collective-data-use", members)
    got = {(e.ego, e.alter, e.relation): e.weight for e in edges.itertuples()}
    assert got == {("R0003", "R0001", "exchange"): 4, ("R0003", "R0002", "exchange"): 0,
                   ("R0003", "N0001", "leadership"): 1}
    # the Data sheet is still the plain entry sheet the survey reader knows
    data, _ = toolkit.read_survey(path, "collective-data-use")
    assert len(data) == 0 or data["respondent_id"].isna().all()


def test_cli_build_with_members(tmp_path, run_cli):
    members = tmp_path / "members.csv"
    members.write_text("group,member_id\nP1,a\nP1,b\n", encoding="utf-8")
    out = tmp_path / "q"
    code, stdout, stderr = run_cli("instrument", "build", "collective-data-use", "--format", "xlsx", "--members",
                                   str(members), "-o", str(out))
    assert code == 0, stderr
    assert stdout.strip() == f"wrote 2 questionnaire(s) to {out}"
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["P1_a.xlsx", "P1_b.xlsx"]
    code, _, stderr = run_cli("instrument", "build", "collective-data-use", "--format", "entry", "-o",
                              str(tmp_path / "plain.xlsx"))
    assert code == 0 and "the 3 roster question(s) are left out; give --members FILE" in stderr
