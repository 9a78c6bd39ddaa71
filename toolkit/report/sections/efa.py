"""Section 4, Exploratory factor analysis: scree with the parallel-analysis line, and a loadings heat map
whose factors are named by the construct most of their items belong to (``toolkit.efa``, as psych::fa and
fa.parallel). Items loading on another construct's factor are highlighted."""
from __future__ import annotations

from dataclasses import dataclass

from ..tables import p_clause
from .base import Section, fmt, n_, register
from .sample import missing_survey

SALIENT = 0.30


@dataclass
class FactorName:
    factor: str          # the EFA's column (MR1, ...)
    construct: str | None
    label: str           # what a person sees: "System sensemaking", "Factor 3"
    items: list          # items whose largest loading is on this factor
    own: int             # how many of them belong to the construct


def name_factors(loadings, construct_of: dict, label=lambda c: c) -> list[FactorName]:
    """Name each factor by the construct most of its items belong to.

    An item belongs to the factor it loads on most (largest absolute loading). A factor is named by the
    construct with most of those items (ties: the larger sum of absolute loadings); a factor no item loads on
    most is "Factor k"; a construct naming two factors gets "(2)" on the second.
    """
    import numpy as np

    L = loadings.abs()
    primary = L.idxmax(axis=1)
    out, used = [], {}
    for k, f in enumerate(loadings.columns, start=1):
        items = [i for i in loadings.index if primary[i] == f]
        by = {}
        for i in items:
            c = construct_of.get(i)
            n, s = by.get(c, (0, 0.0))
            by[c] = (n + 1, s + float(L.at[i, f]))
        if not by:
            out.append(FactorName(str(f), None, f"Factor {k}", [], 0))
            continue
        best = max(by, key=lambda c: (by[c][0], by[c][1]))
        used[best] = used.get(best, 0) + 1
        name = label(best) if best is not None else f"Factor {k}"
        if used[best] > 1:
            name = f"{name} ({used[best]})"
        out.append(FactorName(str(f), best, name, items, by[best][0]))
    del np
    return out


def foreign_loadings(loadings, names: list[FactorName], construct_of: dict, salient: float = SALIENT):
    """Cells where an item loads |l| >= *salient* on a factor named after another construct (a boolean frame)."""
    import pandas as pd

    owner = {n.factor: n.construct for n in names}
    mask = pd.DataFrame(False, index=loadings.index, columns=loadings.columns)
    for i in loadings.index:
        for f in loadings.columns:
            if abs(loadings.at[i, f]) >= salient and owner.get(str(f)) != construct_of.get(i):
                mask.at[i, f] = True
    return mask


