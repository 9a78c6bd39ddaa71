"""Section 8, the joint display (Guetterman, Fetters & Creswell 2015): survey statistics and interview codes
side by side, joined through the construct <-> code link the instrument declares once (``codes:`` under each
construct, ``codebook:`` at the top; checked by ``hls instrument check``).

(a) Statistics by themes: per partnership with interviews, each construct's survey mean beside how much its
    interviews talk about the linked codes, with the quote behind each cell.
(b) Side by side: construct -> survey result -> qualitative evidence -> a suggested meta-inference
    (convergent / complementary / discordant), marked as a suggestion for the researcher to confirm or change.

The suggestion rule is deliberately simple and stated on the page: with four or more partnerships in both
strands, the Spearman correlation between partnership means and the share of their interview sentences coded
with the construct's codes (>= .40 convergent, <= -.40 discordant, otherwise complementary); with fewer, the
sample's mean against the scale midpoint beside whether the codes occur in at least half of the interviews.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .base import Section, fmt, n_, register
from .coding import NEED_QUAL, prevalence

MIN_PARTNERSHIPS = 4
RHO = 0.40
MAX_QUOTE = 300
MAX_PAGE_PARTNERSHIPS = 12   # more than this: the page shows the first ones, the workbook all
CASE_KEYS = ("partnership_id", "partnership", "group_id", "group")


@dataclass
class Link:
    construct: str
    codes: tuple


def links(study) -> list[Link]:
    """The instrument's construct -> codes links whose codes the coding knows."""
    known = set(study.qual.code_ids) | set(study.qual.codes["code"])
    return [Link(c.id, tuple(x for x in c.codes if x in known)) for c in study.constructs if c.codes]


def partnership_key(study) -> str | None:
    """The case attribute naming the survey group of each interview: one called like the survey's group column,
    else partnership_id / partnership / group_id / group, when its values are survey groups."""
    cases = study.qual.cases
    level = study.level_column
    if level is None:
        return None
    groups = set(study.data[level].dropna().astype(str).str.strip())
    for key in (level, *CASE_KEYS):
        if key in cases.columns:
            vals = set(cases[key].fillna("").astype(str).str.strip()) - {""}
            if vals & groups:
                return key
    return None


def suggest(rho: float | None, n_pairs: int, mean: float, midpoint: float, half_range: float, present: int,
            interviews: int) -> tuple[str, str]:
    """``(suggestion, why)``: convergent / complementary / discordant from the data (see the module docstring)."""
    if rho is not None and n_pairs >= MIN_PARTNERSHIPS and rho == rho:
        where = f"Spearman ρ = {fmt(rho, 'prop')} between partnership means and interview prevalence ({n_pairs} partnerships)"
        if rho >= RHO:
            return "convergent", f"{where}: partnerships that score higher talk about it more"
        if rho <= -RHO:
            return "discordant", f"{where}: partnerships that score higher talk about it less"
        return "complementary", f"{where}: the strands vary independently, so each shows what the other does not"
    high = mean > midpoint + 0.1 * half_range
    low = mean < midpoint - 0.1 * half_range
    prominent = interviews and present >= interviews / 2
    level = f"mean {fmt(mean)} against the scale midpoint {midpoint:g}"
    talk = f"codes in {present} of {interviews} interviews"
    if high and prominent or low and not prominent:
        return "convergent", f"{level}; {talk}: both strands point the same way"
    if high and not prominent or low and prominent:
        return "discordant", f"{level}; {talk}: the strands point different ways"
    return "complementary", f"{level} (near the midpoint); {talk}: the interviews add what the scores leave open"


