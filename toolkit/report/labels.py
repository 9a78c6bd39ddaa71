"""The words and number styles a result column is shown with: one vocabulary for every table.

A result keeps machine names (``r_drop``, ``alpha_ci_feldt_lower``) in its tidy DataFrames and JSON; a
table shown to a person uses :func:`label` ("Item-rest r", "α 95% CI lower (Feldt)") and :func:`kind`
(how many decimals, whether a leading zero is dropped). Unknown names fall back to plain words
("n_complete" -> "N complete"), so no header is ever snake_case.

Number kinds (APA 7 conventions):

=========  ===========================================================  =========
kind       use                                                          shown as
=========  ===========================================================  =========
``int``    counts                                                       1234
``num``    means, SDs, chi-square, estimates (2 decimals)               3.14
``num3``   values that need 3 decimals (thresholds, SEs)                0.314
``prop``   values that cannot exceed 1 in size (r, α, loadings, CFI)    .84
``prop3``  the same with 3 decimals (RMSEA, SRMR, ω)                    .062
``p``      p-values (3 decimals, no leading zero, < .001)               .012
``pct``    shares shown as percentages                                  12.5%
``text``   anything else                                                as is
=========  ===========================================================  =========
"""
from __future__ import annotations

import re

#: exact column names -> header text
LABELS: dict[str, str] = {
    # counts and sample
    "n": "N", "n_complete": "Complete cases", "n_items": "Items", "n_groups": "Groups", "n_respondents": "Respondents",
    "n_obs": "N", "n_dropped": "Rows dropped", "missing": "Missing", "dropped": "Dropped", "groups": "Groups",
    "group": "Group", "item": "Item", "items": "Items", "scale": "Scale", "construct": "Construct",
    "factor": "Factor", "category": "Category", "proportion": "Share", "count": "Count", "mean": "M", "sd": "SD",
    "min": "Min", "max": "Max", "median": "Mdn", "skew": "Skew", "kurtosis": "Kurtosis", "range": "Range",
    "reversed": "Reverse-keyed", "label": "Label", "text": "Text", "note": "Note", "warning": "Warning",
    # reliability
    "alpha": "α", "std_alpha": "Standardized α", "alpha_ordinal": "Ordinal α", "g6": "Guttman's λ6",
    "average_r": "Mean inter-item r", "median_r": "Median inter-item r", "sn": "Signal/noise",
    "ase": "SE of α", "omega_total": "ω total", "omega": "ω", "omega_categorical": "Categorical ω",
    "alpha_ci_feldt_lower": "α 95% CI lower (Feldt)", "alpha_ci_feldt_upper": "α 95% CI upper (Feldt)",
    "alpha_ci_duhachek_lower": "α 95% CI lower (Duhachek)", "alpha_ci_duhachek_upper": "α 95% CI upper (Duhachek)",
    "raw_r": "Item-total r", "std_r": "Item-total r (standardized)", "r_cor": "Item-total r (corrected)",
    "r_drop": "Item-rest r", "alpha_if_deleted": "α if item deleted",
    "std_alpha_if_deleted": "Standardized α if item deleted", "g6_if_deleted": "λ6 if item deleted",
    "average_r_if_deleted": "Mean r if item deleted", "median_r_if_deleted": "Median r if item deleted",
    "miskeyed": "Possibly miskeyed", "flag": "Flag",
    # factor analysis
    "communality": "Communality", "uniqueness": "Uniqueness", "complexity": "Complexity", "h2": "h²", "u2": "u²",
    "eigenvalue": "Eigenvalue", "kmo": "KMO", "msa": "MSA", "loading": "Loading", "std_loading": "Standardized loading",
    "std_all": "Standardized estimate", "est": "Estimate", "estimate": "Estimate", "se": "SE", "z": "z",
    "pvalue": "p", "p": "p", "p_value": "p", "ci_lower": "95% CI lower", "ci_upper": "95% CI upper",
    "lhs": "Left", "op": "Operator", "rhs": "Right",
    "chisq": "χ²", "df": "df", "cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR", "aic": "AIC",
    "bic": "BIC", "logl": "Log-likelihood", "rmsea_ci_lower": "RMSEA 90% CI lower", "rmsea_ci_upper": "RMSEA 90% CI upper",
    "chisq_scaled": "χ² (scaled)", "df_scaled": "df (scaled)", "pvalue_scaled": "p (scaled)",
    "chisq_scaling_factor": "Scaling factor", "cfi_scaled": "CFI (scaled)", "tli_scaled": "TLI (scaled)",
    "rmsea_scaled": "RMSEA (scaled)", "cfi_robust": "CFI (robust)", "tli_robust": "TLI (robust)",
    "rmsea_robust": "RMSEA (robust)", "delta_chisq": "Δχ²", "delta_df": "Δdf", "delta_pvalue": "p (Δχ²)",
    "delta_cfi": "ΔCFI", "delta_rmsea": "ΔRMSEA", "delta_srmr": "ΔSRMR", "step": "Step", "verdict": "Verdict",
    "cr": "Composite reliability", "ave": "AVE", "htmt": "HTMT", "mi": "MI", "epc": "EPC", "sepc_all": "Standardized EPC",
    "threshold": "Threshold",
    # aggregation
    "icc1": "ICC(1)", "icc2": "ICC(2)", "rwg": "rwg", "rwg_j": "rwg(j)", "awg": "awg",
    "agreement_median": "Median agreement", "agreement_mean": "Mean agreement", "share_above_70": "Share ≥ .70",
    "index": "Index", "null": "Null distribution",
    # coding
    "document": "Document", "case": "Case", "speaker": "Speaker", "unit": "Unit", "unit_index": "Unit no.",
    "start": "Start", "end": "End", "code": "Code", "rule": "Rule", "matched": "Matched words", "source": "Source",
    "score": "Score", "decision": "Decision", "recode_to": "Recode to", "comment": "Comment", "memo": "Memo",
    "precision": "Precision", "recall": "Recall", "f1": "F1", "support": "Support", "tp": "True positives",
    "fp": "False positives", "fn": "False negatives", "kappa": "Cohen's κ", "agreement": "Agreement",
    "prevalence": "Prevalence", "units": "Units", "coders": "Coders", "codes": "Codes",
    # survey validation
    "file": "File", "row": "Row", "column": "Column", "severity": "Severity", "message": "Message",
    "respondent": "Respondent", "value": "Value", "check": "Check", "cell": "Cell", "format": "Format",
    "status": "Status", "setting": "Setting", "n_missing": "Missing", "n_declared_missing": "Missing codes (Don't know)",
    "share_missing": "Share missing", "n_answered": "Answered", "out_of_range": "Outside the scale",
    # networks
    "relation": "Relation", "members": "Members", "respondents": "Respondents", "ties": "Ties", "density": "Density",
    "reciprocity": "Reciprocity", "degree_centralization": "Degree centralization",
    "indegree_centralization": "In-degree centralization", "outdegree_centralization": "Out-degree centralization",
    "mean_weight": "Mean weight", "expertise_heterogeneity": "Expertise heterogeneity (Blau)",
    "response_rate": "Response rate",
}

