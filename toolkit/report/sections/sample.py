"""Section 1, Sample: respondents, groups and their sizes, roles and sectors, missing answers per item,
answers outside the scale and "don't know" (all from the validation report of ``toolkit.read_survey``)."""
from __future__ import annotations

from html import escape

from .base import Section, fmt, n_, register

NEED_SURVEY = "needs the survey: give --survey DATA and --instrument NAME"


def missing_survey(study) -> str | None:
    return None if study.has_survey else NEED_SURVEY


def answer_counts(study):
    """Per item: answered, blank, declared missing ("don't know"), invalid (outside the scale or not on it)."""
    import pandas as pd

    v = study.validation
    im = v.item_missing.set_index("item")
    issues = v.issues
    bad = issues[issues["check"].isin(["out_of_range", "non_numeric"])]
    invalid = bad.groupby("column").size() if len(bad) else pd.Series(dtype="int64")
    rows = []
    for c in study.constructs:
        for item in c.item_ids:
            if item not in im.index:
                continue
            r = im.loc[item]
            n, miss, dk = int(r["n"]), int(r["n_missing"]), int(r["n_declared_missing"])
            inv = int(invalid.get(item, 0))
            blank = miss - dk - inv  # invalid answers and declared missing codes are missing in the data too
            rows.append({"item": item, "construct": study.label(c.id), "n": n, "answered": n - miss,
                         "blank": max(blank, 0), "dont_know": dk, "invalid": inv, "share_missing": r["share_missing"]})
    return pd.DataFrame(rows)


@register
class Sample(Section):
    id, title, order = "sample", "Sample", 10

    def missing(self, study):
        return missing_survey(study)

    def build(self, study, part):
        import pandas as pd

        from ..tables import Column, Table
        from ...survey.validate import validation_tables

        data, inst, v = study.data, study.inst, study.validation
        n = len(data)
        level = study.level_column
        facts = [(fmt(n, "int"), "respondents"), (str(len(inst.item_ids)), f"items in {len(study.constructs)} constructs")]
        sizes = None
        if level is not None:
            sizes = data[level].dropna().astype(str).value_counts()
            facts.append((fmt(len(sizes), "int"), f"groups ({_words(level)})"))
        counts = answer_counts(study)
        total_cells = int(counts["n"].sum())
        facts.append((fmt(counts["dont_know"].sum(), "int"), "“don't know” answers"))
        facts.append((fmt(counts["invalid"].sum(), "int"), "answers outside the scale"))
        part.text('<ul class="keyfacts">' + "".join(f"<li><b>{escape(a)}</b>{escape(b)}</li>" for a, b in facts)
                  + "</ul>")
        text = (f"{fmt(n, 'int')} respondents answered the {len(inst.item_ids)} items of “{inst.text(inst.title)}” "
                f"({inst.id} {inst.version}).")
        if sizes is not None and len(sizes):
            small = int((sizes < 3).sum())
            text += (f" They belong to {len(sizes)} groups (column {level}) of {int(sizes.min())} to "
                     f"{int(sizes.max())} respondents (median {float(sizes.median()):g})"
                     + (f"; {n_(small, 'group')} with fewer than 3 respondents." if small else ".")
                     )
            unassigned = int(data[level].isna().sum())
            if unassigned:
                text += f" {n_(unassigned, 'respondent')} name no group."
        missing_cells = int((counts["blank"] + counts["dont_know"] + counts["invalid"]).sum())
        text += (f" Of {fmt(total_cells, 'int')} answers, {fmt(missing_cells / total_cells if total_cells else 0, 'pct')} "
                 f"are missing: {fmt(counts['blank'].sum(), 'int')} left blank, "
                 f"{fmt(counts['dont_know'].sum(), 'int')} “don't know” (a declared missing code) and "
                 f"{fmt(counts['invalid'].sum(), 'int')} outside the response scale (set to missing).")
        part.para(text)

        # who answered: role, sector and the comparison groups
        rows = []
        for role in ("role", "sector"):
            q = inst.context_by_role(role)
            if q is None or q.id not in data.columns:
                continue
            rows.extend(_category_rows(data[q.id], q, inst, role.capitalize()))
        if study.group and study.group not in {(inst.context_by_role(r) or _Nil).id for r in ("role", "sector")}:
            q = next((c for c in inst.context if c.id == study.group), None)
            rows.extend(_category_rows(data[study.group], q, inst, _words(study.group).capitalize()))
        if rows:
            df = pd.DataFrame(rows)
            part.table(Table("Sample", df, title="Respondents by role and sector",
                             columns=[Column("characteristic", "Characteristic"), Column("category", "Category"),
                                      Column("n", "n", "int"), Column("share", "%", "pct")],
                             note=f"N = {fmt(n, 'int')}. Percentages of all respondents; 'Not given' counts "
                                  "respondents who left the question blank."))
        if sizes is not None and len(sizes) > 1:
            part.figure(_group_sizes_figure(sizes, level))
            gdf = pd.DataFrame({"group": sizes.index, "n": sizes.to_numpy()}).sort_values("group", kind="stable")
            part.table(Table("Group sizes", gdf.reset_index(drop=True), title=f"Respondents per group ({level})",
                             columns=[Column("group", "Group"), Column("n", "Respondents", "int")]), html=False)

        # missing answers per construct (page) and per item (figure, workbook)
        per = counts.groupby("construct", sort=False)[["n", "answered", "blank", "dont_know", "invalid"]].sum()
        per.insert(0, "items", counts.groupby("construct", sort=False).size())
        per["share_missing"] = 1 - per["answered"] / per["n"]
        per = per.reset_index()
        miss_cols = [Column("construct"), Column("items", "Items", "int"), Column("answered", "Answers", "int"),
                     Column("blank", "Blank", "int"), Column("dont_know", "Don't know", "int"),
                     Column("invalid", "Outside the scale", "int"), Column("share_missing", "Missing", "pct")]
        part.table(Table("Missing answers", per, title="Missing answers per construct", columns=miss_cols,
                         note="Answers = respondents × items answered on the scale. 'Don't know' is the instrument's "
                              "declared missing code; answers outside the scale were set to missing. Per item: the "
                              "figure below and sheet 'Missing answers' of report.xlsx."))
        part.figure(_missing_figure(counts))
        item_cols = [Column("item"), Column("construct")] + miss_cols[2:]
        part.table(Table("Missing answers", counts, title="Missing answers per item", columns=item_cols), html=False)

        # the validation checks
        flagged = {k: val for k, val in v.counts.items() if k != "item_missing" and val}
        if flagged:
            from ...survey.validate import CHECK_LABELS

            part.para("Checking the answers against the instrument flagged " + "; ".join(
                f"{CHECK_LABELS.get(k, k).lower()}: {val}" for k, val in flagged.items())
                + ". Each is listed with its file and row in sheet 'Validation issues' of report.xlsx.")
        summary, _settings, issues = validation_tables(v)[:3]
        summary.name = "Validation"
        part.table(summary, html=False)
        flagged_rows = issues.data[v.issues["severity"].to_numpy() != "info"].reset_index(drop=True)
        if len(flagged_rows):
            issues.data, issues.name = flagged_rows, "Validation issues"
            part.table(issues, html=False)


