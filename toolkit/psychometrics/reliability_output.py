"""Console report and Excel workbook of a :class:`~toolkit.psychometrics.reliability.ReliabilityResult`."""
from __future__ import annotations

import builtins

import numpy as np

from .patterns import category_label


def _fmt(v, digits: int) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else ""
    if isinstance(v, (int, np.integer)):
        return str(v)
    return f"{v:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [builtins.max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  " + "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    for r in rows:
        lines.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return lines


def format_text(result, digits: int = 3) -> str:
    """The console report of :func:`reliability`: one block per scale."""
    out = [f"note: {n}" for n in result.notes]
    if out:
        out.append("")
    for rec in result._records:
        f = lambda v: _fmt(v, digits)  # noqa: E731
        out.append(f"Scale {rec['name']}: {rec['n_items']} items, N = {rec['n']} ({rec['missing']}; "
                   f"{rec['n_complete']} complete), reverse keying (min + max) - x with min {category_label(rec['min'])}, "
                   f"max {category_label(rec['max'])}")
        fl, fh = rec["alpha_ci_feldt"]
        dl, dh = rec["alpha_ci_duhachek"]
        out.append(f"  alpha {f(rec['alpha'])}  95% CI Feldt [{f(fl)}, {f(fh)}]  Duhachek [{f(dl)}, {f(dh)}]"
                   f"  (ase {_fmt(rec['ase'], 4)})")
        if "alpha_ordinal" in rec:
            out.append(f"  ordinal alpha {f(rec['alpha_ordinal'])}  (alpha of the polychoric correlations, Zumbo et al. "
                       "2007: the reliability if the answers were continuous; the sum score's own is the alpha above)")
        out.append(f"  std alpha {f(rec['std_alpha'])}  G6(smc) {f(rec['g6'])}  omega total {f(rec['omega_total'])}"
                   f"  average r {f(rec['average_r'])}  median r {f(rec['median_r'])}  S/N {_fmt(rec['sn'], 2)}")
        out.append(f"  scale score mean {f(rec['mean'])}  sd {f(rec['sd'])}")
        header = ["item", "n", "mean", "sd", "raw.r", "std.r", "r.cor", "r.drop", "alpha if deleted"]
        rows = [[("-" if it["reversed"] else "") + it["item"], str(it["n"]), f(it["mean"]), f(it["sd"]),
                 f(it["raw_r"]), f(it["std_r"]), f(it["r_cor"]), f(it["r_drop"]),
                 f(it["alpha_if_deleted"]) + (" !" if it["miskeyed"] else "")] for it in rec["items"]]
        out.extend(_table(header, rows))
        if all("response_freq" in it for it in rec["items"]):
            cats = list(rec["items"][0]["response_freq"])
            out.append("  response frequencies (share of each item's answers; miss = share of rows unanswered)")
            out.extend(_table(["item"] + cats,
                              [[it["item"]] + [_fmt(it["response_freq"][c], 2) for c in cats] for it in rec["items"]]))
        for w in rec["warnings"]:
            out.append(f"  warning: {w}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_excel(result, path, provenance: dict | None = None) -> None:
    """Sheets Scales, Items, Frequencies (wide: one column per category) and Warnings, through the toolkit's one
    table writer (:func:`toolkit.report.tables.write_workbook`)."""
    import pandas as pd

    from ..report.tables import Column, Table, write_workbook

    freqs = result.frequencies
    if len(freqs):
        wide = freqs.pivot_table(index=["scale", "item"], columns="category", values="proportion", sort=False)
        cats = [c for c in dict.fromkeys(freqs["category"]) if c != "miss"]
        cats = sorted(cats, key=lambda c: float(c)) + ["miss"]
        wide = wide.reindex(columns=cats).reset_index()
    else:
        cats, wide = [], pd.DataFrame(columns=["scale", "item"])
    tables = [
        Table("Scales", result.scales, title="Reliability per scale"),
        Table("Items", result.items, title="Item statistics"),
        Table("Frequencies", wide, title="Response frequencies (share of each item's answers)",
              columns=["scale", "item"] + [Column(c, "Unanswered" if c == "miss" else str(c), "prop") for c in cats],
              note="Unanswered = share of rows without an answer to the item."),
    ]
    if result.warnings:
        tables.append(Table("Warnings", pd.DataFrame({"warning": list(result.warnings)}), title="Warnings"))
    write_workbook(path, tables, provenance=provenance)
