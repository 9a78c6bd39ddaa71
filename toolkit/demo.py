"""``hls demo``: the whole toolkit on the bundled sample data, written as a tutorial of the public API.

Read it top to bottom: every step is what a researcher would type in Python, and only ``toolkit.*`` names
are used. The demo first copies the sample inputs into ``<out>/inputs/`` (what ``hls sample-data`` does),
then works inside ``<out>`` with relative paths, so every report names ``inputs/...`` files a user can open,
and two runs give the same bytes wherever they are written.

    import toolkit
    toolkit.run_demo("demo-output")                 # all steps
    toolkit.run_demo("demo-output", only=["cfa"])   # one step

Each step is a function ``step(demo) -> list[Path]`` registered in :data:`STEPS`; a new capability adds
one function here and one line to :data:`STEPS`.
"""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import toolkit

INSTRUMENT = "collective-data-use"
CODEBOOK = "hls-theory"
SKIP_SPEAKERS = ["Interviewer"]
OUTCOME = "collective_data_use"  # the construct tested for invariance across roles


@dataclass
class Demo:
    """Where a step reads and writes (paths relative to the demo folder) and how it reports."""

    inputs: Path
    echo: Callable[[str], None]

    @property
    def survey(self) -> Path:
        """The bundled 400-respondent survey."""
        return self.inputs / "survey" / f"{INSTRUMENT}.csv"

    @property
    def transcripts(self) -> Path:
        return self.inputs / "transcripts"

    def folder(self, name: str) -> Path:
        out = Path(name)
        out.mkdir(parents=True, exist_ok=True)
        return out

    def load_survey(self):
        """``(instrument, DataFrame)`` of the bundled survey."""
        if not self.survey.exists():
            raise toolkit.ToolkitError("the sample survey is missing from the demo inputs", file=self.survey)
        return toolkit.load_instrument(INSTRUMENT), toolkit.read_table(self.survey)


# --- the steps ----------------------------------------------------------------------------------------------
def step_instruments(demo: Demo) -> list[Path]:
    """Every shipped instrument as an Excel questionnaire, XLSForm, entry workbook and data dictionary."""
    out = demo.folder("instruments")
    names = {"xlsx": "questionnaire", "xlsform": "xlsform", "entry": "entry"}
    written = []
    for inst in toolkit.list_instruments():
        for fmt, name in names.items():
            written.append(toolkit.build_form(inst, fmt, out / f"{inst.id}-{name}.xlsx"))
        for lang in inst.languages[1:]:
            written.append(toolkit.build_form(inst, "xlsx", out / f"{inst.id}-questionnaire-{lang}.xlsx", lang=lang))
        for ext in (".xlsx", ".csv"):
            written.append(toolkit.write_dictionary(inst, out / f"{inst.id}-dictionary{ext}"))
        demo.echo(f"   {inst.id}: {len(inst.items)} items in {len(inst.constructs)} constructs; "
                  f"forms {', '.join(names)}; languages {', '.join(inst.languages)}")
    return written


def step_survey(demo: Demo) -> list[Path]:
    """Answers from every channel read back and validated; the bundled survey validated, scored, saved as .sav."""
    out = demo.folder("survey")
    src = demo.inputs / "survey"
    channels = [src / "questionnaires", src / "kobo-export.csv", src / "odk-export.csv", src / "qualtrics-export.csv"]
    data, report = toolkit.read_survey([c for c in channels if c.exists()], INSTRUMENT)
    written = [toolkit.write_survey(data, out / "channels-imported.csv", INSTRUMENT)]
    report.write(out / "channels-validation.xlsx")
    written.append(out / "channels-validation.xlsx")
    demo.echo(f"   imported {len(data)} respondent(s) from {len(report.files)} file(s) (questionnaires, Kobo, ODK, "
              f"Qualtrics): {report.n_errors} error(s), {report.n_warnings} warning(s) (two errors are planted)")
    survey, survey_report = toolkit.read_survey(demo.survey, INSTRUMENT)
    survey_report.write(out / "survey-validation.csv")
    written.append(out / "survey-validation.csv")
    written.append(toolkit.write_survey(survey, out / f"{INSTRUMENT}.sav", INSTRUMENT))
    scored = toolkit.score(toolkit.read_table(demo.survey), INSTRUMENT)
    written.append(toolkit.write_survey(scored, out / f"{INSTRUMENT}-scored.csv", INSTRUMENT))
    demo.echo(f"   validated and scored {len(scored)} simulated respondents: {survey_report.n_warnings} warning(s); "
              "labelled SPSS file and scores written")
    return written


