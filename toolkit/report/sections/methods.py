"""Section 9, Methods: a paragraph a researcher can paste and edit (what was run, on how many respondents and
interviews, with which estimators and software versions) and the references."""
from __future__ import annotations

import platform
from html import escape

from .base import Section, fmt, n_, register

REFERENCES = {
    "revelle": "Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality research "
               "(R package version 2.2.9). Northwestern University. https://CRAN.R-project.org/package=psych",
    "rosseel": "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical "
               "Software, 48(2), 1–36. https://doi.org/10.18637/jss.v048.i02",
    "bliese_pkg": "Bliese, P. (2022). multilevel: Multilevel functions (R package version 2.7). "
                  "https://CRAN.R-project.org/package=multilevel",
    "cronbach": "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, 16(3), "
                "297–334. https://doi.org/10.1007/BF02310555",
    "feldt": "Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability coefficient "
             "twenty. Psychometrika, 30(3), 357–370. https://doi.org/10.1007/BF02289499",
    "mcdonald": "McDonald, R. P. (1999). Test theory: A unified treatment. Lawrence Erlbaum.",
    "csardi": "Csardi, G., & Nepusz, T. (2006). The igraph software package for complex network research. "
              "InterJournal, Complex Systems, 1695. https://igraph.org",
    "freeman": "Freeman, L. C. (1978). Centrality in social networks: Conceptual clarification. Social Networks, 1(3), "
               "215–239. https://doi.org/10.1016/0378-8733(78)90021-7",
    "zumbo": "Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients alpha and theta "
             "for Likert rating scales. Journal of Modern Applied Statistical Methods, 6(1), 21–29. "
             "https://doi.org/10.22237/jmasm/1177992180",
    "horn": "Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis. Psychometrika, "
            "30(2), 179–185. https://doi.org/10.1007/BF02289447",
    "kaiser": "Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, 39(1), 31–36. "
              "https://doi.org/10.1007/BF02291575",
    "hu": "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure analysis: "
          "Conventional criteria versus new alternatives. Structural Equation Modeling, 6(1), 1–55. "
          "https://doi.org/10.1080/10705519909540118",
    "fornell": "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with unobservable "
               "variables and measurement error. Journal of Marketing Research, 18(1), 39–50. "
               "https://doi.org/10.1177/002224378101800104",
    "chen": "Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance. Structural "
            "Equation Modeling, 14(3), 464–504. https://doi.org/10.1080/10705510701301834",
    "muthen_wlsmv": "Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least squares "
                    "and quadratic estimating equations in latent variable modeling with categorical and continuous "
                    "outcomes [Unpublished technical report].",
    "green_yang": "Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural equation "
                  "modeling: An alternative to coefficient alpha. Psychometrika, 74(1), 155–167.",
    "satorra": "Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of moment "
               "structures. In R. D. H. Heijmans, D. S. G. Pollock, & A. Satorra (Eds.), Innovations in multivariate "
               "statistical analysis: A Festschrift for Heinz Neudecker (pp. 233–247). Kluwer Academic.",
    "savalei": "Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical data. "
               "Multivariate Behavioral Research, 56(3), 390–407. https://doi.org/10.1080/00273171.2020.1717922",
    "bliese": "Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability: Implications for data "
              "aggregation and analysis. In K. J. Klein & S. W. J. Kozlowski (Eds.), Multilevel theory, research, and "
              "methods in organizations (pp. 349–381). Jossey-Bass.",
    "james": "James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater reliability with "
             "and without response bias. Journal of Applied Psychology, 69(1), 85–98. "
             "https://doi.org/10.1037/0021-9010.69.1.85",
    "lebreton": "LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater reliability and "
                "interrater agreement. Organizational Research Methods, 11(4), 815–852. "
                "https://doi.org/10.1177/1094428106296642",
    "vallat": "Vallat, R. (2018). Pingouin: Statistics in Python. Journal of Open Source Software, 3(31), 1026. "
              "https://doi.org/10.21105/joss.01026",
    "spacy": "Honnibal, M., Montani, I., Van Landeghem, S., & Boyd, A. (2020). spaCy: Industrial-strength natural "
             "language processing in Python. https://doi.org/10.5281/zenodo.1212303",
    "krippendorff": "Krippendorff, K. (2004). Content analysis: An introduction to its methodology (2nd ed.). Sage.",
    "guetterman": "Guetterman, T. C., Fetters, M. D., & Creswell, J. W. (2015). Integrating quantitative and qualitative "
                  "results in health science mixed methods research through joint displays. Annals of Family "
                  "Medicine, 13(6), 554–561. https://doi.org/10.1370/afm.1865",
    "fetters": "Fetters, M. D., Curry, L. A., & Creswell, J. W. (2013). Achieving integration in mixed methods designs: "
               "Principles and practices. Health Services Research, 48(6 Pt 2), 2134–2156. "
               "https://doi.org/10.1111/1475-6773.12117",
}


