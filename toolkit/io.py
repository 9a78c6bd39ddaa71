"""Safe file output: atomic writes and spreadsheet cells that never become formulas.

Every writer in the toolkit goes through :func:`atomic_path` so that an interrupted run leaves no
half-written file behind, and through :func:`safe_text` / :func:`write_cell` so that text such as
``=HYPERLINK(...)`` or ``-reversed`` lands in Excel as text, not as a formula.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: characters XML 1.0 (so no xlsx/docx/qdpx cell or text) can hold; replaced by U+FFFD, which keeps offsets
ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_REPLACEMENT = "\ufffd"


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside *target*; move it onto *target* only if the block succeeds.

    >>> with atomic_path("out.csv") as tmp:          # doctest: +SKIP
    ...     df.to_csv(tmp, index=False)
    """
    target = Path(target)
    try:
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix or ".tmp",
                                   dir=str(target.parent or "."))
    except OSError as exc:  # a folder that is a file, no permission, read-only disk: the user's to fix
        raise _cannot_write(target, exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs should follow the umask
        try:
            os.replace(tmp_path, target)
        except OSError as exc:  # e.g. the target is an existing folder
            raise _cannot_write(target, exc) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def refuse_overwriting(inputs, outputs: dict) -> None:
    """Stop before anything is written when an output would replace an input (inputs are never modified) or
    two outputs name the same file. *outputs* maps option names (``"--output"``) to paths or ``None``.

    >>> refuse_overwriting(["answers.csv"], {"--output": "answers.csv"})
    Traceback (most recent call last):
    ...
    toolkit.errors.ToolkitError: answers.csv: --output: would overwrite the input file answers.csv (inputs are never modified; choose another name)
    """
    from .errors import ToolkitError

    given = {Path(p).resolve(): p for p in inputs}
    seen: dict = {}
    for option, out in outputs.items():
        if out is None:
            continue
        key = Path(out).resolve()
        if key in given:
            raise ToolkitError(f"would overwrite the input file {given[key]} (inputs are never modified; choose "
                               "another name)", file=out, field=option)
        if key in seen:
            raise ToolkitError(f"names the same file as {seen[key]}", file=out, field=option)
        seen[key] = option


def _cannot_write(target: Path, exc: OSError):
    from .errors import ToolkitError

    return ToolkitError(f"cannot write here ({exc.strerror or type(exc).__name__})", file=target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write *text* to *target* atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)


def is_formula_like(value: object) -> bool:
    """True when a spreadsheet program could read *value* as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _is_number(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_text(value: object) -> object:
    """Escape text for CSV cells that may be opened in a spreadsheet: prefix formula-like text with '.

    Numbers and non-strings pass through unchanged; :func:`unescape_text` undoes the prefix on read.
    """
    if is_formula_like(value):
        return "'" + value  # type: ignore[operator]
    return value


def unescape_text(value: object) -> object:
    """Undo :func:`safe_text` for values read back from our own CSV files."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


#: the most characters Excel keeps in one cell
EXCEL_CELL_MAX = 32767


def excel_text(text: str) -> tuple[str, int, bool]:
    """*text* as a spreadsheet cell can hold it: ``(text, characters replaced, cut)``.

    Characters XML cannot carry (NUL, ESC and other control characters, lone surrogates) become U+FFFD, so the
    text keeps its length and offsets into it stay valid; text over Excel's 32,767 characters a cell is cut,
    with a trailing ``…``. Every xlsx writer goes through here (:func:`write_cell`, the table writer).

    >>> excel_text("a\x00b\x1bc")
    ('a\ufffdb\ufffdc', 2, False)
    """
    n = 0
    if ILLEGAL_XML_CHARS.search(text):
        text, n = ILLEGAL_XML_CHARS.subn(XML_REPLACEMENT, text)
    cut = len(text) > EXCEL_CELL_MAX
    if cut:
        text = text[:EXCEL_CELL_MAX - 1] + "…"
    return text, n, cut


def write_cell(ws, row: int, column: int, value: object):
    """Write *value* into an openpyxl worksheet cell, never as a formula.

    Text is stored as a string cell with Excel's quote-prefix flag set when it looks like a formula, so the
    visible text is unchanged but Excel and LibreOffice treat it as text even after editing. Characters a
    workbook cannot hold are replaced (:func:`excel_text`); the first such cell of a workbook gives one warning.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        value, replaced, cut = excel_text(value)
        if replaced or cut:
            _cleaned(ws, cell)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def _cleaned(ws, cell) -> None:
    """One warning per workbook, at its first cell whose text had to change."""
    wb = ws.parent
    if getattr(wb, "_hls_cleaned", False):
        return
    wb._hls_cleaned = True
    from .console import warn

    warn(f"characters that a spreadsheet cell cannot hold (control characters) were replaced by "
         f"{XML_REPLACEMENT!r}, or text over 32,767 characters was cut, first at {ws.title}!{cell.coordinate}")


def safe_frame_for_csv(df):
    """Return a copy of a DataFrame with formula-like text cells escaped (see :func:`safe_text`)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(safe_text)
    return out


def write_csv(df, target: str | Path, **kwargs) -> None:
    """Write a DataFrame as UTF-8 CSV atomically, with formula-like text escaped."""
    with atomic_path(target) as tmp:
        safe_frame_for_csv(df).to_csv(tmp, index=kwargs.pop("index", False), **kwargs)


# --- reproducible files -------------------------------------------------------------------------------------
#: the timestamp written into files when SOURCE_DATE_EPOCH is not set (so reruns give the same bytes)
DEFAULT_EPOCH = 946684800  # 2000-01-01T00:00:00Z


def source_date():
    """The timestamp recorded in outputs: ``SOURCE_DATE_EPOCH`` (seconds, UTC) when set, else 2000-01-01.

    Outputs carry no wall-clock time, so the same inputs and seed give byte-identical files
    (https://reproducible-builds.org/specs/source-date-epoch/).
    """
    import datetime

    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        epoch = int(raw) if raw else DEFAULT_EPOCH
    except ValueError:
        epoch = DEFAULT_EPOCH
    epoch = min(max(epoch, 315532800), 4102444800)  # zip dates run from 1980; keep to 1980..2100
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).replace(tzinfo=None)