def step_reliability(demo: Demo) -> list[Path]:
    """Alpha with CIs, ordinal alpha, omega and item statistics of every construct."""
    out = demo.folder("reliability")
    inst, data = demo.load_survey()
    res = toolkit.reliability(data, instrument=inst, ordinal=True)
    for row in res.scales.itertuples(index=False):
        omega = "-" if row.omega_total != row.omega_total else f"{row.omega_total:.3f}"
        demo.echo(f"   {row.scale}: alpha {row.alpha:.3f} [{row.alpha_ci_feldt_lower:.3f}, "
                  f"{row.alpha_ci_feldt_upper:.3f}], ordinal alpha {row.alpha_ordinal:.3f}, omega {omega}, "
                  f"{row.n_items} items, N = {row.n}")
    for w in res.warnings:
        demo.echo(f"   warning: {w}")
    res.to_excel(out / "reliability.xlsx")
    toolkit.write_json(res.to_dict(), out / "reliability.json")
    return [out / "reliability.xlsx", out / "reliability.json"]


def step_efa(demo: Demo) -> list[Path]:
    """Parallel analysis (seed 1), then a minres + oblimin EFA with the suggested number of factors."""
    out = demo.folder("efa")
    inst, data = demo.load_survey()
    items = toolkit.select_items(data, instrument=inst)  # the instrument's items, missing codes as missing
    res = toolkit.efa(items, n_factors="auto", method="minres", rotation="oblimin", seed=1)
    demo.echo(f"   parallel analysis: {res.parallel.n_factors} factor(s), {res.parallel.n_components} component(s); "
              f"KMO = {res.kmo.overall:.3f}; {res.n} respondents, {items.shape[1]} items")
    for w in res.warnings:
        demo.echo(f"   warning: {w}")
    res.to_excel(out / "efa.xlsx")
    toolkit.write_json(res.to_dict(), out / "efa.json")
    res.parallel.plot(out / "scree.png", title=f"Parallel analysis: {inst.id}")
    return [out / "efa.xlsx", out / "efa.json", out / "scree.png"]


def step_cfa(demo: Demo) -> list[Path]:
    """The eight-factor CFA of the instrument, and invariance of the outcome scale across roles."""
    out = demo.folder("cfa")
    inst, data = demo.load_survey()
    res = toolkit.cfa(data, instrument=inst)
    f = res.fit
    rows = (f"{res.n} rows, FIML for the {res.n_incomplete} with missing answers" if res.missing == "fiml"
            else f"{res.n} ({res.n_dropped} dropped)")
    demo.echo(f"   {len(res.factor_correlations)} factors, n = {rows}: "
              f"chi2({f['df']}) = {f['chisq']:.1f}, CFI {f['cfi']:.3f}, TLI {f['tli']:.3f}, RMSEA {f['rmsea']:.3f} "
              f"[{f['rmsea_ci'][0]:.3f}, {f['rmsea_ci'][1]:.3f}], SRMR {f['srmr']:.3f}")
    role = inst.context_by_role("role")
    if role is not None and role.id in data.columns:
        try:
            inv = toolkit.invariance(data, group=role.id, instrument=inst, constructs=[OUTCOME])
        except toolkit.ToolkitError as exc:  # too few cases per group in a small sample
            demo.echo(f"   invariance by {role.id} skipped: {exc.message}")
        else:
            res.invariance = inv
            t = inv.table.set_index("step")
            demo.echo(f"   invariance of '{OUTCOME}' across {len(inv.groups)} {role.id}s: " + "; ".join(
                f"{s} CFI {t.loc[s, 'cfi']:.3f}" + (f" ({t.loc[s, 'verdict']})" if s != "configural" else "")
                for s in ("configural", "metric", "scalar")))
    res.to_excel(out / "cfa.xlsx")
    toolkit.write_json(res.to_dict(), out / "cfa.json")
    for w in res.warnings + (res.invariance.warnings if res.invariance is not None else []):
        demo.echo(f"   warning: {w}")
    # the same model with the Likert items as ordered categories: WLSMV (lavaan ordered = TRUE), complete cases
    ordinal = toolkit.cfa(data, instrument=inst, ordered=True)
    f = ordinal.fit
    demo.echo(f"   as ordinal items (WLSMV, {ordinal.n} complete cases): scaled chi2({f['df']}) = "
              f"{f['chisq_scaled']:.1f}, CFI robust {f['cfi_robust']:.3f}, RMSEA robust {f['rmsea_robust']:.3f}")
    ordinal.to_excel(out / "cfa-ordinal.xlsx")
    toolkit.write_json(ordinal.to_dict(), out / "cfa-ordinal.json")
    return [out / "cfa.xlsx", out / "cfa.json", out / "cfa-ordinal.xlsx", out / "cfa-ordinal.json"]


