"""Section 2, Descriptives and correlations: the classic "Table 1" of a survey paper.

Construct scores (``toolkit.score``) described as ``psych::describe`` (:func:`toolkit.describe`), their
Pearson correlations with 95% CIs and p-values as R's ``cor.test`` (:func:`toolkit.correlations`, pingouin),
and Cronbach's alpha (``toolkit.reliability``) on the diagonal.
"""
from __future__ import annotations

from html import escape

from .base import Section, fmt, register
from .sample import missing_survey


def stars(p: float) -> str:
    """APA significance marks: * p < .05, ** p < .01, *** p < .001."""
    if p != p:
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


@register
class Descriptives(Section):
    id, title, order = "descriptives", "Descriptives and correlations", 20

    def missing(self, study):
        return missing_survey(study)

    def build(self, study, part):
        import pandas as pd

        from ...psychometrics.descriptives import correlations, describe
        from ..tables import Column, Table

        scores = study.scores
        ids = list(scores.columns)
        desc = describe(scores)
        corr = correlations(scores)
        alpha = study.reliability.scales.set_index("scale")["alpha"]
        names = [study.label(c) for c in ids]
        k = len(ids)
        lookup = {}
        for r in corr.itertuples(index=False):
            lookup[(r.x, r.y)] = lookup[(r.y, r.x)] = r

        # the page: M, SD, range, skew, then the lower triangle with CIs and alpha on the diagonal
        # wide matrices stay inside the page: smaller type beyond 8 constructs, no range column beyond 10, and
        # the intervals only in the workbook beyond 12
        show_range, show_ci = k <= 10, k <= 12
        head = ["Construct", "M", "SD"] + (["Range"] if show_range else []) + ["Skew"] + [str(j + 1) for j in range(k)]
        cls = ["txt", "num", "num"] + (["num"] if show_range else []) + ["num"] + ["num"] * k
        body = []
        d = desc.set_index("variable")
        for i, cid in enumerate(ids):
            row = ([f"{i + 1}. {escape(names[i])}", fmt(d.at[cid, "mean"]), fmt(d.at[cid, "sd"])]
                   + ([f"{fmt(d.at[cid, 'min'])}–{fmt(d.at[cid, 'max'])}"] if show_range else [])
                   + [fmt(d.at[cid, "skew"])])
            for j in range(k):
                if j < i:
                    r = lookup[(cid, ids[j])]
                    ci = (f'<span class="ci">[{fmt(r.ci_lower, "prop")}, {fmt(r.ci_upper, "prop")}]</span>'
                          if show_ci else "")
                    row.append(f'{fmt(r.r, "prop")}{stars(r.p)}{ci}')
                elif j == i:
                    row.append(f"({fmt(alpha.get(cid), 'prop')})")
                else:
                    row.append("")
            body.append("<tr>" + "".join(f'<td class="{c}">{v}</td>' for c, v in zip(cls, row)) + "</tr>")
        n_min, n_max = (int(corr["n"].min()), int(corr["n"].max())) if len(corr) else (len(scores), len(scores))
        n_text = f"{n_min}" if n_min == n_max else f"{n_min}–{n_max}"
        scale = study.inst.scales_spec()
        lo = min(s["min"] for s in scale.values())
        hi = max(s["max"] for s in scale.values())
        note = (f"N = {fmt(len(scores), 'int')} respondents; correlations use the pairs who have both scores "
                f"(n = {n_text}). Scores are means of each construct's items (reverse-keyed items recoded), on the "
                f"{lo:g}–{hi:g} response scale. Values in parentheses on the diagonal are Cronbach's α. "
                + ("Values in " if show_ci else "")
                + ("square brackets are 95% confidence intervals (Fisher's z). " if show_ci else
                   "The 95% confidence intervals are in sheet 'Correlations' of report.xlsx. ")
                + "* p < .05. ** p < .01. *** p < .001.")
        dense = ' style="font-size: .74rem"' if k > 8 else ""
        custom = ('<table class="apa" id="{{id}}"' + dense + '><caption><span class="tno">Table {{number}}</span>'
                  '<span class="ttitle">Means, standard deviations and correlations of the construct scores, with '
                  'reliability on the diagonal</span></caption><thead><tr>'
                  + "".join(f'<th class="{c}">{escape(h)}</th>' for c, h in zip(cls, head)) + "</tr></thead><tbody>"
                  + "".join(body) + f'</tbody><tfoot><tr><td colspan="{len(head)}"><em>Note.</em> {escape(note)}'
                  "</td></tr></tfoot></table>")

        # the workbook: the same matrix (text cells, as printed) and the correlations as numbers
        matrix = pd.DataFrame({"construct": [f"{i + 1}. {n}" for i, n in enumerate(names)],
                               "mean": d.loc[ids, "mean"].to_numpy(), "sd": d.loc[ids, "sd"].to_numpy(),
                               "min": d.loc[ids, "min"].to_numpy(), "max": d.loc[ids, "max"].to_numpy(),
                               "skew": d.loc[ids, "skew"].to_numpy()})
        for j in range(k):
            col = []
            for i in range(k):
                if j < i:
                    r = lookup[(ids[i], ids[j])]
                    col.append(f"{fmt(r.r, 'prop')}{stars(r.p)}")
                elif j == i:
                    col.append(f"({fmt(alpha.get(ids[i]), 'prop')})")
                else:
                    col.append("")
            matrix[str(j + 1)] = col
        cols = [Column("construct", "Construct"), Column("mean", "M", "num"), Column("sd", "SD", "num"),
                Column("min", "Min", "num"), Column("max", "Max", "num"), Column("skew", "Skew", "num")]
        cols += [Column(str(j + 1), str(j + 1), "text") for j in range(k)]
        table1 = Table("Table 1", matrix, title="Means, standard deviations and correlations of the construct "
                                                "scores, with reliability on the diagonal", columns=cols, note=note)
        part.table(table1, html_table=custom)
        long = corr.copy()
        long["x"] = long["x"].map(study.label)
        long["y"] = long["y"].map(study.label)
        part.table(Table("Correlations", long, title="Correlations of the construct scores with 95% confidence "
                                                     "intervals",
                         columns=[Column("x", "Construct"), Column("y", "With"), Column("n", "n", "int"),
                                  Column("r", "r", "prop3"), Column("ci_lower", "95% CI lower", "prop3"),
                                  Column("ci_upper", "95% CI upper", "prop3"), Column("p", "p", "p")],
                         note="Pearson's r on pairwise-complete cases, as R's cor.test: t-test p-values, Fisher-z "
                              "confidence intervals (computed with pingouin)."), html=False)
        dd = desc.copy()
        dd["variable"] = dd["variable"].map(study.label)
        part.table(Table("Descriptives", dd, title="Descriptive statistics of the construct scores",
                         columns=[Column("variable", "Construct"), Column("n", "n", "int"), Column("mean", "M"),
                                  Column("sd", "SD"), Column("median", "Mdn"), Column("min", "Min"),
                                  Column("max", "Max"), Column("skew", "Skew"), Column("kurtosis", "Kurtosis"),
                                  Column("se", "SE", "num3")],
                         note="As psych::describe: skew and kurtosis of type 3 (b1 = m3 / s³, b2 = m4 / s⁴ − 3)."),
                   html=False)