@register
class EFA(Section):
    id, title, order = "efa", "Exploratory factor analysis", 40

    def missing(self, study):
        return missing_survey(study)

    def build(self, study, part):
        import pandas as pd

        from ..tables import Column, Table

        res = study.efa
        construct_of = {i: c.id for c in study.constructs for i in c.item_ids}
        order = [i for c in study.constructs for i in c.item_ids if i in res.loadings.index]
        L = res.loadings.loc[order]
        names = name_factors(L, construct_of, study.label)
        foreign = foreign_loadings(L, names, construct_of)
        par = res.parallel
        k_constructs = len(study.constructs)
        matched = len({n.construct for n in names if n.construct is not None})
        text = (f"Parallel analysis ({par.iterations} simulated data sets, {par.quantile:.0%} quantile, seed "
                f"{par.seed}) suggests {n_(par.n_factors, 'factor')} for the {len(order)} items, against "
                f"{k_constructs} constructs in the instrument. KMO = {fmt(res.kmo.overall, 'prop')}; Bartlett's test "
                f"χ²({res.bartlett.df}) = {fmt(res.bartlett.chisq)}, {p_clause(res.bartlett.p)}. "
                f"{res.n_factors} factors were extracted by minimum residuals and rotated obliquely (oblimin), on "
                f"pairwise correlations of n = {fmt(res.n, 'int')} respondents. Naming each factor after the "
                f"construct most of its items load on gives {n_(matched, 'distinct construct')}")
        n_foreign = int(foreign.to_numpy().sum())
        items_foreign = sorted({i for i in foreign.index if foreign.loc[i].any()}, key=order.index)
        text += (f"; {n_(len(items_foreign), 'item')} load |λ| ≥ {fmt(SALIENT, 'prop')} on another construct's factor "
                 f"({n_(n_foreign, 'loading')}, outlined in red in the heat map)." if n_foreign else
                 f"; no item loads |λ| ≥ {fmt(SALIENT, 'prop')} on another construct's factor.")
        weak = [i for i in order if L.loc[i].abs().max() < SALIENT]
        if weak:
            text += f" {n_(len(weak), 'item')} load below {fmt(SALIENT, 'prop')} everywhere: {', '.join(weak)}."
        part.para(text)
        for w in res.warnings:
            part.para(f"Note: {w}")
        part.figure(_scree(par))
        part.figure(_heatmap(L, names, foreign, construct_of, study))

        var = res.variance
        rows = []
        for n in names:
            f = n.factor
            rows.append({"factor": n.factor.replace("MR", "Factor "), "name": n.label,
                         "items": ", ".join(n.items) or "none", "own": f"{n.own} of {len(n.items)}",
                         "ss": float(var.at["SS loadings", f]), "prop": float(var.at["Proportion Var", f])})
        ftab = pd.DataFrame(rows)
        part.table(Table("EFA factors", ftab, title="Factors named by the construct most of their items belong to",
                         columns=[Column("factor", "Factor"), Column("name", "Named for"),
                                  Column("items", "Items loading most on it", wrap=True, width=40),
                                  Column("own", "Of that construct"), Column("ss", "SS loadings", "num"),
                                  Column("prop", "Variance explained", "pct")],
                         note="An item belongs to the factor on which its absolute loading is largest; a factor "
                              "is named after the construct with most of its items (ties: the larger sum of "
                              "loadings)."))
        if items_foreign:
            fr = []
            label_of = {n.factor: n.label for n in names}
            for i in items_foreign:
                for f in L.columns:
                    if foreign.at[i, f]:
                        fr.append({"item": i, "construct": study.label(construct_of[i]), "factor": label_of[str(f)],
                                   "loading": float(L.at[i, f])})
            part.table(Table("EFA foreign", pd.DataFrame(fr), title="Items loading on another construct's factor",
                             columns=[Column("item"), Column("construct", "Item's construct"),
                                      Column("factor", "Factor (named for)"), Column("loading", "Loading", "prop")],
                             note=f"Loadings of |λ| ≥ {fmt(SALIENT, 'prop')} (pattern matrix) on a factor named "
                                  "after another construct."))
        wide = L.copy()
        wide.columns = [n.label for n in names]
        wide.insert(0, "construct", [study.label(construct_of[i]) for i in wide.index])
        wide["h2"] = res.communalities.loc[order].to_numpy()
        wide["u2"] = res.uniquenesses.loc[order].to_numpy()
        wide["complexity"] = res.complexity.loc[order].to_numpy()
        wide.index.name = "item"
        em = foreign.copy()
        em.columns = [n.label for n in names]
        em = em.reset_index(drop=True)
        wide = wide.reset_index()
        lcols = ([Column("item", "Item"), Column("construct", "Construct")]
                 + [Column(n.label, n.label, "prop") for n in names]
                 + [Column("h2", "h²", "prop"), Column("u2", "u²", "prop"), Column("complexity", "Complexity", "num")])
        part.table(Table("EFA loadings", wide, title="Pattern loadings (oblimin), communalities and complexity",
                         columns=lcols, emphasis=em, note="Highlighted: |λ| ≥ .30 on a factor named after another "
                                                            "construct."), html=False)
        phi = res.factor_correlations.copy()
        lab = {n.factor: n.label for n in names}
        phi.index = [lab.get(str(c), str(c)) for c in phi.index]
        phi.columns = [lab.get(str(c), str(c)) for c in phi.columns]
        phi.index.name = "factor"
        part.table(Table("EFA factor correlations", phi.reset_index(), title="Factor correlations",
                         columns=[Column("factor", "Factor")] + [Column(c, c, "prop") for c in phi.columns]),
                   html=False)
        pt = par.table.reset_index()
        part.table(Table("Parallel analysis", pt, title="Parallel analysis: observed and simulated eigenvalues",
                         columns=[Column("position", "Position", "int"),
                                  Column("fa_observed", "Factors, observed", "num"),
                                  Column("fa_sim_quantile", f"Factors, simulated {par.quantile:.0%}", "num"),
                                  Column("pc_observed", "Components, observed", "num"),
                                  Column("pc_sim_quantile", f"Components, simulated {par.quantile:.0%}", "num")]),
                   html=False)


