"""Section 3, Reliability per construct: alpha with its Feldt CI, omega total, item-rest correlations and the
items worth a second look (``toolkit.reliability``, as psych::alpha and omega)."""
from __future__ import annotations

from .base import Section, fmt, n_, register
from .sample import missing_survey

LOW_ITEM_REST = 0.30
ALPHA_GAIN = 0.01


def item_flags(items, scales) -> dict:
    """``{(scale, item): reason}`` for items with a low item-rest r, a possible mis-keying, or whose removal
    raises alpha by more than .01."""
    alpha = scales.set_index("scale")["alpha"]
    out = {}
    for r in items.itertuples(index=False):
        why = []
        if bool(r.miskeyed):
            why.append("possibly mis-keyed")
        if r.r_drop == r.r_drop and r.r_drop < LOW_ITEM_REST:
            why.append(f"item-rest r = {fmt(r.r_drop, 'prop')}")
        a = alpha.get(r.scale)
        if r.alpha_if_deleted == r.alpha_if_deleted and a == a and r.alpha_if_deleted > a + ALPHA_GAIN:
            why.append(f"α without it = {fmt(r.alpha_if_deleted, 'prop')}")
        if why:
            out[(r.scale, r.item)] = "; ".join(why)
    return out


@register
class Reliability(Section):
    id, title, order = "reliability", "Reliability", 30

    def missing(self, study):
        return missing_survey(study)

    def build(self, study, part):
        import pandas as pd

        from ..tables import Column, Table

        res = study.reliability
        sc, it = res.scales, res.items
        flags = item_flags(it, sc)
        rows = []
        for r in sc.itertuples(index=False):
            its = it[it["scale"] == r.scale]
            flagged = [f"{item} ({why})" for (s, item), why in flags.items() if s == r.scale]
            rows.append({"construct": study.label(r.scale), "n_items": r.n_items, "n": r.n, "alpha": r.alpha,
                         "ci": f"[{fmt(r.alpha_ci_feldt_lower, 'prop')}, {fmt(r.alpha_ci_feldt_upper, 'prop')}]",
                         "omega_total": r.omega_total, "alpha_ordinal": getattr(r, "alpha_ordinal", float("nan")),
                         "average_r": r.average_r,
                         "r_drop_range": f"{fmt(its['r_drop'].min(), 'prop')}–{fmt(its['r_drop'].max(), 'prop')}",
                         "flagged": "; ".join(flagged) or "none"})
        df = pd.DataFrame(rows)
        low = [r for r in sc.itertuples(index=False) if r.alpha < 0.7]
        text = (f"Cronbach's α of the {len(sc)} constructs ranges from {fmt(sc['alpha'].min(), 'prop')} to "
                f"{fmt(sc['alpha'].max(), 'prop')} and McDonald's ω total from {fmt(sc['omega_total'].min(), 'prop')} "
                f"to {fmt(sc['omega_total'].max(), 'prop')}.")
        text += (f" {n_(len(low), 'construct')} fall below the conventional .70: "
                 + ", ".join(study.label(r.scale) for r in low) + "." if low else
                 " Every construct reaches the conventional .70.")
        text += (f" {n_(len(flags), 'item')} flagged for a second look." if flags else
                 f" No item has an item-rest correlation below {fmt(LOW_ITEM_REST, 'prop')} or raises α when dropped.")
        part.para(text)
        em = pd.DataFrame(False, index=df.index, columns=df.columns)
        em["alpha"] = df["alpha"] < 0.7
        em["flagged"] = df["flagged"] != "none"
        part.table(Table("Reliability", df, title="Reliability per construct", emphasis=em,
                         columns=[Column("construct", "Construct"), Column("n_items", "Items", "int"),
                                  Column("n", "N", "int"), Column("alpha", "α", "prop"),
                                  Column("ci", "95% CI (Feldt)"), Column("omega_total", "ω total", "prop"),
                                  Column("alpha_ordinal", "Ordinal α", "prop"),
                                  Column("average_r", "Mean inter-item r", "prop"),
                                  Column("r_drop_range", "Item-rest r"), Column("flagged", "Flagged items", wrap=True,
                                                                                width=40)],
                         note=f"As psych::alpha (pairwise covariances) and psych::omega(nfactors = 1); ordinal α is α "
                              "on the items' polychoric correlations (Zumbo, Gadermann & Zeisser 2007). Flagged: "
                              f"item-rest r below {fmt(LOW_ITEM_REST, 'prop')}, α rising by more than "
                              f"{fmt(ALPHA_GAIN, 'prop')} without the item, or a negative item-rest r (possibly "
                              "mis-keyed). Highlighted: α below .70."))
        part.figure(_forest(sc, study))
        items = it.copy()
        items["scale"] = items["scale"].map(study.label)
        items["flag"] = [flags.get((s, i), "") for s, i in zip(it["scale"], it["item"])]
        part.table(Table("Reliability items", items, title="Item statistics per construct",
                         columns=[Column("scale", "Construct"), Column("item"), Column("reversed"), Column("n"),
                                  Column("mean"), Column("sd"), Column("r_drop"), Column("r_cor"),
                                  Column("alpha_if_deleted"), Column("flag", "Flag")],
                         note="Item-rest r: the item's correlation with the sum of the other items (psych r.drop); "
                              "item-total r (corrected): psych r.cor."), html=False)
        full = sc.copy()
        full["scale"] = full["scale"].map(study.label)
        part.table(Table("Reliability details", full, title="Reliability statistics per construct (all)",
                         columns=[c for c in full.columns if c not in ("min", "max")]), html=False)


def _forest(sc, study):
    from ..figures import ACCENT, WARM, Figure, pyplot

    plt = pyplot()
    k = len(sc)
    fig, ax = plt.subplots(figsize=(6.8, 0.36 * k + 1.0))
    y = list(range(k))[::-1]
    lo = min(float(sc["alpha_ci_feldt_lower"].min()), float(sc["omega_total"].min()), 0.6)
    for yy, r in zip(y, sc.itertuples(index=False)):
        ax.plot([r.alpha_ci_feldt_lower, r.alpha_ci_feldt_upper], [yy, yy], color=ACCENT, lw=1.6,
                solid_capstyle="butt")
        ax.plot(r.alpha, yy, "o", color=ACCENT, ms=5.5, label="α with 95% CI" if yy == y[0] else None)
        if r.omega_total == r.omega_total:
            ax.plot(r.omega_total, yy, "D", color=WARM, ms=4.5, mfc="white", mew=1.3,
                    label="ω total" if yy == y[0] else None)
        ordinal = getattr(r, "alpha_ordinal", float("nan"))
        if ordinal == ordinal:
            ax.plot(ordinal, yy, "^", color="#6b6b6b", ms=4.5, label="ordinal α" if yy == y[0] else None)
    ax.set_yticks(y)
    ax.set_yticklabels([study.label(s) for s in sc["scale"]])
    for v, ls in ((0.7, "--"), (0.8, ":")):
        ax.axvline(v, color="#999", lw=0.8, ls=ls)
    ax.set_xlabel("Reliability")
    ax.grid(axis="x")
    ax.set_axisbelow(True)
    ax.set_xlim(max(0.0, lo - 0.05), 1.0)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3)
    return Figure.from_matplotlib(fig, "reliability", "Cronbach's α with 95% confidence intervals, ω total and "
                                  "ordinal α per construct", note="Feldt intervals. Dashed line: .70; dotted line: .80.")
