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
from .common import pick_language

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
               lang: str | None = None, members=None, member: str | None = None) -> Path:
    """Build a form of an instrument and write it atomically to *out*; returns the path.

    *fmt* is ``xlsx`` (fill-in questionnaire), ``xlsform`` (Kobo/ODK) or ``entry`` (data-entry sheet). *lang*
    picks the language of xlsx and entry forms (an error if the instrument lacks it); an XLSForm carries every
    language and *lang* only sets its default language.

    *members* (a members file or :class:`~toolkit.networks.members.Members`) adds the instrument's roster
    questions: the XLSForm gets per-partnership member lists, the entry workbook a roster sheet per partnership,
    and ``xlsx`` becomes one personalised questionnaire per member: *out* is then a folder (see
    :func:`build_roster_questionnaires`), or an ``.xlsx`` file for the one *member* (``ID`` or ``GROUP:ID``).

    >>> build_form("performance-attraction", "xlsx", "pa-de.xlsx", lang="de")   # doctest: +SKIP
    PosixPath('pa-de.xlsx')
    >>> build_form("collective-data-use", "xlsform", "cdu-kobo.xlsx", members="members.csv")  # doctest: +SKIP
    PosixPath('cdu-kobo.xlsx')
    """
    writer = _writer(fmt)
    out = Path(out)
    inst = load_instrument(instrument_or_name)
    if members is not None:
        from ...networks.members import read_members
        from .roster import check_roster_ready

        members = read_members(members)
        check_roster_ready(inst, members)
        if fmt == "xlsx" and out.suffix.lower() != ".xlsx":
            build_roster_questionnaires(inst, members, out, lang, [member] if member else None)
            return out
    if member is not None and (members is None or fmt != "xlsx"):
        raise ToolkitError("--member picks one member's personalised questionnaire: use it with --format xlsx "
                           "and --members", field="--member")
    if out.suffix.lower() != ".xlsx":
        raise ToolkitError(f"a {fmt} form is an Excel workbook: give an output name ending in .xlsx", file=out)
    pick_language(inst, lang)
    if members is None:
        return writer(inst, out, lang)
    if fmt == "xlsx":
        if member is None:
            raise ToolkitError("with --members, -o is a folder for one questionnaire per member (or name one "
                               "member with --member)", file=out, field="-o")
        group, ego = _find_member(members, member)
        return writer(inst, out, lang, respondent=(members, group, ego))
    return writer(inst, out, lang, members=members)


def _find_member(members, spec: str) -> tuple[str, str]:
    group, _, ego = spec.rpartition(":")
    where = [g for g in members.groups if members.has(g, ego)] if not group else \
        ([group] if members.has(group, ego) else [])
    if not where:
        raise ToolkitError(f"'{spec}' is not in the members file {members.path or ''}".rstrip(), field="--member")
    if len(where) > 1:
        raise ToolkitError(f"'{ego}' belongs to {', '.join(where)}: name the partnership as GROUP:ID",
                           field="--member")
    return where[0], ego


def questionnaire_name(group: str, member: str) -> str:
    """File name of a member's personalised questionnaire: ``<group>_<member>.xlsx``."""
    return f"{group}_{member}.xlsx"


def build_roster_questionnaires(instrument_or_name, members, outdir: str | Path, lang: str | None = None,
                                only: list[str] | None = None) -> list[Path]:
    """One personalised xlsx questionnaire per member (``<outdir>/<group>_<member>.xlsx``), each with the
    roster grid about the other members of that member's partnership; *only* limits it to some members
    (``ID`` or ``GROUP:ID``). Returns the files written.

    >>> build_roster_questionnaires("collective-data-use", "members.csv", "questionnaires")  # doctest: +SKIP
    """
    from ...networks.members import read_members
    from .questionnaire import write_questionnaire
    from .roster import check_roster_ready

    inst = load_instrument(instrument_or_name)
    members = read_members(members)
    check_roster_ready(inst, members)
    lang = pick_language(inst, lang)
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise ToolkitError("is a file; with --members the xlsx questionnaires go into a folder", file=outdir,
                           field="-o")
    targets = [_find_member(members, m) for m in only] if only else \
        [(g, m) for g in members.groups for m in members.of(g)]
    outdir.mkdir(parents=True, exist_ok=True)
    return [write_questionnaire(inst, outdir / questionnaire_name(g, m), lang, respondent=(members, g, m))
            for g, m in targets]


def write_dictionary(instrument_or_name: Instrument | str | Path, out: str | Path, lang: str | None = None) -> Path:
    """Write the data dictionary (variable, label, construct, scale, value labels, reverse, missing codes) to a
    ``.xlsx`` or ``.csv`` file; returns the path.

    >>> write_dictionary("hls-adoption", "hls-dictionary.xlsx")                   # doctest: +SKIP
    PosixPath('hls-dictionary.xlsx')
    """
    from .dictionary import write_dictionary_file

    return write_dictionary_file(load_instrument(instrument_or_name), Path(out), lang)


__all__ = ["FORMATS", "build_form", "build_roster_questionnaires", "write_dictionary"]
