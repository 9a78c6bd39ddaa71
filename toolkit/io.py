"""Safe file output: atomic writes, nothing lost, and spreadsheet cells that never become formulas.

Every writer in the toolkit goes through :func:`atomic_path`, which

* writes to a hidden temporary file beside the target and moves it into place only when the block succeeds,
  so an interrupted or failed write leaves no half-written file behind;
* refuses to replace human work (a review workbook holding decisions, a filled questionnaire or data-entry
  workbook, a workbook or YAML file that the toolkit did not write) unless overwriting is allowed
  (``hls ... --force``, :func:`allow_overwrite`); replacing an earlier output of the toolkit is fine and is
  reported once, at the end of the run;
* inside :func:`output_run`, remembers what each target held before, so that a run that is interrupted
  (Ctrl-C, SIGTERM) or fails puts back every output as it was: no partial set of outputs is left.

Text goes through :func:`safe_text` / :func:`write_cell` so that ``=HYPERLINK(...)`` or ``-reversed`` lands in
Excel as text, not as a formula, and CSV files quote every field holding a line break.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: characters XML 1.0 (so no xlsx/docx/qdpx cell or text) can hold; replaced by U+FFFD, which keeps offsets
ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_REPLACEMENT = "\ufffd"
CSV_LINE_END = "\r\n"  # RFC 4180; a field holding a bare CR or LF is then always quoted

_state = {"force": False, "run": None, "replaced": [], "written": set()}


def allow_overwrite(flag: bool = True) -> None:
    """Allow (or forbid again) replacing human work for the rest of this process (``--force``)."""
    _state["force"] = bool(flag)


def reset_run_state() -> None:
    """Forget --force and the list of replaced outputs (the CLI calls this around every command)."""
    _state["force"] = False
    _state["replaced"] = []
    _state["written"] = set()


def replaced_outputs() -> list[Path]:
    """Earlier outputs of the toolkit replaced so far in this process (reported by the CLI in one line)."""
    return list(_state["replaced"])


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside *target*; move it onto *target* only if the block succeeds.

    Before anything is written, :func:`check_overwrite` refuses to replace human work.

    >>> with atomic_path("out.csv") as tmp:          # doctest: +SKIP
    ...     df.to_csv(tmp, index=False)
    """
    target = Path(target)
    existed = check_overwrite(target)
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
        run = _state["run"]
        if run is not None:
            run.before_replace(target)
        try:
            os.replace(tmp_path, target)
        except OSError as exc:  # e.g. the target is an existing folder
            raise _cannot_write(target, exc) from None
        key = os.path.abspath(target)
        if existed and target not in _state["replaced"] and key not in _state["written"]:
            _state["replaced"].append(target)  # an earlier run's output (not one this run wrote twice)
        _state["written"].add(key)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


# -- nothing lost -------------------------------------------------------------------------------------------
OURS_MARK = "hls-toolkit"
_YAML_MARK = re.compile(r"^# written by hls-toolkit(?: [^\n]*)? sha256=([0-9a-f]{64})\s*$", re.MULTILINE)


def yaml_header(body: str, what: str = "") -> str:
    """The first line for a YAML file the toolkit writes: it records a hash of *body*, so a later run can tell
    an untouched earlier output (replaced freely) from a file a person has edited (kept without ``--force``)."""
    import hashlib

    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return f"# written by hls-toolkit{(' ' + what) if what else ''} sha256={digest}\n"


