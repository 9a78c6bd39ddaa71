"""``hls demo`` step for instruments: every shipped instrument in every form format, plus its data dictionary."""
from __future__ import annotations

from pathlib import Path

FILE_NAMES = {"xlsx": "questionnaire", "xlsform": "xlsform", "entry": "entry"}


def step(outdir: Path, echo) -> list[Path]:
    """Build the xlsx questionnaire, XLSForm and entry workbook of each shipped instrument (the German
    questionnaire too where the instrument has German) and its data dictionary as .xlsx and .csv."""
    from .forms import FORMATS, build_form, write_dictionary
    from .loader import list_instruments

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for inst in list_instruments():
        for fmt in FORMATS:
            written.append(build_form(inst, fmt, outdir / f"{inst.id}-{FILE_NAMES.get(fmt, fmt)}.xlsx"))
        for lang in inst.languages[1:]:
            written.append(build_form(inst, "xlsx", outdir / f"{inst.id}-questionnaire-{lang}.xlsx", lang=lang))
        for ext in (".xlsx", ".csv"):
            written.append(write_dictionary(inst, outdir / f"{inst.id}-dictionary{ext}"))
        echo(f"   {inst.id}: {len(inst.items)} items in {len(inst.constructs)} constructs; "
             f"forms {', '.join(FORMATS)}; languages {', '.join(inst.languages)}")
    return written
