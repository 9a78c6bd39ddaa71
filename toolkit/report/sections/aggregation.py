"""Section 6, Aggregation: may the answers be averaged into partnership (group) scores? ICC(1), ICC(2) and
rwg(j) per construct with a verdict (Bliese 2000; LeBreton & Senter 2008), and rwg(j) across the groups
(``toolkit.aggregate``, as R multilevel)."""
from __future__ import annotations

from .base import Section, fmt, register
from .sample import NEED_SURVEY

VERDICTS = ("aggregation is supported", "aggregation is questionable", "aggregation is not supported",
            "aggregation cannot be judged")


def short_verdict(text: str) -> tuple[str, str]:
    """``("supported" | "questionable" | "not supported" | "cannot be judged", the reasons)`` of a verdict."""
    for v in VERDICTS:
        if v in text:
            word = v.replace("aggregation is ", "").replace("aggregation ", "")
            head, _, rest = text.partition(": ")
            why = rest.replace(f"; {v}", "").replace(v, "").strip(" ;") if rest else ""
            return word, why or head
    return "", text


@register
class Aggregation(Section):
    id, title, order = "aggregation", "Aggregation to groups", 60

    def missing(self, study):
        if not study.has_survey:
            return NEED_SURVEY
        if study.level_column is None:
            return ("the instrument has no group question (a context question with role: group) and no --level "
                    "COLUMN was given, so there are no groups to aggregate to")
        return None

    def build(self, study, part):
        import pandas as pd

        from ..tables import Column, Table

        agg = study.aggregation
        c = agg.constructs
        s = agg.settings
        rows = []
        for r in c.to_dict("records"):
            word, why = short_verdict(r["verdict"])
            rows.append({"construct": study.label(r["construct"]), "icc1": r["icc1"], "F": r["F"], "p": r["p"],
                         "icc2": r["icc2"], "index": "rwg(j)" if r["index"] == "rwg_j" else "rwg",
                         "agreement_median": r["agreement_median"], "share": r["agreement_share_ge_70"],
                         "verdict": word, "why": why})
        df = pd.DataFrame(rows)
        supported = (df["verdict"] == "supported").sum()
        text = (f"{fmt(s['n_respondents'], 'int')} respondents in {s['n_groups']} groups ({agg.group_column}). "
                f"Aggregating a construct to the group is supported when groups differ (ICC(1) > 0, significant F), "
                f"group means are reliable (ICC(2) ≥ .70) and members agree (median rwg(j) ≥ .70, uniform null "
                f"distribution). Aggregation is supported for {supported} of {len(df)} constructs.")
        part.para(text)
        em = pd.DataFrame(False, index=df.index, columns=df.columns)
        em["icc2"] = df["icc2"] < 0.7
        em["agreement_median"] = df["agreement_median"] < 0.7
        em["verdict"] = df["verdict"] != "supported"
        part.table(Table("Aggregation", df, title="Within-group agreement and reliability of group means",
                         emphasis=em,
                         columns=[Column("construct", "Construct"), Column("icc1", "ICC(1)", "prop"),
                                  Column("F", "F", "num"), Column("p", "p", "p"), Column("icc2", "ICC(2)", "prop"),
                                  Column("agreement_median", "Median rwg(j)", "prop"),
                                  Column("share", "Groups ≥ .70", "pct"), Column("verdict", "Verdict"),
                                  Column("why", "Why", wrap=True, width=48)],
                         note="ICC(1) and ICC(2) from a one-way ANOVA of construct scores on group (Bliese 2000); "
                              "rwg(j) with a uniform null (James, Demaree & Wolf 1984), median over groups. "
                              "Highlighted: below .70 or aggregation not (fully) supported."))
        part.figure(_rwg_figure(agg, study))
        g = agg.groups.copy()
        gcols = []
        suffixes = {"": ("M", "num"), "_sd": ("SD", "num"), "_n": ("n", "int"), "_rwg_j": ("rwg(j)", "prop"),
                    "_rwg": ("rwg", "prop"), "_awg": ("awg", "prop")}
        ids = {c.id for c in study.constructs}
        for col in g.columns:
            col = str(col)
            hit = next(((cid, suf) for suf in sorted(suffixes, key=len, reverse=True) for cid in ids
                        if col == cid + suf), None)
            if col == agg.group_column:
                gcols.append(Column(col, "Group", "text"))
            elif hit is not None:
                word, kind = suffixes[hit[1]]
                gcols.append(Column(col, f"{study.label(hit[0])}: {word}", kind))
            elif col == "small_group":
                gcols.append(Column(col, "Smaller than the minimum size"))
            else:
                gcols.append(Column(col))
        part.table(Table("Group level", g, title=f"Group-level dataset ({agg.group_column})", columns=gcols,
                         note="Per group: size, and per construct the mean, SD, n and within-group agreement."),
                   html=False)
        det = agg.detail.copy()
        det["construct"] = det["construct"].map(study.label)
        part.table(Table("Aggregation detail", det, title="Per construct and group: mean, SD and agreement",
                         columns=[Column("construct", "Construct"), Column("group", "Group"), Column("n", "n", "int"),
                                  Column("mean", "M"), Column("sd", "SD"), Column("agreement", "rwg(j)", "prop")]),
                   html=False)
        for w in agg.warnings:
            part.para(f"Note: {w}")


def _rwg_figure(agg, study):
    import numpy as np

    from ..figures import ACCENT, ALERT, Figure, pyplot

    plt = pyplot()
    det = agg.detail
    constructs = list(dict.fromkeys(det["construct"]))
    k = len(constructs)
    fig, ax = plt.subplots(figsize=(6.8, 0.42 * k + 1.0))
    rng = np.random.default_rng(0)
    for j, cid in enumerate(constructs):
        yy = k - 1 - j
        v = det.loc[det["construct"] == cid, "agreement"].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        jitter = rng.uniform(-0.17, 0.17, size=len(v))
        ax.scatter(v, yy + jitter, s=11, color=np.where(v < 0.7, ALERT, ACCENT), alpha=0.75, lw=0)
        if len(v):
            med = float(np.median(v))
            ax.plot([med, med], [yy - 0.3, yy + 0.3], color="#222", lw=1.6)
    ax.axvline(0.7, color="#777", ls="--", lw=0.9)
    ax.set_yticks(range(k))
    ax.set_yticklabels([study.label(c) for c in constructs][::-1])
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("rwg(j) of each group")
    ax.grid(axis="x")
    ax.set_axisbelow(True)
    return Figure.from_matplotlib(fig, "rwg-groups", "Within-group agreement rwg(j) of each group, per construct",
                                  note="One dot per group (red: below .70); the black bar is the median; the dashed "
                                       "line marks the conventional .70.")
