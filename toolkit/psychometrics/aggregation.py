"""Group-level constructs: within-group agreement (rwg, rwg(j), awg), ICC(1), ICC(2) and the group dataset.

Collective performance data use is a property of a partnership or team, measured through its members. Before
analysing group means a researcher must show that members agree (rwg, rwg(j), awg) and that groups differ
reliably (ICC(1), ICC(2)). Every statistic here reproduces R's ``multilevel`` package (Bliese):

* ``rwg``   = 1 - s²/σ²_E with s² truncated at σ²_E (so 0 <= rwg <= 1); NA for groups of one
  (James, Demaree & Wolf 1984; ``multilevel::rwg``).
* ``rwg(j)`` = J(1 - s̄²/σ²_E) / (J(1 - s̄²/σ²_E) + s̄²/σ²_E), s̄² the mean of the J within-group item variances,
  truncated at σ²_E (``multilevel::rwg.j``).
* ``awg``   = 1 - 2s² / ([(H + L)M - M² - HL] · k/(k - 1)) per item, averaged over items; NA when the group mean
  is too close to a scale end for the maximum variance to be defined (Brown & Hauenstein 2005;
  ``multilevel::awg``).
* ``ICC(1)`` = (MSB - MSW) / (MSB + (k̄ - 1)MSW) and ``ICC(2)`` = (MSB - MSW) / MSB from a one-way ANOVA, with
  k̄ = N/J the mean group size (Bliese 2000; ``multilevel::ICC1``/``ICC2`` on ``aov``).

The expected error variance σ²_E is (A² - 1)/12 for a uniform null over A options, or one of the skewed nulls of
LeBreton & Senter (2008) (see :data:`NULL_VARIANCES`). Everything is vectorised over groups (one sort, then
``np.add.reduceat``), so half a million respondents in 20,000 groups take about a second. The statistics live
in :mod:`.withingroup`; this module adds the verdicts, the group-level dataset and the workbook.

Example::

    >>> import pandas as pd, toolkit
    >>> lq = pd.read_csv("tests/data/lq2002.csv")                             # doctest: +SKIP
    >>> items = [f"LEAD{i:02d}" for i in range(1, 12)]
    >>> toolkit.rwg_j(lq, items, "COMPID", options=5)["rwg_j"].mean()         # doctest: +SKIP
    0.8677849...
    >>> toolkit.icc1(lq, "LEAD", "COMPID"), toolkit.icc2(lq, "LEAD", "COMPID")  # doctest: +SKIP
    (0.0879562..., 0.8007543...)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError
from ..report.tables import p_clause
from .withingroup import (  # noqa: F401  (rwg ... icc2 and NULL_VARIANCES are re-exported: the API's home)
    NULL_VARIANCES, NULLS, _anova, _awg_values, _group_keys, _Groups, _moments, _nanmean_rows, _need_columns,
    _numeric, _rwg_j_aligned, _rwg_values, _source, _variance, anova_icc, awg, icc1, icc2, null_variance, rwg,
    rwg_j)

CUTOFF = 0.70
CAVEAT = ("The .70 cut-off for rwg/rwg(j) is a convention, not a test: LeBreton & Senter (2008) warn against "
          "using it as a hard rule and report a graded scale (.00-.30 lack of agreement, .31-.50 weak, "
          ".51-.70 moderate, .71-.90 strong, .91-1.00 very strong); rwg(j) also rises with the number of items.")
REFERENCES = {
    "james1984": "James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater reliability "
                 "with and without response bias. Journal of Applied Psychology, 69(1), 85-98.",
    "lebreton2008": "LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater reliability "
                    "and interrater agreement. Organizational Research Methods, 11(4), 815-852.",
    "bliese2000": "Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J. Klein "
                  "& S. W. J. Kozlowski (Eds.), Multilevel theory, research, and methods in organizations "
                  "(pp. 349-381). Jossey-Bass.",
    "brown2005": "Brown, R. D., & Hauenstein, N. M. A. (2005). Interrater agreement reconsidered: An alternative "
                 "to the rwg indices. Organizational Research Methods, 8(2), 165-184.",
}




# ------------------------------------------------------------------------------------------------------- verdict
def _fmt(x: float, digits: int = 2) -> str:
    """APA style: no leading zero (.09, -.03, 1.00)."""
    if x is None or not np.isfinite(x):
        return "NA"
    s = f"{x:.{digits}f}"
    return s.replace("0.", ".", 1) if s.startswith(("0.", "-0.")) else s


def agreement_label(value: float) -> str:
    """LeBreton & Senter's (2008) graded reading of an rwg/rwg(j) value."""
    if not np.isfinite(value):
        return "undefined"
    for upper, label in ((0.30, "lack of agreement"), (0.50, "weak agreement"), (0.70, "moderate agreement"),
                         (0.90, "strong agreement")):
        if value <= upper + 1e-12:
            return label
    return "very strong agreement"


