"""Section 7, Qualitative coding: how often each code occurs per interview and per case attribute (role,
sector, partnership), which codes occur together, and two or three exemplar quotes per code."""
from __future__ import annotations

from html import escape

from .base import Section, fmt, n_, register

NEED_QUAL = ("give --transcripts DIR with --codebook NAME (auto-coding), or --codings FILE (a reviewed or "
             "hand coding), to report the interviews")
MAX_CASE_COLUMNS = 12        # more interviews than this: the per-interview table goes to the workbook only
QUOTES_PER_CODE = 3
ATTRIBUTES = ("role", "sector", "partnership", "group")


def prevalence(qual):
    """``(counts, units)``: units coded per code x document, and interviewee units per document."""
    units = qual.units.groupby("document", sort=False).size()
    coded = qual.codes.drop_duplicates(["document", "unit_index", "code"])
    counts = coded.groupby(["code", "document"]).size().unstack("document", fill_value=0)
    counts = counts.reindex(index=qual.code_ids, columns=list(units.index), fill_value=0)
    return counts.astype("int64"), units.astype("int64")


def case_attributes(qual) -> list[str]:
    """Case attributes worth a table: role, sector and partnership/group when they group interviews."""
    cases = qual.cases
    out = []
    for a in ATTRIBUTES:
        if a in cases.columns and a not in out:
            vals = cases[a].fillna("").astype(str)
            distinct = vals[vals != ""].nunique()
            if 2 <= distinct < len(cases):
                out.append(a)
    if "group" in out and "partnership" in out:
        out.remove("group")
    return out


def exemplars(qual, code: str, n: int = QUOTES_PER_CODE):
    """Up to *n* quotes for *code*: from different interviews first, of a readable length (60-350 characters),
    the units matched by most rules first (auto-codings), in document order otherwise."""
    rows = qual.codes[qual.codes["code"] == code]
    if not len(rows):
        return []
    merged = rows.merge(qual.units, on=["document", "unit_index"], how="inner")
    if not len(merged):
        return []
    merged = merged.assign(length=merged["text"].str.len(),
                           rules=merged["rule"].fillna("").map(lambda s: len([x for x in str(s).split(",") if x])))
    merged["fit"] = merged["length"].between(60, 350)
    merged["dist"] = (merged["length"] - 170).abs()
    merged = merged.sort_values(["fit", "rules", "dist", "document", "unit_index"],
                                ascending=[False, False, True, True, True], kind="stable")
    picked, seen = [], set()
    for r in merged.itertuples(index=False):
        if r.document in seen:
            continue
        picked.append(r)
        seen.add(r.document)
        if len(picked) == n:
            return picked
    for r in merged.itertuples(index=False):
        if len(picked) == n:
            break
        if r not in picked:
            picked.append(r)
    return picked


def who(qual, document: str) -> str:
    """"INT01, commissioner" for a quote's attribution."""
    c = qual.cases.set_index("document")
    if document not in c.index:
        return document
    row = c.loc[document]
    bits = [str(row.get("case") or document)]
    if "role" in c.columns and str(row.get("role") or "").strip():
        bits.append(str(row["role"]))
    return ", ".join(bits)