@register
class Joint(Section):
    id, title, order = "joint", "Joint display", 80

    def missing(self, study):
        if not study.has_survey and not study.has_qualitative:
            return "give the survey (--survey, --instrument) and the interviews (--transcripts or --codings)"
        if not study.has_survey:
            return "give --survey DATA and --instrument NAME to set the interviews beside the survey"
        if not study.has_qualitative:
            return NEED_QUAL + " beside the survey"
        if not study.inst.code_links:
            return (f"instrument '{study.inst.id}' links no construct to codes: add 'codebook: NAME' and "
                    "'codes: [code.id, ...]' under each construct (hls instrument check validates them)")
        return None

    def build(self, study, part):
        import numpy as np
        import pandas as pd

        from ..tables import Column, Table

        q = study.qual
        lk = links(study)
        counts, units = prevalence(q)
        coded = q.codes.drop_duplicates(["document", "unit_index", "code"])
        scores = study.scores
        key = partnership_key(study)
        level = study.level_column
        spec = study.inst.scales_spec()
        agg = study.aggregation if level is not None else None
        cases = q.cases.set_index("document")
        quotes = QuoteFinder(q, coded)
        unlinked = [c for c in q.code_ids if c in counts.index and counts.loc[c].sum() > 0
                    and not any(c in link.codes for link in lk)]
        intro = (f"The instrument links {len(lk)} constructs to codes of '{study.inst.codebook}'. Below, (a) sets each "
                 "partnership's survey means beside how often its interviews use the linked codes, with a quote "
                 "behind each cell, and (b) sets each construct's survey result beside the interview evidence with a "
                 "suggested meta-inference (Guetterman, Fetters & Creswell 2015). The suggestions follow a stated "
                 "rule from the data; confirm or change them: the meta-inference is the researcher's.")
        part.para(intro)

        # (a) statistics by themes, per partnership
        matched = []
        if key is not None:
            case_group = cases[key].fillna("").astype(str).str.strip()
            g = agg.groups.copy()
            g[level] = g[level].astype(str).str.strip()
            g = g.set_index(level)
            for grp in dict.fromkeys(case_group[case_group != ""]):
                if grp in g.index:
                    docs = [d for d in units.index if case_group.get(d) == grp]
                    if docs:
                        matched.append((grp, docs))
        per_rows = []   # tidy: partnership x construct
        if matched:
            means = {c.id: g[c.id].astype(float) for c in study.constructs if c.id in g.columns}
            by_doc_code: dict = {}  # (document, code) -> coded unit indices
            for d, u, c in zip(coded["document"], coded["unit_index"], coded["code"]):
                by_doc_code.setdefault((d, c), set()).add(u)
            for grp, docs in matched:
                n_units = int(units[docs].sum())
                names = "; ".join(quotes.who(d) for d in docs)
                for link in lk:
                    m = means.get(link.construct)
                    mean = float(m[grp]) if m is not None else float("nan")
                    z = (mean - float(m.mean())) / float(m.std()) if m is not None and m.std() > 0 else float("nan")
                    n_coded = sum(len(set().union(*[by_doc_code.get((d, c), set()) for c in link.codes]))
                                  for d in docs)
                    quote = quotes.best(docs, link.codes)
                    per_rows.append({"partnership": grp, "interviews": names,
                                     "n_respondents": int(g.at[grp, "n"]), "construct": link.construct,
                                     "mean": mean, "z": z, "coded": n_coded, "units": n_units,
                                     "share": n_coded / n_units if n_units else float("nan"),
                                     "quote": quote[0], "quote_source": quote[1]})
        per = pd.DataFrame(per_rows)
        if len(per):
            # prevalence relative to the other matched partnerships
            rel = per.groupby("construct")["share"].transform(lambda s: (s - s.mean()) / s.std() if s.std() > 0
                                                               else s * np.nan)
            per["share_z"] = rel
            part.heading("(a) Statistics by themes: partnerships")
            part.para(f"{n_(len(matched), 'partnership')} took part in both strands (interview attribute '{key}' = survey "
                      f"column '{level}'). For each, the mean of its respondents on each construct, where it stands "
                      "among all partnerships, and the sentences of its interviews coded with the construct's codes, "
                      "with the quote that shows it best.")
            shown = list(dict.fromkeys(per["partnership"]))[:MAX_PAGE_PARTNERSHIPS]
            if len(matched) > len(shown):
                part.para(f"The page shows the first {len(shown)} of them; all {len(matched)} are in sheet 'Joint "
                          "display (a)' of report.xlsx.")
            html = _per_partnership_html(per[per["partnership"].isin(shown)], study)
            tab = per.copy()
            tab["construct"] = tab["construct"].map(study.label)
            tab["position"] = tab["z"].map(_position)
            part.table(Table("Joint display (a)", tab, title="Joint display (a): survey means and interview codes by "
                                                               "partnership",
                             columns=[Column("partnership", "Partnership"), Column("interviews", "Interviews"),
                                      Column("n_respondents", "Respondents", "int"), Column("construct", "Construct"),
                                      Column("mean", "M", "num"), Column("z", "z among partnerships", "num"),
                                      Column("position", "Position"), Column("coded", "Sentences coded", "int"),
                                      Column("units", "Interviewee sentences", "int"),
                                      Column("share", "Share coded", "pct"),
                                      Column("quote", "Quote", wrap=True, width=70),
                                      Column("quote_source", "Quote from")],
                             note="M: the partnership's mean construct score; z: its distance from the mean of all "
                                  "partnerships in SDs of the partnership means. Sentences coded: interviewee "
                                  "sentences of its interviews with any of the construct's linked codes."),
                       html_table=html)
            if len(matched) >= 3:
                part.figure(_scatter(per, study))
        else:
            why = ("the interviews carry no attribute naming their partnership" if key is None else
                   "no interview's partnership is among the survey's groups")
            part.para(f"(a) Statistics by themes per partnership needs interviews from partnerships that answered the "
                      f"survey: {why}. Add the survey's group code to each transcript's front matter (for example "
                      f"'{level or 'partnership_id'}: P07').")

        # (b) side by side, per construct
        rows = []
        desc_mean = scores.mean()
        desc_sd = scores.std()
        rel = study.reliability.scales.set_index("scale")["alpha"]
        icc = agg.constructs.set_index("construct")["icc1"] if agg is not None else {}
        n_int = len(units)
        for c in study.constructs:
            link = next((x for x in lk if x.construct == c.id), None)
            s = spec[c.id]
            mid, half = (s["min"] + s["max"]) / 2, (s["max"] - s["min"]) / 2
            survey = (f"M = {fmt(desc_mean[c.id])}, SD = {fmt(desc_sd[c.id])} (scale {s['min']:g}–{s['max']:g}); "
                      f"α = {fmt(rel.get(c.id), 'prop')}")
            if c.id in icc:
                survey += f"; ICC(1) = {fmt(icc[c.id], 'prop')}"
            if link is None or not link.codes:
                rows.append({"construct": study.label(c.id), "codes": "(no code linked)", "code_ids": "", "survey": survey,
                             "evidence": "", "quote": "", "quote_source": "", "suggestion": "",
                             "why": "no code is linked to this construct", "rho": float("nan"), "n_pairs": 0})
                continue
            sub = coded[coded["code"].isin(link.codes)]
            n_coded = sub.drop_duplicates(["document", "unit_index"]).shape[0]
            present = sub["document"].nunique()
            evidence = (f"{fmt(n_coded, 'int')} sentences ({fmt(n_coded / units.sum() if units.sum() else 0, 'pct')}) "
                        f"in {present} of {n_int} interviews")
            rho, n_pairs = None, 0
            if len(per):
                pc = per[per["construct"] == c.id]
                n_pairs = len(pc)
                if n_pairs >= 2 and pc["mean"].nunique() > 1 and pc["share"].nunique() > 1:
                    from scipy.stats import spearmanr

                    rho = float(spearmanr(pc["mean"], pc["share"]).statistic)
            sug, why = suggest(rho, n_pairs, float(desc_mean[c.id]), mid, half, present, n_int)
            quote = quotes.best(None, link.codes)
            rows.append({"construct": study.label(c.id), "codes": ", ".join(q.code_name(x) for x in link.codes),
                         "code_ids": ", ".join(link.codes),
                         "survey": survey, "evidence": evidence, "quote": quote[0], "quote_source": quote[1],
                         "suggestion": sug, "why": why, "rho": rho if rho is not None else float("nan"),
                         "n_pairs": n_pairs})
        side = pd.DataFrame(rows)
        part.heading("(b) Side by side: constructs")
        counts_sug = side["suggestion"].value_counts()
        part.para("Suggested meta-inferences: " + ", ".join(f"{counts_sug.get(k, 0)} {k}" for k in
                                                           ("convergent", "complementary", "discordant"))
                  + ". " + ("Codes not linked to any construct (reported in the coding section only): "
                            + ", ".join(q.code_name(c) for c in unlinked) + "." if unlinked else ""))
        side["yours"] = ""
        part.table(Table("Joint display (b)", side, title="Joint display (b): construct, survey result, interview "
                                                           "evidence and meta-inference",
                         columns=[Column("construct", "Construct"), Column("codes", "Linked codes", wrap=True, width=28),
                                  Column("survey", "Survey result", wrap=True, width=34),
                                  Column("evidence", "Interview evidence", wrap=True, width=28),
                                  Column("quote", "Quote", wrap=True, width=60), Column("quote_source", "Quote from"),
                                  Column("suggestion", "Suggested meta-inference"),
                                  Column("why", "Why suggested", wrap=True, width=44),
                                  Column("yours", "Your meta-inference",
                                         choices=["convergent", "complementary", "discordant"])],
                         note="The suggestion is computed from the data by the rule stated in the report (Spearman ρ ≥ "
                              ".40 convergent, ≤ −.40 discordant, otherwise complementary, over partnerships in both "
                              "strands; else the sample mean against the scale midpoint beside the codes' presence in "
                              "half the interviews). Choose your own in the last column.",
                         dropdown_rows=len(side)),
                   html_table=_side_html(side))


