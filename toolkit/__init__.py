"""hls-toolkit: questionnaires, psychometrics and qualitative coding for research on how public services
learn from performance data.

The public API is re-exported here and imported lazily, so ``import toolkit`` is cheap::

    import toolkit
    inst = toolkit.load_instrument("collective-data-use")
"""
from __future__ import annotations

from ._lazy import lazy_getattr

__version__ = "0.1.0"

# name -> module that defines it; each capability adds its own entries
_API = {
    "ToolkitError": "toolkit.errors",
    "load_instrument": "toolkit.instruments.loader",
    "check_instrument": "toolkit.instruments.loader",
    "list_instruments": "toolkit.instruments.loader",
    "Instrument": "toolkit.instruments.model",
    "build_form": "toolkit.instruments.forms",
    "write_dictionary": "toolkit.instruments.forms",
    "read_survey": "toolkit.survey",
    "validate_survey": "toolkit.survey",
    "score": "toolkit.survey",
    "simulate": "toolkit.survey",
    "reliability": "toolkit.psychometrics.reliability",
    "polychoric": "toolkit.psychometrics.samplestats.polychoric",
    "ordinal_sample_stats": "toolkit.psychometrics.samplestats.ordinal",
    "omega_categorical": "toolkit.psychometrics.omega_categorical",
    "kmo": "toolkit.psychometrics.factor",
    "bartlett": "toolkit.psychometrics.factor",
    "efa": "toolkit.psychometrics.factor",
    "parallel_analysis": "toolkit.psychometrics.parallel",
    "cfa": "toolkit.psychometrics.cfa",
    "invariance": "toolkit.psychometrics.invariance",
    "score_tests": "toolkit.psychometrics.scoretest",
    "aggregate": "toolkit.psychometrics.aggregation",
    "rwg": "toolkit.psychometrics.withingroup",
    "rwg_j": "toolkit.psychometrics.withingroup",
    "icc1": "toolkit.psychometrics.withingroup",
    "icc2": "toolkit.psychometrics.withingroup",
    "awg": "toolkit.psychometrics.withingroup",
    "load_codebook": "toolkit.coding.codebook",
    "read_transcript": "toolkit.coding.transcripts",
    "code_documents": "toolkit.coding.run",
    "apply_review": "toolkit.coding.review",
    "agreement": "toolkit.coding.agreement",
    "read_codings": "toolkit.coding.codings_io",
    "write_qdc": "toolkit.coding.refi",
    "read_qdc": "toolkit.coding.refi",
    "import_qdc": "toolkit.coding.refi",
    "write_qdpx": "toolkit.coding.refi",
    "read_qdpx": "toolkit.coding.refi",
    "evaluate_coding": "toolkit.coding.evaluate",
    "train_coder": "toolkit.coding.learn",
    "load_trained": "toolkit.coding.learn",
    "redact_transcripts": "toolkit.coding.redact",
    "network": "toolkit.networks.analysis",
    "read_members": "toolkit.networks.members",
    "read_edges": "toolkit.networks.edges",
    "read_roster": "toolkit.networks.roster_read",
    "plot_networks": "toolkit.networks.plot",
    "evaluate_sources": "toolkit.coding.evaluation_report",
    "export_project": "toolkit.coding.refi.export",
    "read_table": "toolkit.survey.table",
    "write_survey": "toolkit.survey.output",
    "select_items": "toolkit.psychometrics.factor",
    "describe": "toolkit.psychometrics.descriptives",
    "correlations": "toolkit.psychometrics.descriptives",
    "write_csv": "toolkit.io",
    "write_json": "toolkit.io",
    "copy_sample_data": "toolkit.resources",
    "run_demo": "toolkit.demo",
    "provenance": "toolkit.provenance",
    "report": "toolkit.report",
    "Table": "toolkit.report.tables",
    "write_workbook": "toolkit.report.tables",
}

__all__ = sorted(_API) + ["__version__"]


__getattr__ = lazy_getattr(__name__, _API, globals())
