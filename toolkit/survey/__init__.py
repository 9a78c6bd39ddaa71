"""Survey data: read answers from every channel, validate them, score constructs, simulate data.

Heavy modules are imported on first use, so ``import toolkit.survey`` stays cheap.
"""
from __future__ import annotations

from .._lazy import lazy_getattr

from .score import reverse_items, score, score_scales
from .simulate import simulate, true_model  # eager: the function must shadow the submodule of the same name
from .table import read_table

_LAZY = {
    "read_survey": "toolkit.survey.importer",
    "SurveyImport": "toolkit.survey.importer",
    "validate_survey": "toolkit.survey.validate",
    "ValidationReport": "toolkit.survey.validate",
    "write_survey": "toolkit.survey.output",
}

__all__ = ["read_table", "reverse_items", "score", "score_scales", "simulate", "true_model", *_LAZY]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
