"""One guard for every zip-based file the toolkit opens: ``.xlsx``/``.xlsm`` workbooks, ``.docx`` transcripts,
``.qdpx`` projects and the ``.docx`` sources inside them.

A file like these arrives from another person's machine, so nothing in it is trusted. Before openpyxl,
python-calamine, python-docx, pandas or :mod:`zipfile` reads a single member, :func:`check_archive` (or
:class:`SafeZip`) looks at the zip's central directory and refuses:

* more than ``max_members`` entries (default 20,000);
* an entry larger than ``max_member_size`` uncompressed (default 2 GiB), or entries adding up to more than
  ``max_total_size`` (default 2 GiB): a 1,000,000-row, 45-column sheet is about 1.1 GiB;
* an entry above 1 MiB that compresses better than ``max_ratio`` (default 200:1; honest sheets and documents
  compress 5-30:1, a zip bomb 1000:1);
* member names that are absolute, contain ``..``, a drive letter, a backslash or a NUL byte, or are symbolic
  links; encrypted members; duplicate names.

Reads through :meth:`SafeZip.read` are capped while streaming, so a lying size header cannot inflate past the
limit either.

The limits can be raised for honest giant files, per run or for a whole session::

    hls --max-unzipped 8GB --max-ratio 500 survey import huge.xlsx -i my-survey -o answers.csv
    export HLS_MAX_UNZIPPED=8GB HLS_MAX_RATIO=500 HLS_MAX_MEMBERS=100000

>>> from toolkit.archive import check_archive
>>> check_archive("tests/data/questionnaire_mini_libreoffice.xlsx")   # doctest: +SKIP
"""
from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .errors import DataError

MB = 1024 * 1024
GB = 1024 * MB
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ENV = {"max_total_size": "HLS_MAX_UNZIPPED", "max_ratio": "HLS_MAX_RATIO", "max_members": "HLS_MAX_MEMBERS"}


@dataclass(frozen=True)
class Limits:
    """Caps applied to an untrusted archive (sizes in bytes)."""

    max_members: int = 20_000
    max_member_size: int = 2 * GB
    max_total_size: int = 2 * GB
    max_ratio: float = 200.0  # uncompressed / compressed, checked for members above ``ratio_floor``
    ratio_floor: int = 1 * MB
    max_xml_size: int = 256 * MB  # one XML document parsed in memory (REFI .qde/.qdc)


DEFAULT_LIMITS = Limits()
_override: dict = {}


def parse_size(text: str | int | float) -> int:
    """Bytes from ``"2GB"``, ``"500 MB"``, ``"1.5g"``, ``"750k"`` or a plain number (binary units: 1 GB = 1024**3).

    >>> parse_size("2GB"), parse_size("512k"), parse_size(1000)
    (2147483648, 524288, 1000)
    """
    if isinstance(text, (int, float)):
        return int(text)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", str(text), flags=re.IGNORECASE)
    if not m:
        raise ValueError(f"not a size: '{text}' (use e.g. 4GB, 500MB or a number of bytes)")
    factor = {"": 1, "k": 1024, "m": MB, "g": GB, "t": 1024 * GB}[m.group(2).lower()]
    return int(float(m.group(1)) * factor)


def set_limits(**changes) -> None:
    """Raise (or lower) the limits for the rest of this process: ``set_limits(max_total_size="8GB")``.

    Used by the ``hls --max-unzipped / --max-ratio / --max-members`` options; ``None`` values are ignored.
    """
    for key, value in changes.items():
        if value is None:
            continue
        if key not in Limits.__dataclass_fields__:
            raise TypeError(f"unknown archive limit '{key}'")
        _override[key] = parse_size(value) if key.endswith("size") else (float(value) if key == "max_ratio"
                                                                         else int(value))
        if key == "max_total_size":  # one huge sheet is one member: the member cap follows the total
            _override["max_member_size"] = max(_override[key], DEFAULT_LIMITS.max_member_size)


def reset_limits() -> None:
    """Forget :func:`set_limits` (the CLI calls this around every command)."""
    _override.clear()