def negative_icc2_note(i2: float) -> str:
    """Plain-language reading of a negative ICC(2) = (MSB - MSW) / MSB."""
    return (f"ICC(2) is negative ({_fmt(i2)}) because the group means differ less than chance alone would make "
            "them differ (the between-group mean square is below the within-group one); it cannot be a "
            "reliability, so read it as 0: the groups show no reliable differences")


def verdict(icc: dict, median_agreement: float, index: str = "rwg(j)") -> str:
    """A plain-language aggregation verdict following Bliese (2000) and LeBreton & Senter (2008).

    Aggregation is supported when groups differ (ICC(1) > 0 with a significant ANOVA F), group means are
    reliable (ICC(2) >= .70) and members agree (median rwg(j) >= .70).
    """
    i1, i2, p = icc["icc1"], icc["icc2"], icc["p"]
    agree = f"median {index} {_fmt(median_agreement)} ({agreement_label(median_agreement)})"
    head = f"ICC(1) {_fmt(i1)} (F({icc['df1']}, {icc['df2']}) = {_fmt(icc['F'])}, {p_clause(p)}) and ICC(2) {_fmt(i2)}"
    if not np.isfinite(i1):
        return (f"ICC(1) cannot be computed ({icc['groups']} group(s), {icc['N']} respondent(s)): "
                "aggregation cannot be judged")
    if not (i1 > 0 and np.isfinite(p) and p < 0.05):
        return (f"{head}: groups do not differ beyond chance, so group means add nothing beyond individual "
                f"scores; aggregation is not supported ({agree})" + (f"; {negative_icc2_note(i2)}" if i2 < 0 else ""))
    problems = []
    if not (np.isfinite(i2) and i2 >= CUTOFF):
        problems.append(f"ICC(2) {_fmt(i2)} < .70: group means are unreliable, so relations with them will be "
                        "attenuated (larger groups would help)")
    if not (np.isfinite(median_agreement) and median_agreement >= CUTOFF - 1e-12):
        problems.append(f"{agree} < .70: members of a group do not agree enough for the mean to stand for "
                        "the group")
    if not problems:
        return f"{head} with {agree}: aggregation is supported"
    return f"{head}: " + "; ".join(problems) + "; aggregation is questionable"


# --------------------------------------------------------------------------------------------- the whole analysis
@dataclass
class AggregationResult:
    """What :func:`aggregate` found.

    ``groups``: the group-level dataset, one row per group (group id, size, per construct its mean, sd, n and
    rwg(j) or rwg, optionally awg, and the ``small_group`` flag). ``constructs``: one row per construct
    (ICC(1), ICC(2), ANOVA, agreement summary, verdict). ``detail``: one row per construct and group.
    """

    groups: pd.DataFrame
    constructs: pd.DataFrame
    detail: pd.DataFrame
    group_column: str
    settings: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    screening: object = None   # what screening set to missing (missing codes, out-of-range answers)

    def to_dict(self) -> dict:
        """The ``--json`` shape: ``{"constructs": [{"name", "icc1", "icc2", "rwg_j_median", ..., "groups"}]}``.

        Single-item constructs carry ``rwg``, ``rwg_median`` and ``rwg_share_ge_70`` instead of the rwg(j) keys.
        """
        constructs = []
        for row in self.constructs.to_dict("records"):
            idx = row["index"]
            d = {"name": row["construct"], "icc1": row["icc1"], "icc2": row["icc2"],
                 f"{idx}_median": row["agreement_median"], f"{idx}_share_ge_70": row["agreement_share_ge_70"],
                 f"{idx}_mean": row["agreement_mean"], "index": idx, "items": row["item_list"],
                 "options": row["options"], "null": row["null"], "null_variance": row["null_variance"],
                 "n": row["n"], "n_groups": row["n_groups"], "mean_group_size": row["k"], "F": row["F"],
                 "df1": row["df1"], "df2": row["df2"], "p": row["p"], "verdict": row["verdict"]}
            if "awg_mean" in row:
                d["awg_mean"] = row["awg_mean"]
            sub = self.detail[self.detail["construct"] == row["construct"]]
            cols = ["group", "n", "mean", "sd", "agreement"] + (["awg"] if "awg" in sub else [])
            d["groups"] = sub[cols].rename(columns={"agreement": idx}).to_dict("records")
            constructs.append(d)
        out = {"group_column": self.group_column, **self.settings, "constructs": constructs,
               "warnings": list(self.warnings), "caveat": CAVEAT}
        if self.screening is not None:
            out["screening"] = self.screening.to_dict()
        return out

    def __repr__(self) -> str:
        cols = ["construct", "index", "icc1", "icc2", "agreement_median", "agreement_share_ge_70"]
        return (f"AggregationResult({len(self.groups)} groups by '{self.group_column}')\n"
                + self.constructs[cols].to_string(index=False))

    # ---- writers (a registry by file suffix)
    def write(self, path) -> None:
        """The full result: XLSX with sheets constructs/groups/agreement/notes, or CSV of the constructs table."""
        _writer(path, {".xlsx": lambda p: _write_xlsx(p, self._sheets()),
                       ".csv": lambda p: _write_csv(p, self._constructs_public())})

    def write_groups(self, path) -> None:
        """The group-level dataset as CSV or XLSX (one row per group)."""
        _writer(path, {".xlsx": lambda p: _write_xlsx(p, {"groups": self.groups}),
                       ".csv": lambda p: _write_csv(p, self.groups)})

    def _constructs_public(self) -> pd.DataFrame:
        return self.constructs.drop(columns=["item_list"])

    def _sheets(self) -> dict:
        notes = [("setting", k, v) for k, v in self.settings.items()]
        notes += [("warning", "", w) for w in self.warnings] + [("caveat", "", CAVEAT)]
        notes += [("reference", k, v) for k, v in REFERENCES.items()]
        return {"constructs": self._constructs_public(), "groups": self.groups, "agreement": self.detail,
                "notes": pd.DataFrame(notes, columns=["kind", "name", "text"])}