@register
class Coding(Section):
    id, title, order = "coding", "Qualitative coding", 70

    def missing(self, study):
        return None if study.has_qualitative else NEED_QUAL

    def build(self, study, part):
        import pandas as pd

        from ..tables import Column, Table

        q = study.qual
        counts, units = prevalence(q)
        used = counts[counts.sum(axis=1) > 0]
        n_docs = len(units)
        coded_units = q.codes.drop_duplicates(["document", "unit_index"]).shape[0]
        skipped = ", ".join(study.skip_speakers)
        text = (f"{n_(n_docs, 'interview')} with {fmt(int(units.sum()), 'int')} interviewee sentences"
                + (f" (what {skipped} said is left out)" if skipped else "") + f", {q.source}. "
                f"{fmt(coded_units, 'int')} sentences ({fmt(coded_units / units.sum() if units.sum() else 0, 'pct')}) "
                f"carry at least one of {len(used)} codes.")
        if q.auto:
            text += (" The codes are rule-based suggestions: review them (hls code run -o review.xlsx, then hls code "
                     "apply-review) and report the reviewed coding with --codings.")
        part.para(text)
        for w in q.warnings:
            part.para(f"Note: {w}")
        names = {c: q.code_name(c) for c in counts.index}
        # per interview
        cases = q.cases.set_index("document")
        freq = used.copy()
        freq.insert(0, "code", [names[c] for c in freq.index])
        freq["total"] = used.sum(axis=1)
        freq["interviews"] = (used > 0).sum(axis=1)
        freq["prevalence"] = used.sum(axis=1) / units.sum()
        doc_cols = []
        for d in units.index:
            head = str(cases.at[d, "case"]) if d in cases.index else d
            if "role" in cases.columns and d in cases.index and str(cases.at[d, "role"] or "").strip():
                head += f" ({cases.at[d, 'role']})"
            doc_cols.append(Column(d, head, "int"))
        ftab = Table("Codes per interview", freq.reset_index(drop=True), title="Sentences coded per code and interview",
                     columns=[Column("code", "Code")] + doc_cols
                     + [Column("total", "Total", "int"), Column("interviews", "Interviews", "int"),
                        Column("prevalence", "Share of sentences", "pct")],
                     note="Counts of interviewee sentences coded with each code (a sentence may carry several "
                          "codes). Interviewee sentences per interview: "
                          + "; ".join(f"{cases.at[d, 'case'] if d in cases.index else d} {units[d]}"
                                      for d in units.index[:MAX_CASE_COLUMNS]) + ("; ..." if n_docs > MAX_CASE_COLUMNS
                                                                                  else "") + ".")
        if n_docs <= MAX_CASE_COLUMNS:
            part.table(ftab)
        else:
            part.para(f"The sentences coded per code in each of the {n_docs} interviews are in sheet 'Codes per "
                      "interview' of report.xlsx; the tables below group the interviews by their attributes.")
            part.table(ftab, html=False)
        # per case attribute
        attrs = case_attributes(q)
        for a in attrs:
            by = cases[a].fillna("").astype(str).replace("", "(not given)")
            groups = list(dict.fromkeys(by.reindex(units.index).fillna("(not given)")))
            tab = pd.DataFrame({"code": [names[c] for c in used.index]})
            for gval in groups:
                docs = [d for d in units.index if by.get(d, "(not given)") == gval]
                tab[gval] = (used[docs].sum(axis=1) / units[docs].sum()).to_numpy() if docs else 0.0
            n_per = {gval: sum(1 for d in units.index if by.get(d, "(not given)") == gval) for gval in groups}
            part.table(Table(f"Codes by {a}", tab, title=f"Share of sentences coded, by {a}",
                             columns=[Column("code", "Code")] + [Column(gv, f"{gv} (n = {n_per[gv]})", "pct")
                                                                 for gv in groups],
                             note=f"Per {a}: sentences coded with the code as a share of all interviewee sentences of "
                                  f"the interviews with that {a} (n = number of interviews)."))
        if not attrs:
            present = [a for a in ATTRIBUTES if a in cases.columns]
            if present:
                part.para(f"Each interview has its own {' and '.join(present)}, so the table per interview above also "
                          "shows the codes per " + " and per ".join(present) + ".")
            else:
                part.para("The interviews carry no case attributes (role, sector, partnership): add them as front "
                          "matter, a NAME.meta.yaml beside each transcript or a cases.csv (docs/coding.md).")
        # co-occurrence
        if len(used) > 1:
            part.figure(_cooccurrence_figure(q, list(used.index), names))
        # exemplar quotes
        rows = []
        for c in used.index:
            for k, r in enumerate(exemplars(q, c)):
                rows.append({"code": names[c] if k == 0 else "", "code_id": c, "quote": r.text,
                             "source": who(q, r.document), "document": r.document, "unit_index": int(r.unit_index)})
        if rows:
            qt = pd.DataFrame(rows)
            html = _quotes_html(qt)
            part.table(Table("Quotes", qt, title="Exemplar quotes per code",
                             columns=[Column("code", "Code"), Column("quote", "Quote", wrap=True, width=80),
                                      Column("source", "Interview"), Column("unit_index", "Sentence no.", "int")],
                             note="Up to three quotes per code, from different interviews where possible."),
                       html_table=html)