def step_aggregate(demo: Demo) -> list[Path]:
    """Within-group agreement, ICC(1), ICC(2) and the partnership-level dataset."""
    out = demo.folder("aggregate")
    inst, data = demo.load_survey()
    res = toolkit.aggregate(data, group=inst.group_column, instrument=inst, awg=True)
    paths = [out / f"{inst.group_column}-level.csv", out / "aggregation.xlsx", out / "aggregation.json"]
    res.write_groups(paths[0])
    res.write(paths[1])
    toolkit.write_json(res.to_dict(), paths[2])
    s = res.settings
    demo.echo(f"   {s['n_respondents']} respondents in {s['n_groups']} groups by '{res.group_column}'")
    for row in res.constructs.to_dict("records"):
        label = "rwg(j)" if row["index"] == "rwg_j" else "rwg"
        demo.echo(f"   {row['construct']}: ICC(1) {row['icc1']:.2f}, ICC(2) {row['icc2']:.2f}, "
                  f"median {label} {row['agreement_median']:.2f}")
    for w in res.warnings:
        demo.echo(f"   warning: {w}")
    return paths


def step_network(demo: Demo) -> list[Path]:
    """Roster networks of the sample partnerships: the roster forms, measures per partnership and relation,
    plots, and the network measures as partnership-level columns next to the construct scores."""
    out = demo.folder("network")
    members = demo.inputs / "survey" / f"{INSTRUMENT}-members.csv"
    edges = demo.inputs / "survey" / f"{INSTRUMENT}-network.csv"
    # fielding: an XLSForm with a per-partnership member list, an entry workbook with one column per member,
    # and one member's personalised questionnaire with its roster grid
    paths = [toolkit.build_form(INSTRUMENT, "xlsform", out / "roster-xlsform.xlsx", members=members),
             toolkit.build_form(INSTRUMENT, "entry", out / "roster-entry.xlsx", members=members),
             toolkit.build_form(INSTRUMENT, "xlsx", out / "roster-questionnaire-P07-R0070.xlsx", members=members,
                                member="P07:R0070")]
    # the answers as a tidy edge list -> density, reciprocity, centralization per partnership and relation
    net = toolkit.network(edges, members=members, instrument=INSTRUMENT)
    paths += [net.write(out / "networks.xlsx"), net.write(out / "networks.json"), net.write(out / "networks.csv")]
    paths += net.plot(out / "plots", groups=["P04"])  # below 80% response: non-respondents drawn hollow
    inst, data = demo.load_survey()
    agg = toolkit.aggregate(data, group=inst.group_column, instrument=inst, network=net)
    agg.write_groups(out / "partnerships-with-networks.csv")
    paths.append(out / "partnerships-with-networks.csv")
    parts = net.partnerships
    demo.echo(f"   {len(parts)} partnerships, {int(parts['members'].sum())} members, roster response "
              f"{parts['respondents'].sum() / parts['members'].sum():.0%}; {int(parts['low_response'].sum())} "
              "below 80%")
    for rel, sub in net.networks.groupby("relation", sort=False):
        demo.echo(f"   {rel}: mean density {sub['density'].mean():.2f}, reciprocity {sub['reciprocity'].mean():.2f}, "
                  f"in-degree centralization {sub['indegree_centralization'].mean():.2f} "
                  f"({int(sub['indegree_centralization'].notna().sum())} fully answered networks)")
    g = agg.groups
    demo.echo(f"   r(connectedness score, exchange density) = {g['connectedness'].corr(g['exchange_density']):.2f} "
              f"over {len(g)} partnerships")
    for w in net.warnings[:2]:
        demo.echo(f"   warning: {w}")
    return paths