def versions(qualitative: bool) -> list[tuple[str, str]]:
    from importlib.metadata import PackageNotFoundError, version

    from ... import __version__

    out = [("hls-toolkit", __version__), ("Python", platform.python_version())]
    names = ["numpy", "scipy", "pandas", "pingouin", "matplotlib"] + (["spacy"] if qualitative else [])
    shown = {"numpy": "NumPy", "scipy": "SciPy", "pandas": "pandas", "pingouin": "pingouin",
             "matplotlib": "Matplotlib", "spacy": "spaCy"}
    for n in names:
        try:
            out.append((shown[n], version(n)))
        except PackageNotFoundError:  # pragma: no cover
            pass
    return out


@register
class Methods(Section):
    id, title, order = "methods", "Methods", 1000

    def missing(self, study):
        return None

    def build(self, study, part):
        ran = getattr(study, "ran", {})
        cites: list[str] = []

        def cite(*keys):
            for k in keys:
                if k not in cites:
                    cites.append(k)
            return ""

        paras = []
        if study.has_survey:
            inst = study.inst
            spec = inst.scales_spec()
            lo = min(s["min"] for s in spec.values())
            hi = max(s["max"] for s in spec.values())
            used = {i.scale for i in inst.items}
            missing_codes = sorted({f"{p.code:g} = {inst.text(p.label)}" for sid, sc in inst.scales.items()
                                    if sid in used for p in sc.missing})
            groups = ""
            if study.level_column is not None:
                groups = f" in {study.data[study.level_column].dropna().nunique()} groups ({study.level_column})"
            text = (f"{fmt(len(study.data), 'int')} respondents{groups} answered the {len(inst.item_ids)} items of "
                    f"“{inst.text(inst.title)}” (version {inst.version}; {len(study.constructs)} constructs, responses "
                    f"{lo:g}–{hi:g}"
                    + (f"; {', '.join(missing_codes)} treated as missing" if missing_codes else "") + "). Answers were "
                    "checked against the instrument (answers outside the scale set to missing). Construct scores are "
                    "the means of each construct's items after reverse-keyed items were recoded as (min + max) − x, "
                    "computed when at least two thirds of the items were answered.")
            if ran.get("descriptives"):
                text += (" The correlation table reports Pearson correlations on pairwise-complete cases with "
                         "Fisher-z 95% confidence intervals (pingouin)" + cite("vallat") + ".")
            if ran.get("reliability"):
                text += (" Reliability is Cronbach's α with Feldt 95% intervals, McDonald's ω total from a "
                         "one-factor minimum-residual solution, and ordinal α on polychoric correlations"
                         + cite("cronbach", "feldt", "mcdonald", "zumbo") + ".")
            paras.append(text)
            text = ""
            if ran.get("efa"):
                efa = study.efa
                par = efa.parallel
                text += (f"The number of factors was chosen by parallel analysis ({par.iterations} simulated data sets, "
                         f"{par.quantile:.0%} quantile, seed {par.seed})" + cite("horn", "kaiser") + f"; {efa.n_factors} "
                         "factors were extracted by minimum residuals from pairwise correlations and rotated by "
                         "oblimin, and each factor is named after the construct most of its items load on. ")
            if ran.get("cfa") and getattr(study, "ordered", False):
                from .cfa import estimation

                _, used = estimation(study.cfa)
                text += ("The measurement model (one factor per construct, factors correlated, first loading fixed at "
                         "1) treated the answers as ordered categories: it was estimated by WLSMV with the delta "
                         "parameterization, that is, diagonally weighted least squares (DWLS) estimates from the "
                         "items' thresholds and polychoric correlations, robust standard errors and a "
                         "mean-and-variance adjusted (scaled-shifted) χ² test" + cite("muthen_wlsmv") + ", computed "
                         f"as lavaan's cfa(..., ordered = TRUE) does" + cite("rosseel") + f" ({used}). Fit is judged "
                         "by the scaled-shifted χ² and by the robust and scaled CFI, TLI and RMSEA against the "
                         "conventional cut-offs as guidance" + cite("savalei", "hu") + ", beside composite "
                         "reliability, AVE and categorical ω" + cite("fornell", "green_yang"))
                if study.group:
                    text += (f"; configural and thresholds-and-loadings invariance across {study.group} were "
                             "compared by the scaled-shifted χ² difference test" + cite("satorra") + " and Chen's "
                             "criteria as guidance" + cite("chen"))
                text += ". "
            elif ran.get("cfa"):
                from .cfa import estimation

                how, used = estimation(study.cfa)
                text += (f"The measurement model (one factor per construct, factors correlated, first loading fixed "
                         f"at 1) was estimated by {how} ({used}); fit is judged "
                         "against the conventional cut-offs as guidance, with composite reliability and AVE"
                         + cite("hu", "fornell"))
                if study.group:
                    text += (f", and configural, metric and scalar invariance across {study.group} were compared by "
                             "Δχ² and Chen's criteria" + cite("chen"))
                text += ". "
            if ran.get("network"):
                text += ("Partnership networks from the roster questions were described by density, reciprocity and "
                         "Freeman centralization (as igraph)" + cite("csardi", "freeman") + ". ")
            if ran.get("aggregation"):
                text += ("Aggregation to groups was justified by ICC(1), ICC(2) and rwg(j) against a uniform null "
                         "distribution" + cite("bliese", "james", "lebreton") + ". ")
            if text:
                paras.append(text.strip())
        if study.has_qualitative:
            q = study.qual
            text = (f"{n_(len(q.cases), 'interview transcript')} were split into sentences; the "
                    f"{fmt(len(q.units), 'int')} sentences of interviewees (not of "
                    f"{', '.join(study.skip_speakers) or 'anyone'}) were {q.source}")
            if q.auto:
                text += (", a rule-based spaCy pipeline (blank English tokenizer and lookup lemmas) that suggests codes"
                         + cite("spacy") + "; the suggestions should be reviewed by a person, and a second coder's "
                         "agreement reported as Krippendorff's α (hls code agreement)" + cite("krippendorff"))
            text += "."
            if ran.get("joint"):
                text += (" The survey and interview results were integrated in a joint display, through the links "
                         "between constructs and codes declared in the instrument" + cite("guetterman", "fetters")
                         + "; the suggested meta-inferences follow the rule stated with the table and are for the "
                           "researcher to confirm.")
            paras.append(text)
        vs = versions(study.has_qualitative)
        soft = ", ".join(f"{n} {v}" for n, v in vs)
        paras.append(f"All analyses were run with {soft}. The toolkit's statistics are tested against R (psych 2.2.9, "
                     "lavaan 0.6.14, multilevel 2.7)" + cite("revelle", "rosseel", "bliese_pkg") + ".")
        body = "".join(f"<p>{escape(t)}</p>" for t in paras)
        part.text(f'<div class="methods">{body}</div>')
        refs = [REFERENCES[k] for k in cites]
        if study.has_survey:
            refs += [r.citation for r in study.inst.references]
        refs = sorted(dict.fromkeys(refs), key=str.lower)
        part.heading("References")
        part.text('<ol class="refs">' + "".join(f"<li>{escape(r)}</li>" for r in refs) + "</ol>")
        part.para("The paragraphs above describe what this report ran; edit them to fit your study. Each number in "
                  "the report is also in report.xlsx with more decimals.")
