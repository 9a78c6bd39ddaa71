"""Forms built from instruments: xlsx questionnaire, XLSForm (checked with pyxform), data-entry workbook,
data dictionary; the _meta contract with the survey readers; Excel text never becoming a formula."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, range_boundaries

from toolkit import build_form, load_instrument, write_dictionary
from toolkit.errors import ToolkitError
from toolkit.instruments.forms import FORMATS
from toolkit.instruments.loader import list_instruments

SHIPPED = [i.id for i in list_instruments()]
LIKERT_KINDS = ("likert", "frequency")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every shipped instrument in every format (built once for the module)."""
    out = tmp_path_factory.mktemp("forms")
    paths = {}
    for name in SHIPPED:
        for fmt in FORMATS:
            paths[(name, fmt)] = build_form(name, fmt, out / f"{name}-{fmt}.xlsx")
    return paths


def _meta(wb):
    ws = wb["_meta"]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    keys = {}
    i = 0
    while rows[i][0] not in (None, ""):
        keys[rows[i][0]] = rows[i][1]
        i += 1
    assert all(v in (None, "") for v in rows[i][:5]), "a blank row separates keys and the cell table"
    assert rows[i + 1][:5] == ("variable", "sheet", "cell", "kind", "scale")
    table = [dict(zip(("variable", "sheet", "cell", "kind", "scale"), r[:5])) for r in rows[i + 2:]]
    return ws, keys, table


def _covers(sqref, coordinate: str) -> bool:
    from openpyxl.utils.cell import coordinate_from_string

    col, row = coordinate_from_string(coordinate)
    c = column_index_from_string(col)
    for rng in str(sqref).split():
        min_col, min_row, max_col, max_row = range_boundaries(rng)
        if min_col <= c <= max_col and min_row <= row <= max_row:
            return True
    return False


