"""hls report / toolkit.report: the page, the workbook and the figures on the bundled sample data.

One report run is shared by the module (a module-scoped fixture): the HTML must parse, carry every promised section
and figure as an embedded image, need nothing from the network, and every number shown must be the API's number
(tables are parsed back and compared cell by cell); the correlation table must equal R's cor.test
(tests/data/report_correlations_R.json, made by report_correlations.R).
"""
from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit.report.tables import format_value as fv
from toolkit.resources import sample_data_dir

DATA = Path(__file__).parent / "data"
SECTIONS = ["sample", "descriptives", "reliability", "efa", "cfa", "aggregation", "network", "coding", "joint",
            "methods"]
FIGURES = ["group-sizes", "missing-answers", "reliability", "scree", "efa-loadings", "cfa-path", "rwg-groups",
           "code-cooccurrence", "joint-display", "network-P17_exchange", "network-P03_exchange", "network-P37_exchange"]


class Page(HTMLParser):
    """Sections, tables (caption, header, rows of cell texts) and figures of a report page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.sections, self.tables, self.figures, self.scripts, self.links = [], [], {}, 0, []
        self._table = self._row = self._cell = None
        self._caption = None
        self._figure = None
        self._stack = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._stack.append(tag)
        if tag == "section":
            self.sections.append(a.get("id"))
        elif tag == "table":
            self._table = {"id": a.get("id"), "caption": "", "head": [], "rows": [], "section": self.sections[-1]
                           if self.sections else None}
        elif tag == "caption" and self._table is not None:
            self._caption = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "figure":
            self._figure = a.get("data-name")
        elif tag == "img":
            self.figures[self._figure] = a.get("src", "")
        elif tag == "script":
            self.scripts += 1
        if tag in ("link", "script", "iframe", "img") and re.match(r"https?:", a.get("src", "") + a.get("href", "")):
            self.links.append(a)

    def handle_endtag(self, tag):
        if self._stack:
            self._stack.pop()
        if tag == "caption" and self._caption is not None:
            self._table["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._stack and "thead" in self._stack:
                self._table["head"] = self._row
            elif "tfoot" not in self._stack:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag == "figure":
            self._figure = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)

    def table(self, title: str) -> dict:
        hits = [t for t in self.tables if title in t["caption"]]
        assert len(hits) == 1, f"{len(hits)} tables titled {title!r}: {[t['caption'] for t in self.tables]}"
        return hits[0]

    def column(self, title: str, header: str) -> dict:
        """{first cell of the row: text of column *header*} for a table."""
        t = self.table(title)
        j = t["head"].index(header)
        return {r[0]: r[j] for r in t["rows"] if len(r) > j}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    sample = sample_data_dir()
    res = toolkit.report(survey=sample / "survey" / "collective-data-use.csv", instrument="collective-data-use",
                         group="role", transcripts=sample / "transcripts", codebook="hls-theory", out=out,
                         network=sample / "survey" / "collective-data-use-network.csv",
                         members=sample / "survey" / "collective-data-use-members.csv")
    html = res.html.read_text(encoding="utf-8")
    return res, Page(html), html


@pytest.fixture(scope="module")
def api():
    """The same analyses through the public API, independently of the report."""
    sample = sample_data_dir()
    inst = toolkit.load_instrument("collective-data-use")
    data, _ = toolkit.read_survey(sample / "survey" / "collective-data-use.csv", inst)
    return {"inst": inst, "data": data, "rel": toolkit.reliability(data, instrument=inst, ordinal=True),
            "cfa": toolkit.cfa(data, instrument=inst), "agg": toolkit.aggregate(data, instrument=inst),
            "efa": toolkit.efa(toolkit.select_items(data, instrument=inst), n_factors="auto", seed=1),
            "scores": toolkit.score(data, inst)[[c.id for c in inst.constructs]],
            "coding": toolkit.code_documents([sample / "transcripts"], "hls-theory", skip_speakers=["Interviewer"]),
            "network": toolkit.network(sample / "survey" / "collective-data-use-network.csv",
                                       members=sample / "survey" / "collective-data-use-members.csv",
                                       instrument=inst)}


def label(inst, cid):
    return inst.text(inst.construct(cid).label)


def test_page_is_one_self_contained_document(built):
    res, page, html = built
    assert page.sections == SECTIONS
    assert [s["status"] for s in res.sections] == ["included"] * len(SECTIONS)
    assert page.scripts == 0 and not page.links  # no JavaScript, nothing fetched from the network
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert '<nav class="toc"' in html and all(f'href="#{s}"' in html for s in SECTIONS)
    assert "@media print" in html and "@page" in html
    # every figure is an embedded PNG and is also written as .png and .svg
    assert sorted(page.figures) == sorted(FIGURES)
    for name, src in page.figures.items():
        assert src.startswith("data:image/png;base64,"), name
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    out = res.html.parent / "figures"
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.{e}" for n in FIGURES for e in ("png", "svg"))
    assert (out / "scree.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    # tables and figures are numbered in page order, and nothing a person sees is snake_case machine vocabulary
    numbers = [int(re.match(r"Table (\d+)", t["caption"]).group(1)) for t in page.tables]
    assert numbers == list(range(1, len(numbers) + 1))
    heads = [h for t in page.tables for h in t["head"]]
    assert not [h for h in heads if re.search(r"[a-z]_[a-z]", h)]
    assert not re.search(r">\s*(r_cor|r_drop|g6|ase|MR\d)\s*<", html)


def test_sample_numbers(built, api):
    _, page, html = built
    data = api["data"]
    roles = data["role"].value_counts()
    n = page.column("Respondents by role and sector", "n")
    assert n["Role"] == str(roles["manager"])  # first row of the block: Manager
    assert f"<li><b>{len(data)}</b>respondents</li>" in html
    missing = page.column("Missing answers per construct", "Don't know")
    im = _validation(data, api)
    for c in api["inst"].constructs:
        dk = int(im[im["construct"] == c.id]["n_declared_missing"].sum())
        assert missing[label(api["inst"], c.id)] == str(dk)


def _validation(data, api):
    return toolkit.read_survey(sample_data_dir() / "survey" / "collective-data-use.csv", api["inst"])[1].item_missing


def test_reliability_numbers_are_the_apis(built, api):
    _, page, _ = built
    sc = api["rel"].scales.set_index("scale")
    alpha = page.column("Reliability per construct", "α")
    omega = page.column("Reliability per construct", "ω total")
    ordinal = page.column("Reliability per construct", "Ordinal α")
    for cid in sc.index:
        name = label(api["inst"], cid)
        assert alpha[name] == fv(sc.at[cid, "alpha"], "prop")
        assert omega[name] == fv(sc.at[cid, "omega_total"], "prop")
        assert ordinal[name] == fv(sc.at[cid, "alpha_ordinal"], "prop")


def test_table1_equals_api_and_r_cor_test(built, api):
    _, page, _ = built
    t = page.table("Means, standard deviations and correlations")
    ids = list(api["scores"].columns)
    ref = json.loads((DATA / "report_correlations_R.json").read_text())
    same_data = (DATA / "report_sample_survey.csv").read_bytes() == (
        sample_data_dir() / "survey" / "collective-data-use.csv").read_bytes()
    r_of = {(c["x"], c["y"]): c for c in ref["correlations"]}
    alpha = api["rel"].scales.set_index("scale")["alpha"]
    d = pd.DataFrame(ref["describe"]).set_index("variable")
    from toolkit.psychometrics.descriptives import correlations

    ours = correlations(api["scores"]).set_index(["x", "y"])
    for i, row in enumerate(t["rows"]):
        cid = ids[i]
        assert row[0] == f"{i + 1}. {label(api['inst'], cid)}"
        assert row[1] == fv(api["scores"][cid].mean(), "num") and row[2] == fv(api["scores"][cid].std(), "num")
        assert row[5 + i] == f"({fv(alpha[cid], 'prop')})"  # reliability on the diagonal
        if same_data:
            assert row[1] == fv(d.at[cid, "mean"], "num") and row[4] == fv(d.at[cid, "skew"], "num")
        for j in range(i):
            c = ours.loc[(ids[j], ids[i])]
            stars = "***" if c.p < .001 else "**" if c.p < .01 else "*" if c.p < .05 else ""
            want = f"{fv(c.r, 'prop')}{stars}[{fv(c.ci_lower, 'prop')}, {fv(c.ci_upper, 'prop')}]"
            assert row[5 + j] == want
            if same_data:
                r = r_of[(ids[j], ids[i])]
                assert want == (f"{fv(r['r'], 'prop')}{stars}[{fv(r['ci_lower'], 'prop')}, "
                                f"{fv(r['ci_upper'], 'prop')}]")
        assert all(cell == "" for cell in row[6 + i:])


def test_correlations_match_r_cor_test_and_psych_describe():
    from toolkit.psychometrics.descriptives import correlations, describe

    ref = json.loads((DATA / "report_correlations_R.json").read_text())
    inst = toolkit.load_instrument("collective-data-use")
    scores = toolkit.score(toolkit.read_table(DATA / "report_sample_survey.csv"), inst)[[c.id for c in inst.constructs]]
    ours = correlations(scores)
    assert len(ours) == len(ref["correlations"]) == 28
    for r, o in zip(ref["correlations"], ours.to_dict("records")):
        assert (o["x"], o["y"], o["n"]) == (r["x"], r["y"], r["n"])
        for k in ("r", "ci_lower", "ci_upper", "p"):
            assert o[k] == pytest.approx(r[k], abs=1e-12), k
    d = describe(scores)
    for k in ("n", "mean", "sd", "median", "min", "max", "skew", "kurtosis", "se"):
        assert d[k].to_numpy() == pytest.approx(ref["describe"][k], abs=1e-12), k


def test_efa_cfa_aggregation_numbers(built, api):
    _, page, _ = built
    inst = api["inst"]
    # EFA: SS loadings per named factor
    ss = page.column("Factors named by the construct", "SS loadings")
    var = api["efa"].variance
    assert sorted(ss.values()) == sorted(fv(var.at["SS loadings", f], "num") for f in var.columns)
    named = page.column("Factors named by the construct", "Named for")
    assert sorted(named.values()) == sorted(label(inst, c.id) for c in inst.constructs)
    # CFA fit
    fit = page.column("Fit of the confirmatory factor model", "Value")
    f = api["cfa"].fit
    assert fit["CFI"] == fv(f["cfi"], "prop3") and fit["RMSEA"] == fv(f["rmsea"], "prop3")
    assert fit["SRMR"] == fv(f["srmr"], "prop3") and fit["χ²"] == fv(f["chisq"], "num")
    assert fit["RMSEA 90% CI upper"] == fv(f["rmsea_ci"][1], "prop3")
    std = [r for r in page.table("Standardized loadings")["rows"]]
    assert [r[-2] for r in std] == [fv(v, "prop") for v in api["cfa"].loadings["std_all"]]
    # aggregation
    c = api["agg"].constructs.set_index("construct")
    icc1 = page.column("Within-group agreement and reliability", "ICC(1)")
    icc2 = page.column("Within-group agreement and reliability", "ICC(2)")
    rwg = page.column("Within-group agreement and reliability", "Median rwg(j)")
    for cid in c.index:
        name = label(inst, cid)
        assert icc1[name] == fv(c.at[cid, "icc1"], "prop") and icc2[name] == fv(c.at[cid, "icc2"], "prop")
        assert rwg[name] == fv(c.at[cid, "agreement_median"], "prop")
    inv = page.table("Measurement invariance of each construct across role")
    assert {r[1] for r in inv["rows"]} == {"configural", "metric", "scalar"}


def test_network_numbers_beside_the_scores(built, api):
    _, page, _ = built
    nets = api["network"].networks
    dens = page.column("Network measures per roster question", "Density")
    for rel, sub in nets.groupby("relation"):
        assert dens[rel] == fv(sub["density"].mean(), "prop")
    t = page.table("Network density beside each partnership's survey score")
    assert t["head"][4:6] == ["Connectedness: M", "Exchange: density"]
    groups = api["agg"].groups.set_index("partnership_id")
    ex = nets[nets["relation"] == "exchange"].set_index("group")
    for row in t["rows"]:
        assert row[4] == fv(groups.at[row[0], "connectedness"], "num")
        assert row[5] == fv(ex.at[row[0], "density"], "prop")
    # across partnerships, as pingouin / cor.test on the same two columns
    from toolkit.psychometrics.descriptives import correlations

    both = pd.DataFrame({"m": groups["connectedness"], "d": ex["density"]}).dropna()
    r = correlations(both).iloc[0]
    assert page.column("Survey scores and network density", "r")["Connectedness"] == fv(r["r"], "prop")


def test_coding_and_joint_display_numbers(built, api):
    _, page, html = built
    res = api["coding"]
    cb = res.codebook
    t = page.table("Sentences coded per code and interview")
    docs = list(res.frequencies.columns.drop("total"))
    for row in t["rows"]:
        code = next(c for c in cb.code_ids if cb.code(c).name == row[0])
        assert row[1:1 + len(docs)] == [str(int(res.frequencies.at[code, d])) for d in docs]
        assert row[1 + len(docs)] == str(int(res.frequencies.at[code, "total"]))
    quotes = page.table("Exemplar quotes per code")
    texts = set(res.codings["text"])
    assert quotes["rows"] and all(r[1].strip("“”") in texts for r in quotes["rows"])
    # joint display (b): one row per construct; the evidence counts are the coding's; a suggestion on each
    side = page.table("Joint display (b)")
    inst = api["inst"]
    assert len(side["rows"]) == len(inst.constructs)
    for row, c in zip(side["rows"], inst.constructs):
        assert row[0].startswith(label(inst, c.id))
        sub = res.codings[res.codings["code"].isin(c.codes)]
        n = sub.drop_duplicates(["document", "unit_index"]).shape[0]
        assert row[2].startswith(f"{n} sentences")
        assert re.search(r"(convergent|complementary|discordant) \(suggested\)", row[3])
    # (a): each partnership with an interview, its survey mean from the aggregation
    a = page.table("Joint display (a)")
    groups = api["agg"].groups.set_index("partnership_id")
    heads = [r[0] for r in a["rows"] if len(r) == 1]
    assert len(heads) == 6 and heads[0].startswith("P17:")
    first = a["rows"][1]
    assert first[0] == label(inst, "connectedness")
    assert first[1].startswith(fv(groups.at["P17", "connectedness"], "num"))


def test_workbook_has_labelled_apa_sheets(built):
    from openpyxl import load_workbook

    res, page, _ = built
    wb = load_workbook(res.xlsx)
    for sheet in ("Sample", "Table 1", "Correlations", "Reliability", "EFA loadings", "CFA fit", "CFA loadings",
                  "Invariance", "Aggregation", "Group level", "Codes per interview", "Quotes", "Joint display (a)",
                  "Joint display (b)", "Validation", "Missing answers"):
        assert sheet in wb.sheetnames, sheet
    ws = wb["Reliability"]
    assert ws["A1"].value.startswith("Table ") and "Reliability per construct" in ws["A1"].value
    head = [c.value for c in ws[2]]
    assert head[:4] == ["Construct", "Items", "N", "α"]
    assert ws["D3"].number_format == "#.00;-#.00;.00" and isinstance(ws["D3"].value, float)
    assert ws.freeze_panes == "A3"
    corr = wb["Correlations"]
    assert [c.value for c in corr[2]] == ["Construct", "With", "n", "r", "95% CI lower", "95% CI upper", "p"]
    assert corr["G3"].number_format == '[<0.001]"< .001";#.000'
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=1, max_row=2, values_only=True):
            for v in row:
                assert not (isinstance(v, str) and re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", v)), (ws.title, v)
    # the researcher's meta-inference column offers the three choices
    jb = wb["Joint display (b)"]
    dv = jb.data_validations.dataValidation
    assert dv and '"convergent,complementary,discordant"' in dv[0].formula1
    from toolkit.provenance import read_from_workbook

    assert read_from_workbook(res.xlsx)["command"] == "hls report"


def test_codings_only_report_leaves_survey_parts_out(tmp_path):
    """A section without its input is left out with one line saying what would fill it."""
    sample = sample_data_dir()
    res = toolkit.report(codings=sample / "transcripts" / "gold.csv", transcripts=sample / "transcripts",
                         codebook="hls-theory", out=tmp_path)
    status = {s["id"]: s for s in res.sections}
    assert status["coding"]["status"] == "included" and status["methods"]["status"] == "included"
    for sid in ("sample", "descriptives", "reliability", "efa", "cfa", "aggregation", "joint"):
        assert status[sid]["status"] == "omitted" and "--survey" in status[sid]["note"]
    page = Page(res.html.read_text(encoding="utf-8"))
    t = page.table("Sentences coded per code and interview")
    gold = pd.read_csv(sample / "transcripts" / "gold.csv")
    gold = gold[gold["speaker"] != "Interviewer"]
    n_learning = gold["codes"].fillna("").str.split(";").map(lambda c: "hls.learning" in c).sum()
    row = next(r for r in t["rows"] if r[0] == toolkit.load_codebook("hls-theory").code("hls.learning").name)
    assert row[-3] == str(n_learning)  # Total column: the gold coding's sentences with the code
    assert "Not included: needs the survey" in res.html.read_text(encoding="utf-8")


def test_report_errors_are_one_line(run_cli, tmp_path):
    code, _, err = run_cli("report", "-o", str(tmp_path / "r"))
    assert code == 2 and "nothing to report" in err and "Traceback" not in err
    code, _, err = run_cli("report", "--survey", str(tmp_path / "missing.csv"), "-i", "collective-data-use")
    assert code == 2 and "missing.csv" in err and "not found" in err
    sample = sample_data_dir() / "survey" / "collective-data-use.csv"
    code, _, err = run_cli("report", "--survey", str(sample), "-i", "collective-data-use", "--group", "nosuch",
                           "-o", str(tmp_path / "r"))
    assert code == 2 and "--group" in err and "nosuch" in err and not (tmp_path / "r" / "report.html").exists()


def test_factor_naming_and_foreign_loadings():
    from toolkit.report.sections.efa import foreign_loadings, name_factors

    L = pd.DataFrame({"MR1": [.7, .6, .5, .1, .4, .0], "MR2": [.0, .1, .0, .8, .35, .6]},
                     index=["A1", "A2", "A3", "B1", "B2", "B3"])
    of = {"A1": "a", "A2": "a", "A3": "a", "B1": "b", "B2": "b", "B3": "b"}
    names = name_factors(L, of, str.upper)
    assert [(n.factor, n.label, n.own) for n in names] == [("MR1", "A", 3), ("MR2", "B", 2)]
    assert names[0].items == ["A1", "A2", "A3", "B2"]  # B2 loads most on A's factor
    f = foreign_loadings(L, names, of)
    assert f.values.sum() == 1 and f.at["B2", "MR1"]  # .40 on the other construct's factor; .35 on its own


def test_meta_inference_rule():
    from toolkit.report.sections.joint import suggest

    assert suggest(0.6, 6, 3.0, 3, 2, 3, 6)[0] == "convergent"
    assert suggest(-0.5, 5, 3.0, 3, 2, 3, 6)[0] == "discordant"
    assert suggest(0.1, 6, 3.0, 3, 2, 3, 6)[0] == "complementary"
    # fewer than four partnerships: the sample mean against the midpoint beside presence in the interviews
    assert suggest(None, 2, 4.2, 3, 2, 5, 6)[0] == "convergent"
    assert suggest(None, 0, 4.2, 3, 2, 1, 6)[0] == "discordant"
    assert suggest(None, 0, 3.05, 3, 2, 1, 6)[0] == "complementary"


def test_nothing_outside_bench_imports_a_bench_only_package():
    """factor_analyzer and semopy live in the 'bench' extra: the toolkit and the tests must not need them."""
    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"^\s*(import|from)\s+(factor_analyzer|semopy)\b", re.M)
    offenders = [str(p.relative_to(root)) for folder in ("toolkit", "tests") for p in (root / folder).rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    import tomllib

    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = " ".join(meta["dependencies"])
    assert "factor_analyzer" not in runtime and "semopy" not in runtime and "pingouin" in runtime
    assert any(d.startswith("factor_analyzer") for d in meta["optional-dependencies"]["bench"])


# --- --ordered: the CFA and invariance by WLSMV (one more report build, survey only) -------------------------------
@pytest.fixture(scope="module")
def built_ordered(tmp_path_factory):
    out = tmp_path_factory.mktemp("report-ordered")
    res = toolkit.report(survey=sample_data_dir() / "survey" / "collective-data-use.csv",
                         instrument="collective-data-use", group="role", out=out, ordered=True)
    html = res.html.read_text(encoding="utf-8")
    return res, Page(html), html


@pytest.fixture(scope="module")
def cfa_ordered(api):
    return toolkit.cfa(api["data"], instrument=api["inst"], ordered=True)


def _text(html: str, section: str) -> str:
    from html import unescape

    part = html[html.index(f'id="{section}"'):]
    part = part[:part.index("</section>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", part)).split())


def test_ordered_report_shows_the_wlsmv_cfa(built_ordered, api, cfa_ordered):
    res, page, html = built_ordered
    inst, cfa = api["inst"], cfa_ordered
    f = cfa.fit
    assert cfa.estimator == "WLSMV"
    # the estimator and the sample it was fitted on are named
    cfa_text = _text(html, "cfa")
    assert "estimated by WLSMV" in cfa_text
    assert (f"n = {cfa.n} of {cfa.n + cfa.n_dropped} respondents with every item answered; lavaan does not offer "
            "FIML for ordered items") in cfa_text
    assert f"Scaled-shifted χ²({f['df_scaled']}) = {fv(f['chisq_scaled'], 'num')}" in cfa_text
    # the fit table: the scaled-shifted test and the robust and scaled indices, judged; no plain DWLS χ²
    fit = page.column("Fit of the confirmatory factor model", "Value")
    verdict = page.column("Fit of the confirmatory factor model", "Against the guidance")
    assert fit["Scaled-shifted χ²"] == fv(f["chisq_scaled"], "num")
    assert fit["p (scaled-shifted χ²)"] == fv(f["pvalue_scaled"], "p")
    for key, row in (("cfi_robust", "CFI (robust)"), ("tli_robust", "TLI (robust)"), ("rmsea_robust", "RMSEA (robust)"),
                     ("cfi_scaled", "CFI (scaled)"), ("tli_scaled", "TLI (scaled)"),
                     ("rmsea_scaled", "RMSEA (scaled)"), ("srmr", "SRMR")):
        assert fit[row] == fv(f[key], "prop3"), row
        assert verdict[row] in ("good", "acceptable", "poor"), row
    assert fit["RMSEA (robust) 90% CI upper"] == fv(f["rmsea_ci_robust"][1], "prop3")
    assert "χ²" not in fit and "CFI" not in fit and "AIC" not in fit
    # standardized loadings, categorical omega beside CR/AVE, and the path diagram from the WLSMV solution
    std = page.table("Standardized loadings")["rows"]
    assert [r[-2] for r in std] == [fv(v, "prop") for v in cfa.loadings["std_all"]]
    assert [fv(v, "prop") for v in cfa.loadings["std_all"]] != [fv(v, "prop") for v in api["cfa"].loadings["std_all"]]
    rel = cfa.reliability.set_index("factor")
    omega = page.column("Composite reliability, categorical ω", "ω categorical")
    cr = page.column("Composite reliability, categorical ω", "CR")
    for cid in rel.index:
        assert omega[label(inst, cid)] == fv(rel.at[cid, "omega_categorical"], "prop")
        assert cr[label(inst, cid)] == fv(rel.at[cid, "cr"], "prop")
    assert "cfa-path" in page.figures and "Standardized WLSMV solution" in html
    # reliability keeps ordinal alpha beside alpha
    assert "Ordinal α" in page.table("Reliability per construct")["head"]


def test_ordered_report_invariance_methods_and_workbook(built_ordered, api, cfa_ordered):
    from openpyxl import load_workbook

    res, page, html = built_ordered
    data, inst = api["data"], api["inst"]
    # the ordinal steps with the Satorra (2000) difference test, equal to the API's
    inv = page.table("Measurement invariance of each construct across role")
    head = inv["head"]
    rows, name = {}, None
    for r in inv["rows"]:
        name = r[0] or name
        rows[(name, r[1])] = dict(zip(head, r))
    assert {step for _, step in rows} == {"configural", "thresholds + loadings"}
    api_inv = toolkit.invariance(data, group="role", instrument=inst, constructs=["power_imbalance"], ordered=True)
    t = api_inv.table.set_index("step")
    name = label(inst, "power_imbalance")
    mine = rows[(name, "thresholds + loadings")]
    assert mine["Scaled-shifted χ²"] == fv(t.at["thresholds_loadings", "chisq_scaled"], "num")
    assert mine["Δχ² (Satorra 2000)"] == fv(t.at["thresholds_loadings", "delta_chisq"], "num")
    assert mine["Δdf"] == fv(t.at["thresholds_loadings", "delta_df"], "int")
    assert mine["p (Δχ²)"] == fv(t.at["thresholds_loadings", "delta_pvalue"], "p")
    assert mine["ΔCFI"] == fv(t.at["thresholds_loadings", "delta_cfi"], "prop3")
    assert rows[(name, "configural")]["CFI (scaled)"] == fv(t.at["configural", "cfi_scaled"], "prop3")
    # constructs whose answers leave a category empty in a group say why, once
    assert "Not testable:" in _text(html, "cfa") and "In each case:" in _text(html, "cfa")
    # the methods paragraph says what was done and cites it
    methods = _text(html, "methods")
    for phrase in ("WLSMV", "delta parameterization", "polychoric correlations", "DWLS", "robust standard errors",
                   "mean-and-variance adjusted", "lavaan's cfa(..., ordered = TRUE)", "categorical ω",
                   "thresholds-and-loadings invariance across role", "scaled-shifted χ² difference test"):
        assert phrase in methods, phrase
    for ref in ("Muthén, B., du Toit, S. H. C., & Spisic, D. (1997)", "Rosseel, Y. (2012)", "Green, S. B., & Yang, Y. "
                "(2009)", "Satorra, A. (2000)", "Savalei, V. (2021)"):
        assert ref in methods, ref
    # the workbook's CFA sheets follow
    wb = load_workbook(res.xlsx)
    for sheet in ("CFA fit", "CFA fit measures", "CFA loadings", "CFA thresholds", "CFA validity", "Invariance"):
        assert sheet in wb.sheetnames, sheet
    fit = {r[0]: r[1] for r in wb["CFA fit"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert fit["Scaled-shifted χ²"] == pytest.approx(cfa_ordered.fit["chisq_scaled"], abs=1e-9)
    th = list(wb["CFA thresholds"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert th[0][:2] == ("Item", "Threshold") and th[1][:2] == ("CON1", "t1")
    assert "ω categorical" in [c.value for c in wb["CFA validity"][2]]
    assert "Δχ² (Satorra 2000)" in [c.value for c in wb["Invariance"][2]]


def test_ordered_flag_in_help(run_cli):
    code, out, _ = run_cli("report", "--help")
    assert code == 0 and "--ordered" in out and "--ordered -o report" in out


def test_invariance_names_the_constraint_to_release_first(built, api):
    """Each failed invariance step names the constraint whose release helps most, as toolkit.invariance's score
    tests (lavaan lavTestScore) give it."""
    _, _, html = built
    text = _text(html, "cfa")
    inst, data = api["inst"], api["data"]
    expected = []
    for c in inst.constructs:
        res = toolkit.invariance(data, group="role", instrument=inst, constructs=[c.id])
        for step, tests in res.failed_steps():
            best = tests.iloc[0]
            expected.append(f"{label(inst, c.id)}, {step}: {best['parameter']} (χ²(1) = {best['X2']:.2f}")
    assert expected and "Score tests (lavTestScore)" in text
    for e in expected:
        assert e in text