def human_work(path: str | Path) -> str | None:
    """Why replacing *path* would lose a person's work, or ``None`` when it is safe to replace.

    Human work: a YAML file (instrument, codebook) that the toolkit did not write or that was edited since; a
    workbook the toolkit did not write; a review workbook with any decision; a questionnaire or data-entry
    workbook with any answer filled in.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _yaml_human(path)
    if suffix in (".xlsx", ".xlsm"):
        return _workbook_human(path)
    return None


def _yaml_human(path: Path) -> str | None:
    import hashlib

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "a YAML file (an instrument or codebook) that the toolkit did not write"
    first, _, body = text.partition("\n")
    m = _YAML_MARK.match(first)
    if m is None:
        return "a YAML file (an instrument or codebook) that the toolkit did not write"
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != m.group(1):
        return "a YAML file written by the toolkit and edited since"
    return None


def _workbook_human(path: Path) -> str | None:
    from .errors import ToolkitError

    try:
        creator, kind = _workbook_origin(path)
    except (ToolkitError, OSError, KeyError, ValueError):
        return "a file that is not a workbook written by the toolkit"
    if creator is None or OURS_MARK not in creator:
        return "a workbook that the toolkit did not write"
    if kind.startswith("filled in by the toolkit"):  # sample answers made by toolkit.survey.fill
        return None
    try:
        return _filled_in(path, kind)
    except Exception:  # noqa: BLE001 - a workbook we cannot look into is treated as someone's work
        return "a workbook whose contents cannot be checked"


def _workbook_origin(path: Path) -> tuple[str | None, str]:
    """``(creator, kind)`` from a workbook's core properties: kind is the ``form_type`` / table kind we record."""
    from .archive import SafeZip
    from .coding.refi.safety import parse_xml

    creator = kind = None
    with SafeZip(path, label=path, kind="workbook") as z:
        name = z.find("docProps/core.xml")
        if name is None:
            return None, ""
        for el in parse_xml(z.read(name), name).iter():
            if el.tag.rsplit("}", 1)[-1] == "creator":
                creator = el.text or ""
        custom = z.find("docProps/custom.xml")
        if custom is not None:
            for el in parse_xml(z.read(custom), custom).iter():
                if el.get("name") == "hls:answers":
                    kind = "".join(t for t in el.itertext()).strip()
    return creator, kind or ""


def _filled_in(path: Path, kind: str) -> str | None:
    """Human input in a workbook of ours: review decisions, questionnaire or data-entry answers."""
    from .spreadsheets import load_openpyxl

    wb = load_openpyxl(path, read_only=True, data_only=True)
    try:
        names = wb.sheetnames
        if "Codings" in names:  # review workbook
            rows = wb["Codings"].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            cols = [header.index(c) for c in ("decision", "recode_to", "comment") if c in header]
            for row in rows:
                if any(i < len(row) and row[i] not in (None, "") for i in cols):
                    return "a review workbook holding reviewers' decisions"
            return None
        if "_meta" not in names:
            return None
        from .survey.readers.questionnaire import read_answer_map

        meta, cells = (read_answer_map(list(wb["_meta"].iter_rows(values_only=True)), path)
                       if _has_answer_map(wb) else (_meta_pairs(wb), []))
        form = str(meta.get("form_type", "")).casefold()
        if form == "entry" and "Data" in names:
            for k, row in enumerate(wb["Data"].iter_rows(values_only=True)):
                if k and any(v not in (None, "") for v in row):
                    return "a data-entry workbook holding answers"
        if form == "questionnaire" and cells:
            wb.close()
            wb = load_openpyxl(path, read_only=False, data_only=True)
            for c in cells:
                if c["sheet"] in wb.sheetnames and wb[c["sheet"]][c["cell"]].value not in (None, ""):
                    return "a filled questionnaire"
        return None
    finally:
        wb.close()


def _has_answer_map(wb) -> bool:
    for row in wb["_meta"].iter_rows(values_only=True):
        if row and str(row[0] or "").strip().casefold() == "variable":
            return True
    return False