def _list_values(wb, formula: str) -> list:
    """Resolve a list validation's formula (inline "a,b" or Sheet!$A$2:$A$7) to its values."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, ref = formula.split("!")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[ref.replace("$", "")] for c in row]


# ------------------------------------------------------------------------------------------------ all
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_instrument_builds_in_every_format(built, name):
    for fmt in FORMATS:
        path = built[(name, fmt)]
        assert path.exists() and path.stat().st_size > 0
        load_workbook(path)  # opens cleanly


def test_unknown_format_language_and_suffix_are_errors(tmp_path):
    with pytest.raises(ToolkitError, match="unknown form format"):
        build_form("hls-adoption", "pdf", tmp_path / "x.xlsx")
    with pytest.raises(ToolkitError, match="no language 'fr'"):
        build_form("performance-attraction", "xlsx", tmp_path / "x.xlsx", lang="fr")
    with pytest.raises(ToolkitError, match="no language 'de'"):
        build_form("hls-adoption", "entry", tmp_path / "x.xlsx", lang="de")
    with pytest.raises(ToolkitError, match=r"\.xlsx"):
        build_form("hls-adoption", "xlsx", tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


# ------------------------------------------------------------------------------------------------ xlsform
@pytest.mark.parametrize("name", SHIPPED)
def test_xlsform_converts_with_pyxform_without_warnings(built, name):
    from lxml import etree
    from pyxform.xls2xform import convert

    inst = load_instrument(name)
    warnings: list[str] = []
    result = convert(xlsform=str(built[(name, "xlsform")]), warnings=warnings, validate=False)
    assert warnings == []
    xml = etree.fromstring(result.xform.encode())
    ns = {"x": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}
    body = xml.find("h:body", ns)
    groups = body.findall("x:group", ns)
    refs = {g.get("ref").rsplit("/", 1)[-1]: g for g in groups}
    for s in inst.sections:  # one field-list group per section
        assert s.id in refs and refs[s.id].get("appearance") == "field-list"
    for item in inst.items:  # Likert items carry the likert appearance, choices are the numeric codes
        ctl = _select(body, ns, item.id)
        assert ctl is not None, item.id
        if inst.scales[item.scale].kind in LIKERT_KINDS:
            assert ctl.get("appearance") == "likert"
    for a in inst.attention_checks:
        assert _select(body, ns, a.id) is not None
    rid = inst.context_by_role("respondent")
    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in xml.iter("{http://www.w3.org/2002/xforms}bind")}
    assert binds[rid.id].get("calculate") == "once(uuid())"  # generated, not typed by the respondent
    for q in inst.context:
        if q is rid:
            continue
        assert body.xpath(f".//*[substring(@ref, string-length(@ref) - {len(q.id)}) = '/{q.id}']"), q.id
    langs = {t.get("lang") for t in xml.iter("{http://www.w3.org/2002/xforms}translation")}
    if len(inst.languages) > 1:
        assert langs == {"English (en)", "Deutsch (de)"}
    # choice values of every response scale are the numeric codes incl. missing codes
    for sid, sc in inst.scales.items():
        inst_el = next(el for el in xml.iter("{http://www.w3.org/2002/xforms}instance") if el.get("id") == sid)
        names = [n.text for n in inst_el.iter("{http://www.w3.org/2002/xforms}name")]
        assert names == [str(c) for c in sc.values + sc.missing_values]


def _select(body, ns, name):
    for el in body.iter("{http://www.w3.org/2002/xforms}select1"):
        if el.get("ref", "").endswith("/" + name):
            return el
    return None


def test_xlsform_sheets_settings_and_language_columns(built):
    wb = load_workbook(built[("performance-attraction", "xlsform")])
    assert {"survey", "choices", "settings"} <= set(wb.sheetnames)
    header = [c.value for c in wb["survey"][1]]
    assert header[:2] == ["type", "name"]
    assert "label::English (en)" in header and "label::Deutsch (de)" in header
    settings = dict(zip([c.value for c in wb["settings"][1]], [c.value for c in wb["settings"][2]]))
    assert settings["form_id"] == "performance_attraction"
    assert settings["version"] == "1.0"
    assert settings["default_language"] == "English (en)"
    assert settings["style"] == "pages"  # one section per page in Enketo
    types = [r[0] for r in wb["survey"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert types.count("begin_group") == types.count("end_group") == 1 + len(load_instrument(
        "performance-attraction").sections)  # context group + one per section
    # single-language instrument: plain label column
    wb1 = load_workbook(built[("collective-data-use", "xlsform")])
    assert "label" in [c.value for c in wb1["survey"][1]]


def test_xlsform_lang_sets_default_language(tmp_path):
    wb = load_workbook(build_form("performance-attraction", "xlsform", tmp_path / "f.xlsx", lang="de"))
    settings = dict(zip([c.value for c in wb["settings"][1]], [c.value for c in wb["settings"][2]]))
    assert settings["default_language"] == "Deutsch (de)"
    assert settings["form_title"].startswith("Anziehungskraft")


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_xlsform_passes_odk_validate(built):
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    convert(xlsform=str(built[("performance-attraction", "xlsform")]), warnings=warnings, validate=True)
    assert warnings == []


# ------------------------------------------------------------------------------------------------ xlsx
@pytest.mark.parametrize("name", SHIPPED)
def test_questionnaire_dropdowns_protection_print_and_meta(built, name):
    inst = load_instrument(name)
    wb = load_workbook(built[(name, "xlsx")])
    assert wb.sheetnames[:2] == ["Instructions", "Questionnaire"] and "Codebook" in wb.sheetnames
    meta_ws, keys, table = _meta(wb)
    assert meta_ws.sheet_state == "veryHidden"
    assert keys == {"instrument_id": inst.id, "instrument_version": inst.version, "language": "en",
                    "form_type": "questionnaire"}
    expected = [q.id for q in inst.context] + inst.item_ids + [a.id for a in inst.attention_checks]
    assert sorted(r["variable"] for r in table) == sorted(expected)
    ws = wb["Questionnaire"]
    dvs = ws.data_validations.dataValidation
    answer_cells = set()
    for rec in table:
        assert rec["sheet"] == "Questionnaire"
        cell = ws[rec["cell"]]
        answer_cells.add(cell.coordinate)
        assert cell.protection.locked is False, rec
        assert cell.value is None  # empty, waiting for the answer
        kind = rec["kind"]
        if kind == "item":
            assert rec["scale"] == inst.item(rec["variable"]).scale
        covering = [dv for dv in dvs if _covers(dv.sqref, cell.coordinate)]
        q = next((c for c in inst.context if c.id == rec["variable"]), None)
        if q is not None and q.type != "select_one":
            assert kind == "context" and not covering and rec["scale"] in (None, "")
            continue
        assert len(covering) == 1, rec
        dv = covering[0]
        assert dv.type == "list" and dv.showErrorMessage
        labels = _list_values(wb, dv.formula1)
        if q is not None:
            assert labels == [inst.text(ch.label) for ch in q.choices]
        else:
            sc = inst.scales[rec["scale"]]
            assert labels == [inst.text(p.label) for p in sc.points + sc.missing]
            assert kind in ("item", "attention")
    # everything that is not an answer cell stays locked
    for row in ws.iter_rows():
        for cell in row:
            if cell.coordinate not in answer_cells:
                assert cell.protection.locked is True, cell.coordinate
    assert ws.protection.sheet is True and not ws.protection.password
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$3:$3"
    # section headings and item texts are on the sheet; under each question its answer options, to tick on paper
    texts = {c.value for row in ws.iter_rows() for c in row if c.value}
    assert {inst.text(s.title) for s in inst.sections} <= texts
    questions = {str(v).split("\n")[0]: str(v).split("\n", 1)[1] for v in texts if "\n" in str(v)}
    for item in inst.items:
        options = questions[inst.text(item.text)].replace("\u00a0", " ")
        for p in inst.scales[item.scale].points + inst.scales[item.scale].missing:
            assert f"\u25a1 {inst.text(p.label)}" in options, (item.id, options)


def test_questionnaire_in_german(tmp_path):
    inst = load_instrument("performance-attraction")
    wb = load_workbook(build_form(inst, "xlsx", tmp_path / "de.xlsx", lang="de"))
    _, keys, table = _meta(wb)
    assert keys["language"] == "de"
    ws = wb["Questionnaire"]
    texts = {str(c.value).split("\n")[0] for row in ws.iter_rows() for c in row if c.value}
    assert inst.item("PSR1").text["de"] in texts and inst.item("PSR1").text["en"] not in texts
    cell = next(r["cell"] for r in table if r["variable"] == "PSR1")
    dv = next(dv for dv in ws.data_validations.dataValidation if _covers(dv.sqref, cell))
    assert _list_values(wb, dv.formula1)[0] == "Stimme überhaupt nicht zu"
    assert _list_values(wb, dv.formula1)[-1] == "Weiß nicht"
    assert dv.error == "Bitte wählen Sie eine Antwort aus der Liste."  # the drop-down's error speaks German too
    cb = wb["Codebook"]  # the dictionary sheet prints on A4 too, one page wide
    assert int(cb.page_setup.paperSize) == 9 and int(cb.page_setup.fitToWidth) == 1
    assert cb.sheet_properties.pageSetUpPr.fitToPage


# ------------------------------------------------------------------------------------------------ entry
@pytest.mark.parametrize("name", SHIPPED)
def test_entry_workbook_columns_validations_codes_and_meta(built, name):
    inst = load_instrument(name)
    wb = load_workbook(built[(name, "entry")])
    ws = wb["Data"]
    header = [c.value for c in ws[1] if c.value is not None]
    ctx_rest = [q.id for q in inst.context if q.role not in ("respondent", "group")]
    assert header == [inst.respondent_column, inst.group_column, *ctx_rest, *inst.item_ids,
                      *[a.id for a in inst.attention_checks]]
    dvs = ws.data_validations.dataValidation
    for col, var in enumerate(header, start=1):
        letter = ws.cell(row=1, column=col).column_letter
        covering = [dv for dv in dvs if _covers(dv.sqref, f"{letter}2")]
        if var in inst.item_ids or var in [a.id for a in inst.attention_checks]:
            sc = inst.scales[inst.item(var).scale if var in inst.item_ids else
                             next(a.scale for a in inst.attention_checks if a.id == var)]
            assert len(covering) == 1
            dv = covering[0]
            assert dv.type == "list" and dv.showErrorMessage and dv.error and var in dv.error
            assert _covers(dv.sqref, f"{letter}500") and _covers(dv.sqref, f"{letter}1048576")
            assert not _covers(dv.sqref, f"{letter}1")
            assert [str(v) for v in _list_values(wb, dv.formula1)] == [str(v) for v in sc.values +
                                                                         sc.missing_values]
        elif any(q.id == var and q.type == "select_one" for q in inst.context):
            q = next(q for q in inst.context if q.id == var)
            assert _list_values(wb, covering[0].formula1) == [ch.value for ch in q.choices]
        else:
            assert covering == []  # free text (ids, organisation)
    codes = wb["Codes"]
    rows = list(codes.iter_rows(min_row=2, values_only=True))
    first = inst.item_ids[0]
    sc = inst.scale_of(first)
    assert [(r[1], r[2]) for r in rows if r[0] == first] == [(p.code, inst.text(p.label))
                                                             for p in sc.points + sc.missing]
    _, keys, table = _meta(wb)
    assert keys["form_type"] == "entry" and keys["instrument_id"] == inst.id
    assert [r["variable"] for r in table] == header
    assert all(r["sheet"] == "Data" and r["cell"].isalpha() for r in table)


# ------------------------------------------------------------------------------------------------ dictionary
def test_dictionary_csv_and_xlsx(tmp_path):
    import pandas as pd

    inst = load_instrument("collective-data-use")
    csv = write_dictionary(inst, tmp_path / "d.csv")
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    assert list(df.columns[:3]) == ["variable", "label", "kind"]
    row = df.set_index("variable").loc["CON4"]
    assert row["construct"] == "connectedness" and row["reverse_keyed"] == "yes"
    assert row["response_scale"] == "agree5"
    assert row["value_labels"] == ("1=Strongly disagree; 2=Disagree; 3=Neither agree nor disagree; 4=Agree; "
                                   "5=Strongly agree")
    assert row["missing_codes"] == "9=Don't know"
    assert df.set_index("variable").loc["CON1", "reverse_keyed"] == "no"
    assert "manager=Manager" in df.set_index("variable").loc["role", "value_labels"]
    assert set(inst.item_ids) <= set(df["variable"])
    roster = df[df["kind"] == "roster"].set_index("variable")  # documented too, though they become an edge list
    assert list(roster.index) == [q.id for q in inst.roster_questions] == ["exchange", "influence", "leadership"]
    assert roster.loc["influence", "construct"] == "power_imbalance"
    assert roster.loc["influence", "value_labels"] == "0=No; 1=Yes"
    assert roster.loc["exchange", "missing_codes"] == "9=Can't say" and roster.loc["exchange", "source"]
    xlsx = write_dictionary("collective-data-use", tmp_path / "d.xlsx")
    back = pd.read_excel(xlsx, dtype=str, keep_default_na=False)
    assert back.equals(df)
    with pytest.raises(ToolkitError, match="xlsx or .csv"):
        write_dictionary(inst, tmp_path / "d.json")


# ------------------------------------------------------------------------------------------------ formulas
FORMULA_YAML = """\
id: formula-test
title: "=HYPERLINK(\\"http://x\\")"
version: "1"
languages: [en]
description: "+description"
response_scales:
  s:
    labels: {1: "-lowest", 2: "@middle", 3: "=top"}
    missing: {9: "+unknown"}