def normalize_zip(path: str | Path, rewrite: dict | None = None) -> None:
    """Rewrite the zip archive at *path* in place with every entry dated :func:`source_date`.

    *rewrite* maps member names to functions ``bytes -> bytes`` applied on the way (used to pin the
    timestamps inside ``docProps/core.xml``). Entry order and compression are kept.
    """
    import zipfile

    path = Path(path)
    stamp = source_date().timetuple()[:6]
    rewrite = rewrite or {}
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            if info.filename in rewrite:
                data = rewrite[info.filename](data)
            out = zipfile.ZipInfo(info.filename, date_time=stamp)
            out.compress_type = info.compress_type
            out.external_attr = 0o600 << 16
            dst.writestr(out, data)


def _pin_core_dates(xml: bytes) -> bytes:
    import re

    iso = source_date().strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + iso + rb"\g<2>", xml)


def save_workbook(wb, target: str | Path, provenance: dict | None = None) -> Path:
    """Save an openpyxl workbook atomically and reproducibly: no wall-clock time in the file.

    Document dates and zip entry dates come from :func:`source_date`; *provenance* (see
    :func:`toolkit.provenance.provenance`) is stored as custom document properties (File > Properties >
    Custom in Excel and LibreOffice) and the creator is the toolkit. Every workbook the toolkit writes goes
    through here.
    """
    from .provenance import apply_to_workbook

    apply_to_workbook(wb, provenance)
    stamp = source_date()
    wb.properties.created = stamp
    wb.properties.modified = stamp
    with atomic_path(target) as tmp:
        wb.save(tmp)
        normalize_zip(tmp, {"docProps/core.xml": _pin_core_dates})
    return Path(target)


def write_json(obj, target: str | Path) -> None:
    """Write *obj* as indented JSON atomically."""
    import json

    write_text(target, json.dumps(obj, indent=2, ensure_ascii=False, default=_json_default) + "\n")


def _json_default(o):
    import numpy as np

    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if np.isnan(o) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps_json(obj) -> str:
    """JSON text for ``--json`` output: NaN becomes null, numpy types become Python numbers."""
    import json
    import math

    def clean(x):
        if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
            return None
        if isinstance(x, dict):
            return {str(k): clean(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [clean(v) for v in x]
        try:
            import numpy as np

            if isinstance(x, np.generic):
                return clean(x.item())
            if isinstance(x, np.ndarray):
                return clean(x.tolist())
        except ImportError:  # pragma: no cover
            pass
        return x

    text = json.dumps(clean(obj), indent=2, ensure_ascii=False, default=_json_default)
    # json escapes C0 controls itself; C1 controls and bidi overrides (only ever inside strings) too, so JSON
    # printed on a terminal never carries a raw control character
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