def _writer(path, registry):
    from pathlib import Path

    suffix = Path(path).suffix.lower()
    if suffix not in registry:
        raise DataError(f"cannot write '{suffix or path}' files (use {' or '.join(registry)})", file=str(path))
    registry[suffix](path)


def _write_csv(path, df):
    from ..io import write_csv

    write_csv(df, path)


def _write_xlsx(path, sheets: dict):
    """One sheet per table through the toolkit's one table writer; headers keep the column names, because the
    group-level sheet is a dataset meant to be read back."""
    from ..report.tables import Column, Table, write_workbook

    write_workbook(path, [Table(name, df, columns=[Column(str(c), str(c)) for c in df.columns])
                          for name, df in sheets.items()])


def _scales_and_settings(data, scales, instrument, options):
    """Scales plus, per scale, the number of options, the value range and the codes meaning 'missing'."""
    from .scales import ScaleSpec, parse_scale, scales_from_instrument

    if (scales is None) == (instrument is None):
        raise AnalysisError("give either scales=... (--scale) or instrument=... (--instrument), exactly one")
    info = {}
    if instrument is not None:
        if isinstance(instrument, str) or hasattr(instrument, "__fspath__"):
            from ..instruments import load_instrument

            instrument = load_instrument(instrument)
        specs = scales_from_instrument(instrument)
        for c in instrument.constructs:
            rs = {instrument.scales[i.scale].id: instrument.scales[i.scale] for i in c.items}
            points = {s.n_options for s in rs.values()}
            a = options
            if a is None:
                if len(points) != 1:
                    raise AnalysisError(f"construct '{c.id}' mixes response scales with {sorted(points)} "
                                        "options: give the number of options (--options)", field="--options")
                a = points.pop()
            missing = sorted({v for s in rs.values() for v in s.missing_values})
            info[c.id] = {"options": a, "missing": missing}
    else:
        specs = []
        for s in ([scales] if isinstance(scales, (str, ScaleSpec)) else
                  [f"{k}={','.join(v)}" for k, v in scales.items()] if isinstance(scales, dict) else scales):
            specs.append(s if isinstance(s, ScaleSpec) else parse_scale(s))
        for s in specs:
            if options is None:
                raise AnalysisError(f"scale '{s.name}': give the number of response options A (e.g. --options 5) "
                                    "so that the null distribution is known", field="--options")
            info[s.name] = {"options": options, "missing": []}
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise AnalysisError("two scales have the same name", field="--scale")
    return specs, info, instrument