def _quotes_html(qt) -> str:
    body = []
    for i, r in enumerate(qt.itertuples(index=False)):
        grp = ' class="grp"' if r.code and i else ""
        body.append(f'<tr{grp}><td class="txt">{escape(r.code)}</td><td class="txt quote">“{escape(r.quote)}”</td>'
                    f'<td class="txt">{escape(r.source)}</td></tr>')
    return ('<table class="apa full" id="{{id}}"><caption><span class="tno">Table {{number}}</span><span class="ttitle">'
            "Exemplar quotes per code</span></caption><thead><tr><th class=\"txt\">Code</th><th class=\"txt\">Quote"
            '</th><th class="txt">Interview</th></tr></thead><tbody>' + "".join(body)
            + '</tbody><tfoot><tr><td colspan="3"><em>Note.</em> Up to three quotes per code, from different '
              "interviews where possible; the sentence numbers are in report.xlsx.</td></tr></tfoot></table>")


def _cooccurrence_figure(q, codes: list, names: dict):
    import numpy as np

    from ..figures import Figure, pyplot, wrap_label

    plt = pyplot()
    coded = q.codes.drop_duplicates(["document", "unit_index", "code"])
    coded = coded[coded["code"].isin(codes)]
    idx = {c: i for i, c in enumerate(codes)}
    k = len(codes)
    M = np.zeros((k, k), dtype=int)
    for _, grp in coded.groupby(["document", "unit_index"])["code"]:
        cs = sorted({idx[c] for c in grp})
        for a in cs:
            for b in cs:
                M[a, b] += 1
    off = M.astype(float).copy()
    off[np.triu_indices(k)] = np.nan  # symmetric: the lower triangle says it all
    size = min(max(4.5, 0.3 * k + 2.6), 9.8)
    fig, ax = plt.subplots(figsize=(size, size * 0.92))
    vmax = max(1.0, float(np.nanmax(off)) if np.isfinite(off).any() else 1.0)
    im = ax.imshow(off, cmap="Blues", vmin=0, vmax=vmax, interpolation="nearest")
    for i in range(k):
        for j in range(k):
            v = M[i, j]
            if j > i:
                continue
            if i == j:
                ax.add_patch(__import__("matplotlib.patches", fromlist=["Rectangle"]).Rectangle(
                    (j - 0.5, i - 0.5), 1, 1, fc="#eeeeee", ec="none"))
                ax.text(j, i, str(v), ha="center", va="center", fontsize=5.5, color="#666")
            elif v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=5.5,
                        color="white" if v > vmax * 0.6 else "#111")
    labels = [wrap_label(names[c], 34) for c in codes]
    ax.set_xticks(range(k))
    ax.set_xticklabels(labels, rotation=90, fontsize=6)
    ax.set_yticks(range(k))
    ax.set_yticklabels(labels, fontsize=6)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    cb.ax.tick_params(labelsize=7)
    cb.set_label("Sentences with both codes", fontsize=7)
    return Figure.from_matplotlib(fig, "code-cooccurrence", "Co-occurrence of codes",
                                  note="Number of interviewee sentences coded with both codes; the grey diagonal "
                                       "gives the sentences coded with each code.")
