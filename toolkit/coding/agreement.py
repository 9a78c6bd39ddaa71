"""Inter-coder agreement on units: Krippendorff's alpha, Cohen's kappa, percent agreement, prevalence.

Design (unitised, one binary variable per code; O'Connor & Joffe 2020): the coders' codings are placed on the
same units (sentences or turns, :func:`toolkit.coding.codings_io.unit_table`). For each code every coder gives
each unit 1 (coded) or 0 (judged, not coded) or nothing (did not see the unit). Per code:

* Krippendorff's alpha, nominal, any number of coders, missing values allowed:
  ``alpha = 1 - D_o / D_e`` with the observed and expected disagreement taken from the coincidence matrix
  of the pairable values (Krippendorff 2004, *Content Analysis* 2nd ed., ch. 11; Krippendorff 2011,
  "Computing Krippendorff's Alpha-Reliability"). Computed with the ``krippendorff`` package
  (``level_of_measurement="nominal"``); the pooled value uses the same formula in closed form
  (:func:`_binary_alpha`) to keep memory flat on large corpora.
* Cohen's kappa (two coders; Cohen 1960): ``kappa = (p_o - p_e) / (1 - p_e)``, ``p_e = p_A p_B +
  (1 - p_A)(1 - p_B)`` on the units both coders judged. With more coders, per-pair kappas are in ``pairs``.
* Percent agreement: the share of agreeing coder pairs per unit, averaged over pairable units (for two coders
  simply the share of units on which they agree).
* Prevalence: the share of all pairable judgements that are "coded".

Only pairable units (judged by at least two coders) enter. Overall values pool every unit x code judgement
into one binary variable. Alpha below .667 is flagged "unreliable", .667 to .800 "tentative" (Krippendorff
2004: rely on alpha >= .800, draw tentative conclusions only from .667 up). Rare codes (prevalence below 5%
or fewer than ``min_positives`` units coded by anyone) get a caveat: alpha and kappa swing on one or two
units and can be low despite high raw agreement.

>>> import pandas as pd, toolkit
>>> a = pd.DataFrame({"document": ["d"] * 4, "unit_index": range(4), "codes": ["x", "x", "", "y"]})
>>> b = pd.DataFrame({"document": ["d"] * 4, "unit_index": range(4), "codes": ["x", "", "", "y"]})
>>> res = toolkit.agreement([a, b])
>>> res.codes[["code", "alpha", "kappa", "agreement"]].round(3).values.tolist()
[['x', 0.533, 0.5, 0.75], ['y', 1.0, 1.0, 1.0]]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import AnalysisError

RELIABLE = 0.800
TENTATIVE = 0.667


# -- statistics on a coders x units matrix (np.nan = missing) -------------------------------------------------
def _pairable(matrix: np.ndarray) -> np.ndarray:
    m = np.asarray(matrix, dtype=float)
    return m[:, (~np.isnan(m)).sum(axis=0) >= 2]


def krippendorff_alpha(matrix) -> float:
    """Nominal Krippendorff's alpha of a coders x units matrix (``nan`` = missing); ``nan`` if undefined.

    Undefined when fewer than two pairable values exist or every pairable value is the same (no variation:
    the expected disagreement is 0).
    """
    import krippendorff

    m = _pairable(matrix)
    values = m[~np.isnan(m)]
    if values.size < 2 or np.unique(values).size < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=m, level_of_measurement="nominal"))


def _binary_alpha(m: np.ndarray) -> float:
    """Nominal alpha of a 0/1 coders x units matrix in closed form, O(units) memory (used for pooled tables).

    With ``z_u``/``o_u`` zeros/ones among the ``m_u >= 2`` values of unit u, ``n_0 = sum z_u``,
    ``n_1 = sum o_u``, ``n = n_0 + n_1``: the off-diagonal coincidences are ``o_01 = o_10 = sum z_u o_u /
    (m_u - 1)``, so ``alpha = 1 - (n - 1) * o_01 / (n_0 n_1)`` (Krippendorff 2011, nominal case). Equal to
    :func:`krippendorff_alpha` (the ``krippendorff`` package) to rounding; the tests check it. The package
    would build units x 2 x 2 temporaries, i.e. hundreds of MB for a pooled table of millions of cells.
    """
    ones = np.nansum(m, axis=0)
    n_u = (~np.isnan(m)).sum(axis=0)
    keep = n_u >= 2
    o, z, n_u = ones[keep], (n_u - ones)[keep], n_u[keep]
    n1, n0 = float(o.sum()), float(z.sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    o01 = float((z * o / (n_u - 1)).sum())
    return 1.0 - (n0 + n1 - 1) * o01 / (n0 * n1)


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two coders' labels (units where either is ``nan`` dropped); ``nan`` if undefined.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_e = sum_k p_A(k) p_B(k)`` (Cohen 1960).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    if a.size == 0:
        return float("nan")
    p_o = float(np.mean(a == b))
    cats = np.union1d(a, b)
    p_e = float(sum(np.mean(a == k) * np.mean(b == k) for k in cats))
    if math.isclose(p_e, 1.0):
        return float("nan")
    return (p_o - p_e) / (1.0 - p_e)


def percent_agreement(matrix) -> float:
    """Mean over pairable units of the share of coder pairs giving the same value."""
    m = _pairable(matrix)
    if m.shape[1] == 0:
        return float("nan")
    shares = []
    for col in m.T:
        v = col[~np.isnan(col)]
        _, counts = np.unique(v, return_counts=True)
        n = v.size
        shares.append(float((counts * (counts - 1)).sum() / (n * (n - 1))))
    return float(np.mean(shares))


def _binary_agreement(m: np.ndarray) -> float:
    """Fast :func:`percent_agreement` for 0/1 matrices already restricted to pairable units."""
    ones = np.nansum(m, axis=0)
    n = (~np.isnan(m)).sum(axis=0)
    zeros = n - ones
    return float(np.mean((ones * (ones - 1) + zeros * (zeros - 1)) / (n * (n - 1)))) if m.shape[1] else float("nan")


def prevalence(matrix) -> float:
    """Share of pairable judgements that are 1 (the code applied)."""
    m = _pairable(matrix)
    v = m[~np.isnan(m)]
    return float(v.mean()) if v.size else float("nan")


def flag(alpha: float) -> str:
    """``"reliable"`` (>= .800), ``"tentative"`` (.667 to .800), ``"unreliable"`` (< .667) or ``"undefined"``."""
    if alpha != alpha:
        return "undefined"
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative"
    return "unreliable"


# -- result -----------------------------------------------------------------------------------------------
@dataclass
class AgreementResult:
    """Per-code table, overall figures, coder pairs and the disagreeing units (for discussion)."""

    codes: object  # DataFrame: code, alpha, kappa, agreement, prevalence, units, positives, n_<coder>, flag, caveat
    overall: dict
    coders: list
    units: int
    unit: str
    pairs: object  # DataFrame: coder_a, coder_b, units, kappa, agreement (pooled over codes)
    disagreements: object  # DataFrame: document, unit_index, speaker, text, code, <coder>...
    unit_table: object = None
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        def num(v):
            return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

        return {"units": int(self.units), "coders": list(self.coders),
                "codes": [{"code": r["code"], "alpha": num(r["alpha"]), "kappa": num(r["kappa"]),
                           "agreement": num(r["agreement"]), "prevalence": num(r["prevalence"])}
                          for r in self.codes.to_dict(orient="records")],
                "overall": {k: (num(v) if isinstance(v, (float, np.floating)) else v)
                            for k, v in self.overall.items()}}

    def __str__(self) -> str:
        return format_report(self)

    def to_excel(self, path) -> None:
        """Workbook: Summary (per code + overall), Pairs, Disagreements (units to discuss), Units (codes by coder)."""
        write_agreement_xlsx(self, path)


def agreement(codings_list, unit: str = "sentence", transcripts=None, skip_speakers=(), codes=None,
              codebook=None, documents=None, min_positives: int = 5, rare_prevalence: float = 0.05,
              names=None) -> AgreementResult:
    """Agreement between two or more coders, per code and overall.

    Parameters
    ----------
    codings_list : sources of codings: paths (run/apply-review CSV or XLSX, review workbooks, unit-format
        gold CSV, ``.qdpx`` projects: one coder per user), DataFrames or
        :class:`~toolkit.coding.codings_io.CodingSet` objects.
    unit : ``"sentence"`` or ``"turn"``: the units codings are placed on (a coding counts for every unit it
        overlaps).
    transcripts : transcript files/folders/Documents giving the units (not needed for .qdpx sources, nor for
        sentence units when a unit-format coding lists every sentence).
    skip_speakers : speakers whose units are left out (e.g. ``["Interviewer"]``).
    codes : codes to report (default: every code any coder used; in codebook order when *codebook* given).
    codebook : a codebook (name/path/object): maps REFI GUIDs back to our ids and orders the codes.
    documents : restrict to these document ids.
    min_positives, rare_prevalence : the rare-code caveat thresholds.
    names : labels for the coders (one per source that holds a single coder).

    References: Krippendorff (2004, 2011); Cohen (1960); Hayes & Krippendorff (2007).
    """
    import pandas as pd

    from .codebook import load_codebook
    from .codings_io import read_codings, unit_table

    if isinstance(codings_list, (str, bytes)) or not hasattr(codings_list, "__iter__"):
        codings_list = [codings_list]
    cb = load_codebook(codebook) if codebook is not None else None
    sets = []
    names = list(names or [])
    codings_list = list(codings_list)
    if len(names) > len(codings_list):
        raise AnalysisError(f"{len(names)} names for {len(codings_list)} coding source(s): give one --name per "
                            "input, in order", field="--name")
    for i, src in enumerate(codings_list):
        sets.extend(read_codings(src, name=names[i] if i < len(names) else
                                 (f"coder{i + 1}" if isinstance(src, pd.DataFrame) else None), codebook=cb))
    if len(sets) < 2:
        raise AnalysisError(f"agreement needs at least two coders (found {len(sets)}: "
                            f"{', '.join(s.name for s in sets) or 'none'})")
    table = unit_table(sets, unit=unit, transcripts=transcripts, skip_speakers=skip_speakers, documents=documents)
    coders = table.coders
    n_units = len(table.units)
    used = list(dict.fromkeys(c for name in coders for _, c in table.codes[name]))
    warnings = list(table.warnings)
    if codes is None:
        if cb is not None:
            order = {c: i for i, c in enumerate(cb.code_ids)}
            unknown = [c for c in used if c not in order]
            if unknown:
                warnings.append(f"code(s) not in codebook '{cb.id}': {', '.join(unknown[:8])}")
            codes = sorted(used, key=lambda c: (order.get(c, len(order)), c))
        else:
            codes = sorted(used)
    codes = list(codes)
    if not codes:
        raise AnalysisError("no codes to compare: none of the coders applied a code on the aligned units")
    k_of = {c: i for i, c in enumerate(codes)}
    m, K = len(coders), len(codes)
    cube = np.full((m, K, n_units), np.nan)
    for ci, name in enumerate(coders):
        cube[ci, :, table.judged[name]] = 0.0
        for p, code in table.codes[name]:
            k = k_of.get(code)
            if k is not None and table.judged[name][p]:
                cube[ci, k, p] = 1.0
    pairable = (~np.isnan(cube[:, 0, :])).sum(axis=0) >= 2
    if not pairable.any():
        raise AnalysisError("no unit was judged by two coders: check that the codings cover the same documents")
    sub = cube[:, :, pairable]
    rows = []
    for k, code in enumerate(codes):
        mk = sub[:, k, :]
        values = mk[~np.isnan(mk)]
        positives = int((np.nansum(mk, axis=0) > 0).sum())
        prev = float(values.mean()) if values.size else float("nan")
        row = {"code": code, "alpha": krippendorff_alpha(mk),
               "kappa": cohen_kappa(mk[0], mk[1]) if m == 2 else float("nan"),
               "agreement": _binary_agreement(mk), "prevalence": prev, "units": int(mk.shape[1]),
               "positives": positives}
        for ci, name in enumerate(coders):
            row[f"n_{name}"] = int(np.nansum(mk[ci]))
        row["flag"] = flag(row["alpha"])
        rare = prev < rare_prevalence or positives < min_positives
        row["caveat"] = (f"rare code ({positives} unit(s) coded, prevalence {prev:.1%}): alpha/kappa unstable"
                         if rare else "")
        rows.append(row)
    per_code = pd.DataFrame(rows)
    pooled = sub.reshape(m, -1)
    alphas = per_code["alpha"].dropna()
    overall = {
        "alpha": _binary_alpha(pooled),
        "kappa": cohen_kappa(pooled[0], pooled[1]) if m == 2 else float("nan"),
        "agreement": _binary_agreement(pooled),
        "prevalence": float(np.nanmean(pooled)),
        "alpha_mean": float(alphas.mean()) if len(alphas) else float("nan"),
        "alpha_min": float(alphas.min()) if len(alphas) else float("nan"),
        "alpha_max": float(alphas.max()) if len(alphas) else float("nan"),
        "codes": K, "unit": unit,
        "reliable": per_code.loc[per_code["flag"] == "reliable", "code"].tolist(),
        "tentative": per_code.loc[per_code["flag"] == "tentative", "code"].tolist(),
        "unreliable": per_code.loc[per_code["flag"] == "unreliable", "code"].tolist(),
        "undefined": per_code.loc[per_code["flag"] == "undefined", "code"].tolist(),
        "rare": per_code.loc[per_code["caveat"] != "", "code"].tolist(),
        "thresholds": {"reliable": RELIABLE, "tentative": TENTATIVE, "rare_prevalence": rare_prevalence,
                       "min_positives": min_positives},
    }
    pair_rows = []
    for i in range(m):
        for j in range(i + 1, m):
            both = ~(np.isnan(pooled[i]) | np.isnan(pooled[j]))
            pair_rows.append({"coder_a": coders[i], "coder_b": coders[j],
                              "units": int((~np.isnan(sub[i, 0]) & ~np.isnan(sub[j, 0])).sum()),
                              "kappa": cohen_kappa(pooled[i], pooled[j]),
                              "agreement": float(np.mean(pooled[i][both] == pooled[j][both])) if both.any()
                              else float("nan")})
    pairs = pd.DataFrame(pair_rows, columns=["coder_a", "coder_b", "units", "kappa", "agreement"])
    disagreements = _disagreements(table, cube, pairable, codes, coders)
    return AgreementResult(per_code, overall, coders, int(pairable.sum()), unit, pairs, disagreements, table,
                           warnings)


def _disagreements(table, cube, pairable, codes, coders):
    import pandas as pd

    units = table.units
    doc, idx = units["document"].to_numpy(), units["unit_index"].to_numpy()
    spk, text = units["speaker"].to_numpy(), units["text"].to_numpy()
    frames = []
    for k, code in enumerate(codes):
        mk = cube[:, k, :]
        lo = np.min(np.where(np.isnan(mk), 1, mk), axis=0)
        hi = np.max(np.where(np.isnan(mk), 0, mk), axis=0)
        p = np.nonzero(pairable & (lo != hi))[0]
        if not p.size:
            continue
        f = pd.DataFrame({"document": doc[p], "unit_index": idx[p].astype("int64"), "speaker": spk[p],
                          "text": text[p], "code": code})
        for ci, name in enumerate(coders):
            v = mk[ci, p]
            f[name] = ["" if x != x else int(x) for x in v.tolist()]
        frames.append(f)
    cols = ["document", "unit_index", "speaker", "text", "code", *coders]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out.columns = cols
    return out.sort_values(["document", "unit_index", "code"], kind="stable").reset_index(drop=True)


# -- presentation -----------------------------------------------------------------------------------------------
def _f(v, pct=False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "   -  "
    return f"{v:6.1%}" if pct else f"{v:6.3f}"


def format_report(res: AgreementResult) -> str:
    """A console table: one line per code plus the overall line, flags and caveats."""
    lines = [f"Agreement of {len(res.coders)} coders ({', '.join(res.coders)}) on {res.units} {res.unit}(s)", ""]
    width = max([len("code")] + [len(c) for c in res.codes["code"]])
    lines.append(f"{'code':<{width}}   alpha   kappa   agree   prev  pos  flag")
    for r in res.codes.to_dict(orient="records"):
        mark = {"reliable": "", "tentative": "tentative (<.800)", "unreliable": "UNRELIABLE (<.667)",
                "undefined": "undefined"}[r["flag"]]
        rare = " rare*" if r["caveat"] else ""
        lines.append(f"{r['code']:<{width}}  {_f(r['alpha'])}  {_f(r['kappa'])}  {_f(r['agreement'], True)} "
                     f"{_f(r['prevalence'], True)} {r['positives']:4d}  {mark}{rare}")
    o = res.overall
    lines.append(f"{'overall (pooled)':<{width}}  {_f(o['alpha'])}  {_f(o['kappa'])}  {_f(o['agreement'], True)} "
                 f"{_f(o['prevalence'], True)}")
    lines.append("")
    lines.append(f"alpha per code: mean {_f(o['alpha_mean']).strip()}, range {_f(o['alpha_min']).strip()} to "
                 f"{_f(o['alpha_max']).strip()}; {len(o['reliable'])} reliable (>= .800), {len(o['tentative'])} "
                 f"tentative (.667-.800), {len(o['unreliable'])} unreliable (< .667), {len(o['undefined'])} undefined")
    if o["rare"]:
        lines.append(f"* rare codes (prevalence < {o['thresholds']['rare_prevalence']:.0%} or fewer than "
                     f"{o['thresholds']['min_positives']} units coded): alpha/kappa are unstable; read them with "
                     "the raw agreement and the disagreements list")
    if len(res.coders) > 2:
        lines.append("kappa is Cohen's (two coders); with more coders see the coder pairs:")
        for r in res.pairs.to_dict(orient="records"):
            lines.append(f"  {r['coder_a']} vs {r['coder_b']}: kappa {_f(r['kappa']).strip()}, agreement "
                         f"{_f(r['agreement'], True).strip()} on {r['units']} units")
    for w in res.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def agreement_tables(res: AgreementResult) -> list:
    """The agreement result as tables of the one table writer: Summary (per code, then pooled), Pairs,
    Disagreements (units to discuss) and Units (codes by coder)."""
    import pandas as pd

    from ..report.tables import Column, Table

    coders = list(res.coders)
    cols = [Column("code"), Column("alpha", "Krippendorff's α"), Column("kappa"),
            Column("agreement", "Agreement", "prop"), Column("prevalence", "Prevalence", "prop"), Column("units"), Column("positives", "Coded by anyone", "int")]
    cols += [Column(f"n_{c}", f"Coded by {c}", "int") for c in coders if f"n_{c}" in res.codes.columns]
    cols += [Column("flag", "Verdict"), Column("caveat", "Caveat", wrap=True, width=60)]
    o = res.overall
    th = o.get("thresholds", {})
    pooled = pd.DataFrame([{"statistic": "Krippendorff's α (pooled over codes)", "value": o["alpha"]},
                           {"statistic": "Cohen's κ (pooled)", "value": o["kappa"]},
                           {"statistic": "Raw agreement (share of units)", "value": o["agreement"]},
                           {"statistic": "Prevalence (share of units coded)", "value": o["prevalence"]},
                           {"statistic": "Mean α over codes", "value": o["alpha_mean"]},
                           {"statistic": "Lowest α", "value": o["alpha_min"]},
                           {"statistic": "Highest α", "value": o["alpha_max"]}])
    note = (f"{len(coders)} coders ({', '.join(coders)}) on {res.units} {res.unit}(s). Verdicts after Krippendorff "
            f"(2004): α ≥ {th.get('reliable', 0.8):g} reliable, ≥ {th.get('tentative', 0.667):g} tentative; "
            f"rare codes (prevalence below {th.get('rare_prevalence', 0.05):.0%} or fewer than "
            f"{th.get('min_positives', 5)} positive units) give unstable coefficients.")
    if res.warnings:
        note += " " + " ".join(f"Warning: {w}" for w in res.warnings)
    tables = [
        Table("Summary", res.codes, title="Agreement per code", columns=cols, note=note),
        Table("Summary", pooled, title="Overall (pooled)", columns=[Column("statistic", "Statistic"),
                                                                    Column("value", "Value", "prop")]),
        Table("Pairs", res.pairs, title="Coder pairs (pooled over codes)",
              columns=[Column("coder_a", "Coder A"), Column("coder_b", "Coder B"), Column("units"), Column("kappa"),
                       Column("agreement", "Agreement", "prop")]),
        Table("Disagreements", res.disagreements, title="Units the coders disagree on (to discuss)",
              columns=[Column("document"), Column("unit_index"), Column("speaker"),
                       Column("text", wrap=True, width=70), Column("code")]
              + [Column(c, c, "int") for c in coders if c in res.disagreements.columns], autofilter=True),
        Table("Units", _units_sheet(res), title=f"Codes per {res.unit} and coder",
              columns=[Column("document"), Column("unit_index"), Column("speaker"), Column("text", wrap=True, width=70)]
              + [Column(c, c, "text", wrap=True, width=30) for c in coders], autofilter=True),
    ]
    return tables


def write_agreement_xlsx(res: AgreementResult, path) -> None:
    """Workbook: Summary (per code + overall), Pairs, Disagreements (units to discuss), Units (codes by coder)."""
    from ..report.tables import write_workbook

    write_workbook(path, agreement_tables(res), title="Coder agreement")


def _units_sheet(res: AgreementResult):
    t = res.unit_table
    df = t.units[["document", "unit_index", "speaker", "text"]].copy()
    for name in t.coders:
        got: dict[int, list] = {}
        for p, code in t.codes[name]:
            got.setdefault(p, []).append(code)
        judged = t.judged[name]
        df[name] = [";".join(got.get(p, [])) if judged[p] else "(not coded)" for p in range(len(df))]
    return df