def _position(z: float) -> str:
    if z != z:
        return ""
    return "above average" if z >= 0.5 else "below average" if z <= -0.5 else "around average"


class QuoteFinder:
    """The sentence that shows a set of codes best, found fast for many (documents, codes) questions: candidates
    are ranked once (readable length first, then most rules matched, most codes on the sentence, closest to 170
    characters, document order) and looked up per document."""

    def __init__(self, q, coded):
        m = coded.merge(q.units[["document", "unit_index", "text"]], on=["document", "unit_index"], how="inner")
        length = m["text"].str.len()
        m = m.assign(n=m.groupby(["document", "unit_index"])["code"].transform("count"),
                     rules=m["rule"].fillna("").map(lambda s: len([x for x in str(s).split(",") if x])),
                     fit=length.between(60, MAX_QUOTE), dist=(length - 170).abs())
        m = m.sort_values(["fit", "rules", "n", "dist", "document", "unit_index"],
                          ascending=[False, False, False, True, True, True], kind="stable").reset_index(drop=True)
        m["rank"] = m.index
        self.ranked = m
        self.by_doc = {d: g for d, g in m.groupby("document", sort=False)}
        cases = q.cases.set_index("document")
        self._who = {d: _who(cases, d) for d in cases.index}

    def who(self, document: str) -> str:
        return self._who.get(document, document)

    def best(self, docs, codes) -> tuple[str, str]:
        """``(quote, "INT01, commissioner")`` for *codes* in *docs* (every document when ``None``)."""
        frames = [self.ranked] if docs is None else [self.by_doc[d] for d in docs if d in self.by_doc]
        best = None
        for f in frames:
            hit = f[f["code"].isin(codes)]
            if len(hit) and (best is None or hit["rank"].iloc[0] < best["rank"]):
                best = hit.iloc[0]
        if best is None:
            return "", ""
        text = str(best["text"])
        if len(text) > MAX_QUOTE:
            text = text[:MAX_QUOTE - 1].rsplit(" ", 1)[0] + " …"
        return text, self.who(best["document"])


