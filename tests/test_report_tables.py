"""The one table writer: APA xlsx sheets, HTML tables and CSV from tidy result tables."""
from __future__ import annotations

import hashlib
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from toolkit.report.labels import kind, label
from toolkit.report.tables import Column, Table, format_value, table_html, write_table_csv, write_workbook


def _scales():
    df = pd.DataFrame({"scale": ["trust", "=HYPERLINK(\"x\")", "learn\x00ing"], "n": [120, 99, None],
                       "alpha": [0.8412, 0.5, np.nan], "pvalue": [0.0004, 0.0456, 1.0],
                       "chisq": [12.345, 3.0, 1234.5], "reversed": [True, False, True]})
    em = pd.DataFrame(False, index=df.index, columns=df.columns)
    em.loc[1, "alpha"] = True
    return Table("Scales", df, title="Reliability per construct", note="α = Cronbach's alpha.", emphasis=em)


def test_labels_never_snake_case():
    assert label("r_drop") == "Item-rest r"
    assert label("n_complete") == "Complete cases"
    assert label("alpha_ci_feldt_lower") == "α 95% CI lower (Feldt)"
    assert label("some_new_thing") == "Some new thing"
    assert label("SM1") == "SM1"  # item ids and factor names are kept
    assert kind("pvalue") == "p" and kind("cfi") == "prop3" and kind("n") == "int"
    assert kind("whatever", pd.Series([1.5, 2.25])) == "num"
    assert kind("n_cases", pd.Series([1.0, 2.0])) == "int"


@pytest.mark.parametrize("value,k,text", [
    (0.0004, "p", "< .001"), (0.0456, "p", ".046"), (1.0, "p", "1.000"), (-0.254, "prop", "-.25"),
    (0.0625, "prop3", ".063"), (1234, "int", "1,234"), (1234.5, "num", "1,234.50"), (0.125, "pct", "12.5%"),
    (None, "num", ""), (float("nan"), "prop", ""), (True, "text", "yes"), (np.float64(2.5), "num1", "2.5"),
])
def test_format_value(value, k, text):
    assert format_value(value, k) == text


def test_workbook_layout_formats_and_safety(tmp_path):
    path = tmp_path / "out.xlsx"
    lists = Table("lists", pd.DataFrame({"code": ["a.b", "c.d", "e.f"]}), header=False, hidden=True)
    review = Table("Review", pd.DataFrame({"text": ["x" * 200, "+cmd|' /C calc'!A0"], "decision": [None, "accept"],
                                           "recode_to": [None, None]}),
                   columns=["text", Column("decision", choices=["accept", "reject", "recode"]),
                            Column("recode_to", choices_from="lists")], dropdown_rows=500, autofilter=True)
    write_workbook(path, [_scales(), review, lists], provenance={"command": "hls test"})
    wb = load_workbook(path)
    assert wb.sheetnames == ["Scales", "Review", "lists"]
    ws = wb["Scales"]
    assert ws["A1"].value == "Reliability per construct" and ws["A1"].font.b
    assert [c.value for c in ws[2]] == ["Scale", "N", "α", "p", "χ²", "Reverse-keyed"]
    assert ws["A2"].font.b and ws["A2"].border.bottom.style == "thin"
    assert ws.freeze_panes == "A3"
    assert ws["C3"].value == pytest.approx(0.8412) and ws["C3"].number_format == "#.00;-#.00;.00"
    assert ws["D3"].number_format.startswith("[<0.001]")
    assert ws["A4"].data_type == "s" and ws["A4"].value.startswith("=HYPERLINK") and ws["A4"].quotePrefix
    assert ws["C4"].font.b  # emphasised cell
    assert ws["A5"].value == "learn\ufffding"  # NUL cannot live in a cell
    assert ws["F3"].value == "yes"
    assert ws["A6"].value == "Note. α = Cronbach's alpha."
    assert ws.column_dimensions["A"].width >= len("=HYPERLINK(\"x\")")
    rv = wb["Review"]
    assert rv.freeze_panes == "A2" and rv.auto_filter.ref == "A1:C3"
    assert rv["A3"].data_type == "s" and rv["A3"].quotePrefix
    dvs = {dv.formula1: str(dv.sqref) for dv in rv.data_validations.dataValidation}
    assert dvs == {'"accept,reject,recode"': "B2:B501", "'lists'!$A$1:$A$3": "C2:C501"}
    assert wb["lists"].sheet_state == "hidden" and wb["lists"]["A1"].value == "a.b"
    from toolkit.provenance import read_from_workbook

    record = read_from_workbook(path)  # what was given, completed with the toolkit version (and the run's context)
    assert record["command"] == "hls test" and record["toolkit"].startswith("hls-toolkit ")
    # pandas reads the data back with the labelled header
    back = pd.read_excel(path, sheet_name="Review")
    assert list(back.columns) == ["Text", "Decision", "Recode to"] and back.loc[1, "Decision"] == "accept"


def test_same_tables_same_bytes(tmp_path, monkeypatch):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(a, [_scales()])
    write_workbook(b, [_scales()])
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_workbook(b, [_scales()])
    with zipfile.ZipFile(b) as z:
        assert b"2023-11-14T22:13:20Z" in z.read("docProps/core.xml")


def test_stacked_tables_and_large_table(tmp_path):
    n = 20_000
    big = pd.DataFrame({"document": [f"D{i % 7}" for i in range(n)], "start": np.arange(n),
                        "score": np.linspace(0, 1, n), "text": ["-x" if i % 1000 == 0 else f"t{i}" for i in range(n)]})
    path = tmp_path / "big.xlsx"
    write_workbook(path, [Table("Data", big, autofilter=True), Table("Sum", big.head(3), title="First"),
                          Table("Sum", big.tail(2), title="Last")])
    back = pd.read_excel(path, sheet_name="Data")
    assert back.shape == (n, 4) and back["Start"].tolist() == list(range(n))
    assert back.loc[1000, "Text"] == "-x"
    ws = load_workbook(path)["Sum"]
    assert ws["A1"].value == "First" and ws["A7"].value == "Last" and ws["A8"].value == "Document"


def test_html_table_formats_like_the_workbook():
    html = table_html(_scales(), table_id="t1", number=2)
    assert '<table class="apa" id="t1">' in html
    assert '<span class="tno">Table 2</span>' in html
    assert '<th class="num">α</th>' in html and '<td class="num">.84</td>' in html
    assert '<td class="num em">.50</td>' in html
    assert "&lt; .001" in html and "1,234.50" in html
    assert "<em>Note.</em> α = Cronbach&#x27;s alpha." in html


def test_csv_raw_and_labelled(tmp_path):
    raw = write_table_csv(_scales(), tmp_path / "raw.csv")
    text = raw.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "scale,n,alpha,pvalue,chisq,reversed" and "0.8412" in text
    assert "'=HYPERLINK" in text  # formula-like text is escaped in CSV
    lab = write_table_csv(_scales(), tmp_path / "lab.csv", labelled=True).read_text(encoding="utf-8")
    assert lab.splitlines()[0] == "Scale,N,α,p,χ²,Reverse-keyed" and ",.84," in lab


def test_unknown_column_and_kind():
    with pytest.raises(KeyError):
        Table("x", pd.DataFrame({"a": [1]}), columns=["b"]).resolved_columns()
    with pytest.raises(ValueError):
        Table("x", pd.DataFrame({"a": [1]}), columns=[Column("a", kind="weird")]).resolved_columns()