def aggregate(data, group: str | None = None, scales=None, instrument=None, options: int | None = None,
              null: str = "uniform", min_size: int = 3, awg: bool = False, min_share: float = 2 / 3,
              listwise: bool = False, scale_range: tuple[float, float] | None = None,
              missing_codes=(), network=None) -> AggregationResult:
    """Everything needed to justify and build a group-level (partnership, team) dataset from member answers.

    Per construct: construct scores (mean of reverse-keyed items, :func:`toolkit.survey.score.score_scales`),
    ICC(1)/ICC(2) of those scores (:func:`anova_icc`), within-group agreement per group (:func:`rwg_j` for
    multi-item scales, :func:`rwg` for single items, optionally :func:`awg`), their median and share >= .70, and
    a verdict (:func:`verdict`). *options* (A) defaults to the instrument's response scale; answers coded as
    'missing' in the instrument (e.g. 9 = Don't know) or given as *missing_codes*, and answers outside the
    instrument's response range, are set to missing and reported (:mod:`toolkit.psychometrics.screening`). Rows
    without a group id are dropped (and counted in ``warnings``); groups smaller than *min_size* are kept but
    flagged. awg uses the instrument's response range, or *scale_range*, or 1..A. A negative ICC(2) is
    explained in the verdict and the warnings. *network* (a :func:`toolkit.network` result, or an edge-list
    file) adds the partnerships' roster-network measures to ``groups`` as ``<relation>_<measure>`` columns.

    >>> import pandas as pd, toolkit
    >>> lq = pd.read_csv("tests/data/lq2002.csv")                                  # doctest: +SKIP
    >>> res = toolkit.aggregate(lq, group="COMPID", options=5,
    ...                         scales={"lead": [f"LEAD{i:02d}" for i in range(1, 12)]})  # doctest: +SKIP
    >>> res.constructs[["construct", "icc1", "icc2", "agreement_median"]]          # doctest: +SKIP
    """
    from ..survey.score import score_scales

    if null not in NULLS:
        raise AnalysisError(f"unknown null distribution '{null}' (choose {', '.join(NULLS)})", field="--null")
    if min_size is None or int(min_size) < 1:
        raise AnalysisError(f"the minimum group size must be at least 1, got {min_size}", field="--min-size")
    if not 0 < min_share <= 1:
        raise AnalysisError(f"the minimum share of answered items must be in (0, 1], got {min_share}",
                            field="--min-share")
    specs, info, inst = _scales_and_settings(data, scales, instrument, options)
    if group is None:
        group = inst.group_column if inst is not None else None
        if group is None:
            raise AnalysisError("give the group column (--group COLUMN)", field="--group")
    source = _source(data)
    if group not in data.columns:
        raise DataError(f"group column '{group}' is not in the data (columns: {', '.join(map(str, data.columns[:12]))}"
                        f"{', ...' if len(data.columns) > 12 else ''})", file=source, field="--group")
    items = list(dict.fromkeys(i for s in specs for i in s.items))
    _need_columns(data, items, "--instrument" if inst is not None else "--scale")

    notes: list[str] = []
    keys, ok = _group_keys(data, group)
    dropped = int((~ok).sum())
    if dropped:
        notes.append(f"{dropped} row(s) without a group id in '{group}' were dropped")
    if not ok.any():
        raise DataError(f"no row has a group id in '{group}'", file=source, field="--group")

    # sort respondents by group once, so every per-group sum below is a contiguous np.add.reduceat
    order = np.argsort(pd.factorize(keys, sort=True)[0], kind="stable")
    keys = keys.iloc[order].reset_index(drop=True)
    from .screening import Screening, item_rules

    rules = item_rules(items, instrument=inst, missing_codes=missing_codes)
    screening = Screening()
    numeric = {}
    for c in items:
        numeric[c] = screening.record(c, _numeric(data, c)[ok][order], rules.get(c))
    notes.extend(screening.warnings())
    g = _Groups(keys)
    size = g.size.astype(int)
    groups = pd.DataFrame({group: g.labels, "n": size})
    rows, detail = [], []
    for s in specs:
        a = int(info[s.name]["options"])
        ev = null_variance(a, null)
        # one small frame per scale: scoring copies only this scale's columns
        frame = pd.DataFrame({c: numeric[c] for c in s.items})
        x = frame.to_numpy(dtype=float)
        vals = x[~np.isnan(x)]
        if vals.size == 0:
            notes.append(f"{s.name}: every answer to its item(s) is missing; nothing to aggregate")
        elif vals.max() - vals.min() + 1 > a + 1e-9:
            notes.append(f"{s.name}: answers span {vals.min():g} to {vals.max():g}, more than the {a} response "
                         "options assumed for the null distribution (check --options)")
        spec = s
        if s.reversed and (s.min is None or s.max is None) and vals.size:
            # the observed range of the scale's items, as score_scales (and psych) would find it
            spec = replace(s, min=float(vals.min()) if s.min is None else s.min,
                           max=float(vals.max()) if s.max is None else s.max)
        y = score_scales(frame, [spec], min_share)[s.name].to_numpy(dtype=float)
        cnt, mean, ss = _moments(g, y)
        stats_ = _anova(cnt, mean, ss)
        n_c, mean_c, sd_c = cnt[:, 0], mean[:, 0], np.sqrt(_variance(cnt, ss)[:, 0])
        if len(s.items) == 1:
            index = "rwg"
            icnt, _, iss = _moments(g, x)
            agreement = _rwg_values(_variance(icnt, iss)[:, 0], icnt[:, 0], ev)
        else:
            index = "rwg_j"
            agreement = _rwg_j_aligned(g, x, ev, listwise)
        valid = agreement[np.isfinite(agreement)]
        d = pd.DataFrame({"construct": s.name, "group": g.labels, "n": n_c.astype(int), "mean": mean_c,
                          "sd": sd_c, "agreement": agreement})
        groups[s.name] = mean_c
        groups[f"{s.name}_sd"] = sd_c
        groups[f"{s.name}_n"] = n_c.astype(int)
        groups[f"{s.name}_{index}"] = agreement
        row = {"construct": s.name, "items": len(s.items), "item_list": list(s.items), "index": index,
               "options": a, "null": null, "null_variance": ev, "n": stats_["N"], "n_groups": stats_["groups"],
               "k": stats_["k"], "icc1": stats_["icc1"], "icc2": stats_["icc2"], "F": stats_["F"],
               "df1": stats_["df1"], "df2": stats_["df2"], "p": stats_["p"], "MSB": stats_["MSB"],
               "MSW": stats_["MSW"],
               "agreement_mean": float(valid.mean()) if valid.size else np.nan,
               "agreement_median": float(np.median(valid)) if valid.size else np.nan,
               "agreement_share_ge_70": float((valid >= CUTOFF - 1e-12).mean()) if valid.size else np.nan,
               "agreement_groups": int(valid.size)}
        if awg:
            if scale_range is not None:
                low, high = scale_range
            elif s.min is not None and s.max is not None:
                low, high = s.min, s.max
            else:
                low, high = 1.0, float(a)  # --scale: answers assumed coded 1..A
            complete = ~np.isnan(x).any(axis=1)
            acnt, amean, ass = _moments(g, np.where(complete[:, None], x, np.nan))
            awg_v = _nanmean_rows(_awg_values(acnt, amean, ass, float(low), float(high)))
            d["awg"] = awg_v
            groups[f"{s.name}_awg"] = awg_v
            fin = awg_v[np.isfinite(awg_v)]
            row["awg_mean"] = float(fin.mean()) if fin.size else np.nan
            row["awg_range"] = f"{low:g}-{high:g}"
        row["verdict"] = verdict(stats_, row["agreement_median"], "rwg(j)" if index == "rwg_j" else "rwg")
        if np.isfinite(stats_["icc2"]) and stats_["icc2"] < 0:
            notes.append(f"{s.name}: {negative_icc2_note(stats_['icc2'])}")
        if not np.isfinite(stats_["icc1"]):
            notes.append(f"{s.name}: ICC(1)/ICC(2) undefined ({stats_['groups']} group(s) with a score, "
                         f"{stats_['N']} respondent(s))")
        rows.append(row)
        detail.append(d)

    groups["small_group"] = size < int(min_size)
    singles = int((size == 1).sum())
    if singles:
        notes.append(f"{singles} group(s) have a single respondent: rwg/rwg(j) is undefined (NA) for them, "
                     "as in R's multilevel")
    small = int((size < int(min_size)).sum())
    if small and int(min_size) > 1:
        notes.append(f"{small} group(s) have fewer than {int(min_size)} respondents (flagged in small_group)")
    if network is not None:  # roster-network measures as extra group-level columns (toolkit.networks)
        from ..networks.analysis import join_network

        groups = join_network(groups, str(group), network, notes)
    settings = {"n_respondents": int(size.sum()), "n_groups": len(g), "dropped_rows_missing_group": dropped,
                "null": null, "min_size": int(min_size), "min_share": min_share,
                "missing_items": "listwise" if listwise else "pairwise"}
    return AggregationResult(screening=screening, groups=groups, constructs=pd.DataFrame(rows),
                             detail=pd.concat(detail, ignore_index=True), group_column=str(group),
                             settings=settings, warnings=notes)