def current_limits() -> Limits:
    """The limits in force: defaults, then ``HLS_MAX_UNZIPPED`` / ``HLS_MAX_RATIO`` / ``HLS_MAX_MEMBERS``, then
    :func:`set_limits` (the command-line options)."""
    changes: dict = {}
    for key, var in ENV.items():
        raw = os.environ.get(var)
        if raw:
            try:
                changes[key] = parse_size(raw) if key.endswith("size") else (float(raw) if key == "max_ratio"
                                                                            else int(raw))
            except ValueError:
                raise DataError(f"{var}={raw!r} is not a valid limit (e.g. {var}=4GB)") from None
    if "max_total_size" in changes:
        changes["max_member_size"] = max(changes["max_total_size"], DEFAULT_LIMITS.max_member_size)
    changes.update(_override)
    return replace(DEFAULT_LIMITS, **changes) if changes else DEFAULT_LIMITS


def _human(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover


_RAISE = "raise the limit with 'hls --max-unzipped SIZE' or HLS_MAX_UNZIPPED if the file is genuine"
_RAISE_RATIO = "raise it with 'hls --max-ratio N' or HLS_MAX_RATIO if the file is genuine"
_DRIVE = re.compile(r"^[A-Za-z]:")


def check_member_name(name: str) -> str:
    """Return the member name if it is a safe relative path, else raise :class:`ValueError` saying why."""
    if not name or "\x00" in name:
        raise ValueError("empty member name or NUL byte in member name")
    if "\\" in name:
        raise ValueError(f"backslash in member name '{name}'")
    if name.startswith("/") or _DRIVE.match(name):
        raise ValueError(f"absolute path '{name}'")
    parts = PurePosixPath(name).parts
    if any(p == ".." for p in parts):
        raise ValueError(f"path traversal '{name}'")
    return name


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


KINDS = {  # what a file of each kind is called in messages
    "workbook": "an .xlsx workbook",
    "document": "a Word .docx file",
    "project": "a .qdpx project (a zip file)",
    "archive": "a zip archive",
}


def ole_is_encrypted(path) -> bool:
    """True when an OLE2 compound file holds an ``EncryptedPackage`` stream (a password-protected .xlsx/.docx)."""
    return _ole_encrypted(path)


def _ole_message(path, kind: str) -> str:
    """What an OLE2 compound file (the pre-2007 Office container) given as a zip-based file is."""
    encrypted = _ole_encrypted(path)
    if kind == "document":
        return ("password-protected Word document: remove the password in Word and save it again" if encrypted
                else "a Word 97-2003 .doc file, not .docx: save it as .docx in Word")
    if encrypted:
        return ("password-protected workbook: remove the password in Excel (File > Info > Protect Workbook) "
                "and save it again")
    return "an Excel 97-2003 (.xls) workbook, not .xlsx: save it as .xlsx"


def _ole_encrypted(path) -> bool:
    encrypted = False
    try:
        with open(path, "rb") as fh:
            tail = b""
            for _ in range(64):  # the stream directory sits in the first few MB of an encrypted file
                chunk = fh.read(MB)
                if not chunk:
                    break
                if _ENCRYPTED_STREAM in tail + chunk:
                    encrypted = True
                    break
                tail = chunk[-len(_ENCRYPTED_STREAM):]
    except OSError:
        pass
    return encrypted


class SafeZip:
    """A read-only zip archive whose members were all checked against :class:`Limits` on opening.

    *source* is a path, bytes or a binary file object; *kind* (a key of :data:`KINDS`) words the messages.
    """

    def __init__(self, source, limits: Limits | None = None, label: str | Path | None = None,
                 kind: str = "project"):
        self.limits = limits if limits is not None else current_limits()
        self.label = label if label is not None else (source if isinstance(source, (str, Path)) else "<archive>")
        self.kind = kind
        try:
            self._zip = zipfile.ZipFile(source if not isinstance(source, bytes) else io.BytesIO(source))
        except zipfile.BadZipFile:
            head = b""
            if isinstance(source, (str, Path)):
                with open(source, "rb") as fh:
                    head = fh.read(8)
            elif isinstance(source, bytes):
                head = source[:8]
            if head == _OLE_MAGIC and isinstance(source, (str, Path)):
                raise DataError(_ole_message(source, kind), file=self.label) from None
            what = ("not a zip archive (a .qdpx project must be a zip file)" if kind == "project"
                    else f"not {KINDS.get(kind, 'a zip archive')} (not a zip file)")
            raise DataError(what, file=self.label) from None
        except FileNotFoundError:
            raise DataError("file not found", file=self.label) from None
        except IsADirectoryError:
            raise DataError(f"is a folder, not {KINDS.get(kind, 'a zip archive')}", file=self.label) from None
        except OSError as exc:
            raise DataError(f"cannot read the file ({exc.strerror or exc.__class__.__name__})",
                            file=self.label) from None
        except (ValueError, EOFError, NotImplementedError) as exc:  # corrupt central directory
            raise DataError(f"corrupt zip file ({exc.__class__.__name__})", file=self.label) from None
        try:
            self._infos = self._check()
        except Exception:
            self._zip.close()
            raise

    def _fail(self, message: str, member: str | None = None):
        raise DataError(message, file=self.label, field=member)

    def _check(self) -> dict[str, zipfile.ZipInfo]:
        lim = self.limits
        infos = self._zip.infolist()
        if len(infos) > lim.max_members:
            self._fail(f"archive has {len(infos)} members (limit {lim.max_members}; possible zip bomb; raise it "
                       "with 'hls --max-members N' or HLS_MAX_MEMBERS if the file is genuine)")
        total = 0
        out: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            try:
                check_member_name(info.filename)
            except ValueError as exc:
                self._fail(f"unsafe archive member: {exc}", info.filename)
            if _is_link(info):
                self._fail("unsafe archive member: symbolic link", info.filename)
            if info.flag_bits & 0x1:
                self._fail("encrypted archive members are not supported", info.filename)
            if info.file_size > lim.max_member_size:
                self._fail(f"member expands to {_human(info.file_size)} (limit {_human(lim.max_member_size)}; "
                           f"possible zip bomb; {_RAISE})", info.filename)
            if info.file_size > lim.ratio_floor and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                self._fail(f"member compresses {info.file_size / max(info.compress_size, 1):.0f}:1 "
                           f"(limit {lim.max_ratio:.0f}:1; possible zip bomb; {_RAISE_RATIO})", info.filename)
            total += info.file_size
            if total > lim.max_total_size:
                self._fail(f"archive expands to more than {_human(lim.max_total_size)} (possible zip bomb; "
                           f"{_RAISE})")
            if info.filename in out:
                self._fail("duplicate member name", info.filename)
            out[info.filename] = info
        return out

    # -- access --------------------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [n for n, i in self._infos.items() if not i.is_dir()]

    def info(self, name: str) -> zipfile.ZipInfo:
        return self._infos[name]

    def find(self, name: str) -> str | None:
        """The stored member name matching *name* exactly, else case-insensitively, else ``None``."""
        if name in self._infos:
            return name
        low = name.lower()
        for n in self._infos:
            if n.lower() == low:
                return n
        return None

    def iter_chunks(self, name: str, size: int = MB):
        """Stream one member in chunks, never more than its declared size nor the per-member limit."""
        stored = self.find(name)
        if stored is None:
            self._fail("member missing from archive", name)
        info = self._infos[stored]
        cap = min(info.file_size, self.limits.max_member_size)
        seen = 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(min(size, cap + 1 - seen))
                    if not chunk:
                        break
                    seen += len(chunk)
                    if seen > cap:
                        self._fail("member is larger than its header says (corrupt or hostile archive)", stored)
                    yield chunk
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, ValueError, zlib.error) as exc:
            self._fail(f"corrupt archive member ({exc.__class__.__name__})", stored)

    def read(self, name: str) -> bytes:
        """Read one member, never more than its declared size nor the per-member limit."""
        return b"".join(self.iter_chunks(name))

    def extract(self, target: str | Path) -> list[Path]:
        """Extract every member below *target*; each path is checked to stay inside it."""
        root = Path(target).resolve()
        root.mkdir(parents=True, exist_ok=True)
        written = []
        for name, info in self._infos.items():
            dest = (root / name).resolve()
            if dest != root and root not in dest.parents:
                self._fail("unsafe archive member: resolves outside the target folder", name)
            if info.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_symlink():
                self._fail("refusing to write through an existing symbolic link", name)
            dest.write_bytes(self.read(name))
            written.append(dest)
        return written

    def close(self):
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_archive(path: str | Path, kind: str = "workbook", limits: Limits | None = None) -> None:
    """Check a zip-based file (workbook, Word document, project) before any library opens it.

    Raises :class:`DataError` naming the file (and the member) for a missing file, a file that is not a zip
    (an encrypted workbook says "password-protected workbook"), unsafe member names or sizes beyond the limits.
    """
    with SafeZip(path, limits, label=path, kind=kind):
        pass


def check_bytes(data: bytes, label: str, kind: str = "document", limits: Limits | None = None) -> None:
    """:func:`check_archive` for an archive held in memory (a ``.docx`` inside a ``.qdpx``)."""
    with SafeZip(data, limits, label=label, kind=kind):
        pass