def step_coding(demo: Demo) -> list[Path]:
    """The six interviews auto-coded against the theory codebook: review workbook, CSV, JSON."""
    out = demo.folder("coding")
    res = toolkit.code_documents([demo.transcripts], CODEBOOK, skip_speakers=SKIP_SPEAKERS)
    res.write_review(out / "coding-review.xlsx")
    toolkit.write_csv(res.codings, out / "codings.csv")
    toolkit.write_json(res.to_dict(), out / "coding.json")
    units = res.codings[["document", "unit_index"]].drop_duplicates().shape[0]
    demo.echo(f"   {len(res.documents)} interviews, {units} sentences coded, {len(res.codings)} codings with "
              f"{res.codings['code'].nunique()} codes")
    return [out / "coding-review.xlsx", out / "codings.csv", out / "coding.json"]


def step_train(demo: Demo) -> list[Path]:
    """A coder that learns from people: trained on the gold coding of three interviews, run on the other three
    next to the rules (suggestions carry source and score; the review workbook lists the least certain
    first)."""
    import pandas as pd

    out = demo.folder("train")
    gold = pd.read_csv(demo.transcripts / "gold.csv", keep_default_na=False)
    train_ids, test_ids = ("INT01", "INT02", "INT03"), ("INT04", "INT05", "INT06")
    part = out / "gold-INT01-03.csv"
    toolkit.write_csv(gold[gold["document"].str.startswith(train_ids)], part)
    model = out / "trained-coder"
    meta = toolkit.train_coder([part], demo.transcripts, CODEBOOK, model, skip_speakers=SKIP_SPEAKERS,
                               features="bow")  # the quick variant; bench/coding_quality.py runs the full one
    held = [p for p in sorted(demo.transcripts.glob("*.txt")) if p.name.startswith(test_ids)]
    res = toolkit.code_documents(held, CODEBOOK, skip_speakers=SKIP_SPEAKERS, trained=model)
    res.write_review(out / "review-INT04-06.xlsx")
    test_gold = gold[gold["document"].str.startswith(test_ids)]
    ev = toolkit.evaluate_coding(test_gold, res.codings).micro
    rules = toolkit.evaluate_coding(test_gold, toolkit.code_documents(
        held, CODEBOOK, skip_speakers=SKIP_SPEAKERS).codings).micro
    demo.echo(f"   learned {len(meta['labels'])} codes from {meta['training_units']} sentences "
              f"({len(meta['left_to_rules'])} left to the rules); held-out micro F1 rules {rules['f1']:.2f}, "
              f"rules + model {ev['f1']:.2f}")
    return [part, model / "model.json", out / "review-INT04-06.xlsx"]


