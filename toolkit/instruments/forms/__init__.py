"""Forms built from an instrument: fill-in questionnaire (xlsx), XLSForm (Kobo/ODK), data-entry sheet, and the
data dictionary.

>>> from toolkit import build_form, write_dictionary
>>> build_form("collective-data-use", "xlsform", "cdu-xlsform.xlsx")         # doctest: +SKIP
PosixPath('cdu-xlsform.xlsx')
>>> write_dictionary("collective-data-use", "cdu-dictionary.csv")            # doctest: +SKIP
PosixPath('cdu-dictionary.csv')
"""
from __future__ import annotations

import importlib
from pathlib import Path

from ...errors import ToolkitError
from ..loader import load_instrument
from ..model import Instrument

# format name -> ("module:function", what it is); each writer is ``f(instrument, out, lang=None) -> Path``
FORMATS = {
    "xlsx": ("toolkit.instruments.forms.questionnaire:write_questionnaire",
             "questionnaire respondents fill in Excel/LibreOffice (drop-down answer cells)"),
    "xlsform": ("toolkit.instruments.forms.xlsform:write_xlsform",
                "XLSForm for KoboToolbox / ODK / Enketo (all languages)"),
    "entry": ("toolkit.instruments.forms.entry:write_entry",
              "data-entry workbook for keying in paper questionnaires"),
}


def _writer(fmt: str):
    if fmt not in FORMATS:
        raise ToolkitError(f"unknown form format '{fmt}' (use one of {', '.join(FORMATS)})", field="format")
    module, attr = FORMATS[fmt][0].split(":")
    return getattr(importlib.import_module(module), attr)


def build_form(instrument_or_name: Instrument | str | Path, fmt: str, out: str | Path,
               lang: str | None = None) -> Path:
    """Build a form of an instrument and write it atomically to *out*; returns the path.

    *fmt* is ``xlsx`` (fill-in questionnaire), ``xlsform`` (Kobo/ODK) or ``entry`` (data-entry sheet). *lang*
    picks the language of xlsx and entry forms (an error if the instrument lacks it); an XLSForm carries every
    language and *lang* only sets its default language.

    >>> build_form("performance-attraction", "xlsx", "pa-de.xlsx", lang="de")   # doctest: +SKIP
    PosixPath('pa-de.xlsx')
    """
    writer = _writer(fmt)
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise ToolkitError(f"a {fmt} form is an Excel workbook: give an output name ending in .xlsx", file=out)
    inst = load_instrument(instrument_or_name)
    return writer(inst, out, lang)


def write_dictionary(instrument_or_name: Instrument | str | Path, out: str | Path, lang: str | None = None) -> Path:
    """Write the data dictionary (variable, label, construct, scale, value labels, reverse, missing codes) to a
    ``.xlsx`` or ``.csv`` file; returns the path.

    >>> write_dictionary("hls-adoption", "hls-dictionary.xlsx")                   # doctest: +SKIP
    PosixPath('hls-dictionary.xlsx')
    """
    from .dictionary import write_dictionary_file

    return write_dictionary_file(load_instrument(instrument_or_name), Path(out), lang)


__all__ = ["FORMATS", "build_form", "write_dictionary"]