class _Nil:
    id = None


def _words(name: str) -> str:
    return str(name).replace("_", " ")


def _category_rows(series, question, inst, heading: str) -> list[dict]:
    labels = {}
    if question is not None:
        labels = {c.value: inst.text(c.label) for c in question.choices}
    counts = series.astype("string").fillna("\0missing").value_counts()
    order = [c for c in labels if c in counts.index] + sorted(c for c in counts.index if c not in labels
                                                               and c != "\0missing")
    if "\0missing" in counts.index:
        order.append("\0missing")
    n = len(series)
    rows = []
    for i, value in enumerate(order):
        rows.append({"characteristic": heading if i == 0 else "",
                     "category": "Not given" if value == "\0missing" else labels.get(value, value),
                     "n": int(counts[value]), "share": counts[value] / n if n else 0.0})
    return rows


def _group_sizes_figure(sizes, level: str):
    from ..figures import ACCENT, Figure, pyplot

    plt = pyplot()
    s = sizes.sort_values(ascending=False)
    width = min(max(4.5, 0.16 * len(s) + 1.2), 9.5)
    fig, ax = plt.subplots(figsize=(width, 2.6))
    ax.bar(range(len(s)), s.to_numpy(), color=ACCENT, width=0.75)
    if len(s) <= 60:
        ax.set_xticks(range(len(s)))
        ax.set_xticklabels(s.index, rotation=90, fontsize=6.5)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(s)} groups, largest first")
    ax.set_ylabel("Respondents")
    ax.axhline(float(s.median()), color="#888", lw=0.8, ls="--")
    ax.text(len(s) - 0.5, float(s.median()), f" median {s.median():g}", va="bottom", ha="right", fontsize=7,
            color="#555")
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    ax.margins(x=0.01)
    return Figure.from_matplotlib(fig, "group-sizes", f"Respondents per group ({level})",
                                  note="Groups ordered by size; the dashed line is the median group size.")


def _missing_figure(counts):
    from ..figures import ACCENT, ALERT, WARM, Figure, pyplot

    plt = pyplot()
    k = len(counts)
    width = min(max(5.0, 0.2 * k + 1.5), 9.5)
    fig, ax = plt.subplots(figsize=(width, 2.9))
    x = range(k)
    n = counts["n"].where(counts["n"] > 0, 1).to_numpy(dtype=float)
    blank = counts["blank"].to_numpy() / n * 100
    dk = counts["dont_know"].to_numpy() / n * 100
    inv = counts["invalid"].to_numpy() / n * 100
    ax.bar(x, blank, color=ACCENT, width=0.75, label="Blank")
    ax.bar(x, dk, bottom=blank, color=WARM, width=0.75, label="Don't know")
    ax.bar(x, inv, bottom=blank + dk, color=ALERT, width=0.75, label="Outside the scale")
    ax.set_xticks(list(x))
    ax.set_xticklabels(counts["item"], rotation=90, fontsize=6.5 if k > 40 else 7.5)
    ax.set_ylabel("% of respondents")
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    # construct bands
    prev, start = None, 0
    constructs = counts["construct"].tolist()
    for i, c in enumerate(constructs + [None]):
        if c != prev and prev is not None:
            if start:
                ax.axvline(start - 0.5, color="#bbb", lw=0.6)
            start = i
        prev = c
    top = float((blank + dk + inv).max()) if k else 1.0
    ax.set_ylim(0, max(top * 1.12, 1.0))
    ax.legend(ncol=3, loc="upper left", bbox_to_anchor=(0, 1.16))
    ax.margins(x=0.01)
    return Figure.from_matplotlib(fig, "missing-answers", "Missing answers per item",
                                  note="Share of respondents per item who left it blank, answered “don't know” or "
                                       "gave an answer outside the response scale. Thin lines separate constructs.")