def _scree(par):
    from ..figures import ACCENT, GREY, WARM, Figure, pyplot

    plt = pyplot()
    t = par.table
    x = t.index.to_numpy()
    show = min(len(x), max(15, par.n_factors + 6))
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.plot(x[:show], t["fa_observed"].to_numpy()[:show], "o-", color=ACCENT, ms=4, lw=1.4,
            label="Factors: observed eigenvalues")
    ax.plot(x[:show], t["fa_sim_quantile"].to_numpy()[:show], "--", color=WARM, lw=1.4,
            label=f"Parallel analysis: {par.quantile:.0%} of simulated")
    ax.plot(x[:show], t["pc_observed"].to_numpy()[:show], "s-", color=GREY, ms=3, lw=0.9, alpha=0.8,
            label="Components: observed")
    ax.plot(x[:show], t["pc_sim_quantile"].to_numpy()[:show], ":", color=GREY, lw=1.0, label="Components: simulated")
    ax.axvline(par.n_factors + 0.5, color="#777", lw=0.7)
    ymin, ymax = ax.get_ylim()
    ax.text(par.n_factors + 0.6, ymin + (ymax - ymin) * 0.35, f"{n_(par.n_factors, 'factor')} retained", fontsize=7.5,
            va="bottom", color="#444")
    ax.set_xlabel("Factor / component number")
    ax.set_ylabel("Eigenvalue")
    ax.set_xticks(x[:show])
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    ax.legend(loc="upper right")
    return Figure.from_matplotlib(fig, "scree", "Scree plot with parallel analysis",
                                  note=f"Eigenvalues of the observed correlations against the {par.quantile:.0%} "
                                       f"quantile of {par.iterations} simulated data sets of the same size (seed "
                                       f"{par.seed}); factors are retained while the observed value is higher.")


def _heatmap(L, names, foreign, construct_of, study):
    import numpy as np
    from matplotlib.patches import Rectangle

    from ..figures import ALERT, Figure, pyplot

    plt = pyplot()
    items = list(L.index)
    p, k = L.shape
    # factors in the order of the constructs that name them, unnamed last
    rank = {c.id: j for j, c in enumerate(study.constructs)}
    cols = sorted(range(k), key=lambda j: (rank.get(names[j].construct, 10 ** 6), j))
    M = L.to_numpy()[:, cols]
    F = foreign.to_numpy()[:, cols]
    labels = [names[j].label for j in cols]
    cell = 0.2
    fig_w = min(1.9 + 0.62 * k + 1.8, 10.5)
    fig_h = max(2.8, cell * p + 2.2)
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    im = ax.imshow(M, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    for i in range(p):
        for j in range(k):
            v = M[i, j]
            txt = f"{v:.2f}".replace("0.", ".")
            txt = ".00" if txt == "-.00" else txt
            strong = abs(v) >= SALIENT
            ax.text(j, i, txt, ha="center", va="center", fontsize=6.2,
                    color=("white" if abs(v) > 0.55 else "#111") if strong else "#9a9a9a",
                    fontweight="bold" if strong else "normal")
            if F[i, j]:
                ax.add_patch(Rectangle((j - 0.47, i - 0.45), 0.94, 0.9, fill=False, ec=ALERT, lw=1.6))
    ax.set_xticks(range(k))
    from ..figures import wrap_label

    ax.set_xticklabels([wrap_label(s, 22) for s in labels], rotation=35, ha="left", rotation_mode="anchor",
                       fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(p))
    ax.set_yticklabels(items, fontsize=7)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    # construct blocks: a line between constructs and the construct's name on the right
    start = 0
    for i in range(1, p + 1):
        if i == p or construct_of[items[i]] != construct_of[items[start]]:
            if i < p:
                ax.axhline(i - 0.5, color="#333", lw=0.8)
            ax.text(k - 0.4, (start + i - 1) / 2, " " + study.label(construct_of[items[start]]), va="center",
                    ha="left", fontsize=7, color="#333")
            start = i
    cax = ax.inset_axes([0.0, -0.6 / fig_h, 0.45, 0.12 / fig_h])
    cb = fig.colorbar(im, cax=cax, orientation="horizontal")
    cb.ax.tick_params(labelsize=6.5)
    cb.set_label("Loading", fontsize=7)
    del np
    return Figure.from_matplotlib(fig, "efa-loadings", "Factor loadings (pattern matrix) by construct",
                                  note="Rows: items grouped by their construct (names on the right); columns: "
                                       "factors named after the construct most of their items load on. Bold: "
                                       f"|λ| ≥ {SALIENT:.2f}".replace("0.", ".") + "; red outline: a salient "
                                       "loading on another construct's factor.")