sections:
  - id: sec
    title: "-Section title"
    intro: "@intro"
    constructs:
      - id: con
        label: "=label"
        definition: "+definition"
        source: "-source text"
        scale: s
        items:
          - {id: F1, text: "=1+1"}
          - {id: F2, text: "+SUM(A1:A2)"}
          - {id: F3, text: "-minus first", reverse: true}
          - {id: F4, text: "@at sign"}
context:
  - {id: rid, text: "=respondent", role: respondent}
  - id: kind
    text: "+kind"
    type: select_one
    choices: [{value: a, label: "=choice A"}, {value: b, label: "-choice B"}]
  - {id: years, text: "-years in post", type: integer}
attention_checks:
  - {id: ATT, text: "=please pick top", scale: s, expected: 3}
"""


def test_text_starting_with_formula_characters_never_becomes_a_formula(tmp_path):
    src = tmp_path / "formula.yaml"
    src.write_text(FORMULA_YAML, encoding="utf-8")
    inst = load_instrument(src)
    wanted = {"-years in post", "=1+1", "+SUM(A1:A2)", "-minus first", "@at sign", "=please pick top", "-Section title",
              "=choice A", "-choice B", "=respondent", "+kind", "-lowest", "@middle", "=top", "+unknown"}
    paths = [build_form(inst, fmt, tmp_path / f"{fmt}.xlsx") for fmt in FORMATS]
    paths.append(write_dictionary(inst, tmp_path / "dict.xlsx"))
    seen = set()
    for path in paths:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        seen.add(cell.value)
    assert wanted <= seen  # the text survives unchanged
    # an integer context question gets a whole-number validation in the entry sheet
    ws = load_workbook(tmp_path / "entry.xlsx")["Data"]
    col = next(c.column_letter for c in ws[1] if c.value == "years")
    dv = next(dv for dv in ws.data_validations.dataValidation if _covers(dv.sqref, f"{col}2"))
    assert dv.type == "whole"
    # the XLSForm still converts and keeps the labels as text
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    xform = convert(xlsform=str(tmp_path / "xlsform.xlsx"), warnings=warnings).xform
    assert "=1+1" in xform and "+SUM(A1:A2)" in xform
    # the CSV dictionary escapes formula-like text for spreadsheet programs
    text = write_dictionary(inst, tmp_path / "dict.csv").read_text(encoding="utf-8")
    assert "'=1+1" in text and "\n=1+1" not in text


def test_dictionary_rows_languages():
    from toolkit.instruments.forms.common import dictionary_rows

    rows = {r["variable"]: r for r in dictionary_rows(load_instrument("performance-attraction"), "de")}
    assert rows["PSR4"]["reverse_keyed"] == "yes"
    assert rows["PSR4"]["missing_codes"] == "9=Weiß nicht"
    assert rows["PSR1"]["construct_label"] == "Geteilte Verantwortung"