#: word-level replacements used when a name is not in LABELS
_WORDS = {"n": "N", "sd": "SD", "ci": "CI", "se": "SE", "id": "ID", "icc": "ICC", "cfi": "CFI", "tli": "TLI",
          "rmsea": "RMSEA", "srmr": "SRMR", "kmo": "KMO", "pct": "%", "alpha": "α", "omega": "ω", "r": "r",
          "df": "df", "rwg": "rwg", "awg": "awg", "std": "standardized", "avg": "mean", "num": "number"}

#: exact column names -> number kind (see the module docstring)
KINDS: dict[str, str] = {
    "n": "int", "n_complete": "int", "n_items": "int", "n_groups": "int", "n_respondents": "int", "n_obs": "int",
    "n_dropped": "int", "missing": "int", "dropped": "int", "df": "int", "delta_df": "int", "count": "int",
    "support": "int", "tp": "int", "fp": "int", "fn": "int", "units": "int", "start": "int", "end": "int",
    "unit_index": "int", "row": "int", "members": "int", "respondents": "int", "ties": "int",
    "n_missing": "int", "n_declared_missing": "int", "n_answered": "int", "out_of_range": "int",
    "share_missing": "pct",
    "pvalue": "p", "p": "p", "p_value": "p", "pvalue_scaled": "p", "delta_pvalue": "p",
    "alpha": "prop", "std_alpha": "prop", "alpha_ordinal": "prop", "g6": "prop", "average_r": "prop",
    "median_r": "prop", "omega_total": "prop", "omega": "prop", "omega_categorical": "prop",
    "alpha_ci_feldt_lower": "prop", "alpha_ci_feldt_upper": "prop", "alpha_ci_duhachek_lower": "prop",
    "alpha_ci_duhachek_upper": "prop", "raw_r": "prop", "std_r": "prop", "r_cor": "prop", "r_drop": "prop",
    "alpha_if_deleted": "prop", "std_alpha_if_deleted": "prop", "g6_if_deleted": "prop",
    "average_r_if_deleted": "prop", "median_r_if_deleted": "prop", "ase": "num3",
    "communality": "prop", "uniqueness": "prop", "h2": "prop", "u2": "prop", "loading": "prop",
    "std_loading": "prop", "std_all": "prop", "kmo": "prop", "msa": "prop", "se": "num3", "threshold": "num3",
    "cfi": "prop3", "tli": "prop3", "rmsea": "prop3", "srmr": "prop3", "rmsea_ci_lower": "prop3",
    "rmsea_ci_upper": "prop3", "cfi_scaled": "prop3", "tli_scaled": "prop3", "rmsea_scaled": "prop3",
    "cfi_robust": "prop3", "tli_robust": "prop3", "rmsea_robust": "prop3", "delta_cfi": "prop3",
    "delta_rmsea": "prop3", "delta_srmr": "prop3", "chisq_scaling_factor": "num3",
    "cr": "prop", "ave": "prop", "htmt": "prop", "icc1": "prop", "rwg": "prop", "rwg_j": "prop", "awg": "prop",
    "agreement_median": "prop", "agreement_mean": "prop", "share_above_70": "pct",
    "precision": "prop", "recall": "prop", "f1": "prop", "kappa": "prop", "agreement": "pct",
    "prevalence": "pct", "proportion": "pct", "density": "prop", "reciprocity": "prop",
    "degree_centralization": "prop", "indegree_centralization": "prop", "outdegree_centralization": "prop",
    "expertise_heterogeneity": "prop", "response_rate": "pct", "score": "prop",
}

