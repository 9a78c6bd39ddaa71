"""Results a researcher can publish: the one table writer (:mod:`.tables`), figures, the joint display and
the study report.

``toolkit.report`` is this package *and* the function that writes the report, so both work::

    from toolkit.report.tables import Table, write_workbook
    toolkit.report(survey="answers.csv", instrument="collective-data-use", out="report")
"""
from __future__ import annotations

import sys
import types


class _CallableModule(types.ModuleType):
    """The package, callable as :func:`toolkit.report.build.report`."""

    def __call__(self, *args, **kwargs):
        from .build import report as _report

        return _report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
#: ``toolkit.report`` as listed in the public API is this (callable) package
report = sys.modules[__name__]