def _who(cases, document: str) -> str:
    row = cases.loc[document]
    bits = [str(row.get("case") or document)]
    if "role" in cases.columns and str(row.get("role") or "").strip():
        bits.append(str(row["role"]))
    return ", ".join(bits)


def _arrow(z: float) -> str:
    if z != z:
        return ""
    return "▲" if z >= 0.5 else "▼" if z <= -0.5 else "●"


def _per_partnership_html(per, study) -> str:
    body = []
    for grp, rows in per.groupby("partnership", sort=False):
        first = rows.iloc[0]
        word = "interviews" if ";" in first["interviews"] else "interview"
        body.append(f'<tr class="grouphead"><td colspan="4">{escape(str(grp))}: {int(first["n_respondents"])} '
                    f'respondents; {word} {escape(first["interviews"])}; {int(first["units"])} interviewee '
                    "sentences</td></tr>")
        for r in rows.itertuples(index=False):
            quote = f"“{escape(r.quote)}”" if r.quote else '<span class="small">no sentence coded</span>'
            body.append(f'<tr><td class="txt">{escape(study.label(r.construct))}</td>'
                        f'<td class="num">{fmt(r.mean)} <span title="position among partnerships">{_arrow(r.z)}</span>'
                        f'<span class="ci">z = {fmt(r.z)}</span></td>'
                        f'<td class="num">{r.coded} ({fmt(r.share, "pct")})<span class="ci">'
                        f'{_arrow(r.share_z)} among these</span></td><td class="txt quote">{quote}</td></tr>')
    return ('<table class="apa full" id="{{id}}"><caption><span class="tno">Table {{number}}</span>'
            '<span class="ttitle">Joint display (a): survey means and interview codes by partnership</span></caption>'
            '<thead><tr><th class="txt">Construct</th><th class="num">Survey M</th><th class="num">Sentences coded'
            '</th><th class="txt">Quote</th></tr></thead><tbody>' + "".join(body)
            + '</tbody><tfoot><tr><td colspan="4"><em>Note.</em> Survey M: the partnership\'s mean construct score '
              "(▲ at least half an SD of the partnership means above their average, ▼ as far below, ● in between; z "
              "in SDs). Sentences coded: its interviewee sentences carrying any of the construct's linked codes (share "
              "of its interviewee sentences; arrows compare the partnerships shown). Quote: the coded sentence that "
              "shows it best.</td></tr></tfoot></table>")