_PROP_NAME = re.compile(r"^(alpha|omega|r|rho|cor|loading|rwg|awg|kappa|cfi|tli)(_|$)")


def label(name: str) -> str:
    """The header a person sees for column *name*.

    >>> label("r_drop"), label("n_complete"), label("visual_ci_upper")
    ('Item-rest r', 'Complete cases', 'Visual CI upper')
    """
    name = str(name)
    if name in LABELS:
        return LABELS[name]
    if not re.fullmatch(r"[a-z0-9_]+", name):  # already words, an item id (SM1) or a factor name: keep it
        return name
    words = [_WORDS.get(w, w) for w in name.split("_") if w]
    if not words:
        return name
    first = words[0]
    words[0] = first[:1].upper() + first[1:] if first == first.lower() and first not in ("r", "df") else first
    return " ".join(words)


def kind(name: str, values=None) -> str:
    """The number kind of column *name* (see the module docstring); *values* decide for unknown names."""
    name = str(name)
    if name in KINDS:
        return KINDS[name]
    if values is None:
        return "text"
    import numpy as np
    import pandas as pd

    s = pd.Series(values)
    if pd.api.types.is_bool_dtype(s):
        return "text"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        finite = s.dropna()
        finite = finite[np.isfinite(finite)]
        if len(finite) and (finite == finite.round()).all() and (name == "n" or name.startswith("n_")):
            return "int"
        if _PROP_NAME.match(name) and len(finite) and finite.abs().max() <= 1:
            return "prop"
        return "num"
    return "text"