def _meta_pairs(wb) -> dict:
    out = {}
    for row in wb["_meta"].iter_rows(max_col=2, values_only=True):
        if row and row[0] is not None:
            out[str(row[0]).strip()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
    return out


def check_overwrite(target: str | Path) -> bool:
    """Refuse (``ToolkitError``) to replace human work unless overwriting is allowed; True if *target* exists."""
    from .errors import ToolkitError

    target = Path(target)
    if not target.exists() or target.is_dir():
        return False
    if not _state["force"]:
        why = human_work(target)
        if why:
            raise ToolkitError(f"already exists and is {why}; it is kept (use --force to replace it, or choose "
                               "another name)", file=target)
    return True


# -- all or nothing -----------------------------------------------------------------------------------------
class OutputRun:
    """What one run replaced or created, so that :meth:`rollback` can put every output back as it was."""

    def __init__(self):
        self.created: list[Path] = []
        self.backups: dict[Path, Path] = {}

    def before_replace(self, target: Path) -> None:
        if target in self.backups or target in self.created:
            return
        if target.exists():
            fd, backup = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".hls-backup",
                                          dir=str(target.parent or "."))
            os.close(fd)
            try:
                os.unlink(backup)
                os.link(target, backup)  # the old file's contents, without copying
            except OSError:
                shutil.copy2(target, backup)
            self.backups[target] = Path(backup)
        else:
            self.created.append(target)

    def commit(self) -> None:
        for backup in self.backups.values():
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
        self.backups.clear()
        self.created.clear()

    def rollback(self) -> None:
        for target, backup in self.backups.items():
            with contextlib.suppress(OSError):
                os.replace(backup, target)
        for target in self.created:
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                target.unlink()
        self.backups.clear()
        self.created.clear()


@contextlib.contextmanager
def output_run(keep_on=()):
    """Make every file written inside the block all-or-nothing: if the block raises (an interrupt, a crash, an
    error), every output is put back as it was before (new files removed, replaced files restored).

    Exceptions whose class is in *keep_on*, or that carry ``keep_outputs = True`` (a run that wrote its
    outputs and then reports skipped inputs), keep what was written.
    """
    import signal

    outer = _state["run"]
    if outer is not None:  # nested: the outermost run decides
        yield outer
        return
    run = _state["run"] = OutputRun()
    try:
        yield run
    except BaseException as exc:
        if getattr(exc, "keep_outputs", False) or isinstance(exc, tuple(keep_on)):
            run.commit()
        else:
            blocked = _block_signals(signal)
            try:
                run.rollback()
            finally:
                _unblock_signals(signal, blocked)
        raise
    else:
        run.commit()
    finally:
        _state["run"] = None


def _block_signals(signal):
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not on this platform / thread
        return None


def _unblock_signals(signal, old) -> None:
    if old is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


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


_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def safe_text(value: object) -> object:
    """Escape text for CSV cells that may be opened in a spreadsheet: prefix formula-like text with ', at the
    start of the text and after every line break (a reader that splits lines must not meet ``=cmd|...``
    at the start of one).

    Numbers and non-strings pass through unchanged; :func:`unescape_text` undoes the prefixes on read.

    >>> safe_text("=1+1"), safe_text("note\\n+cmd|' /C calc'!A0"), safe_text("-5")
    ("'=1+1", "note\\n'+cmd|' /C calc'!A0", '-5')
    """
    if not isinstance(value, str):
        return value
    if is_formula_like(value):
        value = "'" + value
    if "\n" in value or "\r" in value:
        parts = _LINE_BREAK.split(value)
        for k in range(2, len(parts), 2):
            if is_formula_like(parts[k]):
                parts[k] = "'" + parts[k]
        value = "".join(parts)
    return value


def unescape_text(value: object) -> object:
    """Undo :func:`safe_text` for values read back from our own CSV files."""
    if not isinstance(value, str):
        return value
    if value.startswith("'") and is_formula_like(value[1:]):
        value = value[1:]
    if ("\n'" in value or "\r'" in value):
        parts = _LINE_BREAK.split(value)
        for k in range(2, len(parts), 2):
            if parts[k].startswith("'") and is_formula_like(parts[k][1:]):
                parts[k] = parts[k][1:]
        value = "".join(parts)
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
        if out[col].dtype == object or str(out[col].dtype) == "string":
            out[col] = out[col].map(safe_text)
    return out


def write_csv(df, target: str | Path, **kwargs) -> None:
    """Write a DataFrame as UTF-8 CSV atomically, with formula-like text escaped and every field holding a line
    break quoted (lines end in CR LF, as RFC 4180 and Excel have them)."""
    kwargs.setdefault("lineterminator", CSV_LINE_END)
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


def csv_writer(fh, **kwargs):
    """A :func:`csv.writer` with the toolkit's quoting rules (every field with CR or LF quoted); pass text
    cells through :func:`safe_text`."""
    import csv

    kwargs.setdefault("lineterminator", CSV_LINE_END)
    return csv.writer(fh, **kwargs)


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