def step_refi(demo: Demo) -> list[Path]:
    """REFI-QDA exchange, the auto-coder scored against the manual gold coding, and coder agreement."""
    out = demo.folder("refi")
    gold = demo.transcripts / "gold.csv"
    transcripts = sorted(demo.transcripts.glob("*.txt"))
    codings = Path("coding") / "codings.csv"  # written by the coding step
    written = []
    if not codings.exists():  # the step runs on its own (hls demo --only refi)
        codings = out / "auto-codings.csv"
        toolkit.write_csv(toolkit.code_documents(transcripts, CODEBOOK, skip_speakers=SKIP_SPEAKERS).codings,
                          codings)
        written.append(codings)
    qdc = toolkit.write_qdc(CODEBOOK, out / f"{CODEBOOK}.qdc")
    written.append(qdc)
    demo.echo(f"   codebook -> {qdc.name} (REFI-QDA codebook for NVivo, ATLAS.ti, MAXQDA, QualCoder)")

    sets = toolkit.read_codings(codings, name="hls auto-coder") + toolkit.read_codings(gold, name="gold (manual)")
    qdpx = out / "sample-project.qdpx"
    summary = toolkit.export_project(sets, CODEBOOK, qdpx, transcripts=transcripts)
    written.append(qdpx)
    demo.echo(f"   project -> {qdpx.name}: {summary['sources']} sources, {summary['codings']} codings by "
              f"{', '.join(summary['users'])}")

    ev, _ = toolkit.evaluate_sources(gold, codings, skip_speakers=SKIP_SPEAKERS)
    ev.to_excel(out / "evaluation.xlsx")
    toolkit.write_json(ev.to_dict(), out / "evaluation.json")
    written += [out / "evaluation.xlsx", out / "evaluation.json"]
    m, a = ev.micro, ev.macro
    demo.echo(f"   evaluation vs gold: micro P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f}; "
              f"macro F1 {a['f1']:.3f}; {len(ev.errors)} FP/FN segments listed in evaluation.xlsx")

    agr = toolkit.agreement([gold, codings], names=["gold", "auto"], transcripts=transcripts,
                            skip_speakers=SKIP_SPEAKERS, codebook=CODEBOOK)
    agr.to_excel(out / "agreement.xlsx")
    toolkit.write_json(agr.to_dict(), out / "agreement.json")
    written += [out / "agreement.xlsx", out / "agreement.json"]
    o = agr.overall
    demo.echo(f"   agreement gold vs auto on {agr.units} sentences: pooled alpha {o['alpha']:.3f}, kappa "
              f"{o['kappa']:.3f}, {o['agreement']:.1%} raw agreement; {len(o['unreliable'])} of {o['codes']} codes "
              "below .667")
    back = toolkit.agreement([qdpx], skip_speakers=SKIP_SPEAKERS, codebook=CODEBOOK)  # texts + coders from the archive
    demo.echo(f"   agreement read back from {qdpx.name}: pooled alpha {back.overall['alpha']:.3f}")
    return written


def step_report(demo: Demo) -> list[Path]:
    """One results page for the whole study: survey and interviews side by side, with an APA workbook."""
    survey = demo.inputs / "survey"
    res = toolkit.report(survey=demo.survey, instrument=INSTRUMENT, group="role", transcripts=demo.transcripts,
                         codebook=CODEBOOK, skip_speakers=SKIP_SPEAKERS, out=demo.folder("report"),
                         network=survey / f"{INSTRUMENT}-network.csv", members=survey / f"{INSTRUMENT}-members.csv")
    included = [s["title"] for s in res.sections if s["status"] == "included"]
    demo.echo(f"   {len(included)} sections ({', '.join(included)}), {len(res.figures) // 2} figures: "
              f"open {res.html} in a browser")
    for s in res.sections:
        if s["status"] != "included":
            demo.echo(f"   {s['title']}: {s['status']} ({s['note']})")
    return [res.html, res.xlsx] + res.figures


#: (name, step) in the order they run; later steps may read earlier steps' outputs
STEPS: list[tuple[str, Callable[[Demo], list[Path]]]] = [
    ("instruments", step_instruments),
    ("survey", step_survey),
    ("reliability", step_reliability),
    ("efa", step_efa),
    ("cfa", step_cfa),
    ("aggregate", step_aggregate),
    ("network", step_network),
    ("coding", step_coding),
    ("train", step_train),
    ("refi", step_refi),
    ("report", step_report),
]


@contextlib.contextmanager
def _inside(folder: Path):
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


def run_demo(outdir: str | Path = "demo-output", only=(), echo: Callable[[str], None] = print,
             inputs: str | Path | None = None) -> list[Path]:
    """Run the demo steps (all, or those named in *only*) into *outdir*; returns the files written.

    The bundled sample inputs are copied to ``<outdir>/inputs`` first; *inputs* names another folder laid
    out the same way (``survey/``, ``transcripts/``) to run the demo on other data.
    """
    names = [n for n, _ in STEPS]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise toolkit.ToolkitError(f"unknown step '{unknown[0]}' (steps: {', '.join(names)})", field="--only")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if inputs is None:
        toolkit.copy_sample_data(outdir / "inputs", overwrite=True)
        inputs_rel = Path("inputs")
    else:
        inputs_rel = Path(os.path.relpath(Path(inputs).resolve(), outdir.resolve()))
    written: list[Path] = []
    with _inside(outdir):
        demo = Demo(inputs_rel, echo)
        for name, step in STEPS:
            if only and name not in only:
                continue
            t0 = time.perf_counter()
            echo(f"== {name}")
            paths = step(demo)
            written.extend(outdir / p for p in paths)
            echo(f"   {len(paths)} file(s) in {time.perf_counter() - t0:.1f}s")
    return written