def _side_html(side) -> str:
    body = []
    for r in side.itertuples(index=False):
        quote = (f"“{escape(r.quote)}” <span class=\"small\">({escape(r.quote_source)})</span>" if r.quote else "")
        sug = (f'<td class="txt sug"><b>{escape(r.suggestion)}</b> <span class="small">(suggested)</span>'
               f'<span class="why">{escape(r.why)}</span></td>' if r.suggestion else
               f'<td class="txt"><span class="small">{escape(r.why)}</span></td>')
        body.append(f'<tr><td class="txt"><b>{escape(r.construct)}</b><span class="ci">{escape(r.code_ids)}</span></td>'
                    f'<td class="txt">{escape(r.survey)}</td><td class="txt">{escape(r.evidence)}'
                    f'<span class="ci quote">{quote}</span></td>{sug}</tr>')
    return ('<table class="apa full" id="{{id}}"><caption><span class="tno">Table {{number}}</span>'
            '<span class="ttitle">Joint display (b): construct, survey result, interview evidence and meta-inference'
            '</span></caption><thead><tr><th class="txt">Construct (linked codes)</th><th class="txt">Survey result'
            '</th><th class="txt">Interview evidence</th><th class="txt">Meta-inference</th></tr></thead><tbody>'
            + "".join(body)
            + '</tbody><tfoot><tr><td colspan="4"><em>Note.</em> Meta-inferences are suggestions computed from the data: '
              f"with {MIN_PARTNERSHIPS} or more partnerships in both strands, Spearman ρ between partnership means and "
              f"the share of their interview sentences with the linked codes (≥ {fmt(RHO, 'prop')} convergent, ≤ "
              f"−{fmt(RHO, 'prop')} discordant, otherwise complementary); otherwise the sample mean against the scale "
              "midpoint beside whether the codes occur in at least half of the interviews. They are the researcher's to "
              "confirm or change (column 'Your meta-inference' in report.xlsx).</td></tr></tfoot></table>")


def _scatter(per, study):
    import math

    import numpy as np

    from ..figures import ACCENT, Figure, pyplot

    plt = pyplot()
    constructs = list(dict.fromkeys(per["construct"]))
    k = len(constructs)
    ncol = 4 if k > 6 else min(k, 3)
    nrow = math.ceil(k / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.25 * ncol, 2.0 * nrow), squeeze=False)
    for ax in axes.flat[k:]:
        ax.axis("off")
    for ax, cid in zip(axes.flat, constructs):
        sub = per[per["construct"] == cid]
        x, y = sub["mean"].to_numpy(dtype=float), sub["share"].to_numpy(dtype=float) * 100
        many = len(x) > 15
        ax.scatter(x, y, s=6 if many else 18, color=ACCENT, zorder=3, alpha=0.6 if many else 1, lw=0)
        if not many:
            for xi, yi, lab in zip(x, y, sub["partnership"]):
                ax.annotate(str(lab), (xi, yi), xytext=(3, 2), textcoords="offset points", fontsize=6, color="#444")
        if len(x) >= 3 and np.ptp(x) > 0:
            b, a = np.polyfit(x, y, 1)
            xs = np.linspace(x.min(), x.max(), 10)
            ax.plot(xs, a + b * xs, color="#999", lw=0.8, ls="--")
        from ..figures import wrap_label

        ax.set_title(wrap_label(study.label(cid), 26), fontsize=7.5, loc="left")
        ax.tick_params(labelsize=6.5)
        ax.grid(True)
        ax.set_axisbelow(True)
    fig.supxlabel("Partnership mean on the construct (survey)", fontsize=8)
    fig.supylabel("% of its interview sentences coded", fontsize=8)
    fig.tight_layout()
    return Figure.from_matplotlib(fig, "joint-display", "Survey means against interview prevalence, per construct",
                                  note="One point per partnership that took part in both strands; dashed: least-squares "
                                       "line. Convergence shows as a rising pattern.")
