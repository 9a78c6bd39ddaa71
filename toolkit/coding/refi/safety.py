"""Untrusted-archive and untrusted-XML guards for REFI-QDA files (.qdpx zips, .qdc/.qde XML, .docx sources).

A ``.qdpx`` arrives from another person's machine, so nothing in it is trusted:

* member names must be relative, without ``..`` components, drive letters, backslashes or NUL bytes, and
  must not be symbolic links (checked on the zip's Unix mode bits);
* every member's uncompressed size, the archive's total uncompressed size, the number of members and the
  compression ratio of large members are capped (:class:`Limits`), and reads are capped while streaming,
  so a lying size header cannot inflate past the limit;
* XML is parsed with :mod:`defusedxml` (no DTDs, no entity expansion, no external entities).

>>> from toolkit.coding.refi.safety import SafeZip           # doctest: +SKIP
>>> with SafeZip("project.qdpx") as z: xml = z.read("project.qde")   # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ...errors import DataError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps applied to an untrusted archive (sizes in bytes)."""

    max_members: int = 20_000
    max_member_size: int = 256 * MB
    max_total_size: int = 1024 * MB
    max_ratio: float = 200.0  # uncompressed / compressed, checked for members above ``ratio_floor``
    ratio_floor: int = 1 * MB
    max_xml_size: int = 256 * MB


DEFAULT_LIMITS = Limits()
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
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode)


class SafeZip:
    """A read-only zip archive whose members were all checked against :class:`Limits` on opening."""

    def __init__(self, source, limits: Limits = DEFAULT_LIMITS, label: str | Path | None = None):
        self.limits = limits
        self.label = label if label is not None else (source if isinstance(source, (str, Path)) else "<archive>")
        try:
            self._zip = zipfile.ZipFile(source if not isinstance(source, bytes) else io.BytesIO(source))
        except zipfile.BadZipFile:
            raise DataError("not a zip archive (a .qdpx project must be a zip file)", file=self.label) from None
        except FileNotFoundError:
            raise DataError("file not found", file=self.label) from None
        except OSError as exc:
            raise DataError(f"cannot read archive ({exc.strerror or exc.__class__.__name__})",
                            file=self.label) from None
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
            self._fail(f"archive has {len(infos)} members (limit {lim.max_members})")
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
                self._fail(f"member is {info.file_size} bytes uncompressed (limit {lim.max_member_size})",
                           info.filename)
            if info.file_size > lim.ratio_floor and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                self._fail(f"member compresses {info.file_size / max(info.compress_size, 1):.0f}:1 "
                           f"(limit {lim.max_ratio:.0f}:1; possible zip bomb)", info.filename)
            total += info.file_size
            if total > lim.max_total_size:
                self._fail(f"archive expands to more than {lim.max_total_size} bytes (possible zip bomb)")
            if info.filename in out:
                self._fail("duplicate member name", info.filename)
            out[info.filename] = info
        return out

    # -- access --------------------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [n for n, i in self._infos.items() if not i.is_dir()]

    def find(self, name: str) -> str | None:
        """The stored member name matching *name* exactly, else case-insensitively, else ``None``."""
        if name in self._infos:
            return name
        low = name.lower()
        for n in self._infos:
            if n.lower() == low:
                return n
        return None

    def read(self, name: str) -> bytes:
        """Read one member, never more than its declared size nor the per-member limit."""
        stored = self.find(name)
        if stored is None:
            self._fail("member missing from archive", name)
        info = self._infos[stored]
        cap = min(info.file_size, self.limits.max_member_size)
        chunks, size = [], 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(min(1 * MB, cap + 1 - size))
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > cap:
                        self._fail("member is larger than its header says (corrupt or hostile archive)", stored)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zlib.error) as exc:
            self._fail(f"corrupt archive member ({exc.__class__.__name__})", stored)
        return b"".join(chunks)

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


@contextlib.contextmanager
def _xml_guard(data: bytes, label: str | Path, limits: Limits):
    """Size limit up front; defusedxml refusals and parse errors become one located DataError."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    if len(data) > limits.max_xml_size:
        raise DataError(f"XML file is larger than {limits.max_xml_size} bytes", file=label)
    try:
        yield
    except DefusedXmlException as exc:
        raise DataError(f"refused unsafe XML ({exc.__class__.__name__}: DTDs and entities are not allowed)",
                        file=label) from None
    except ParseError as exc:
        line = getattr(exc, "position", (None, None))[0]
        raise DataError(f"not well-formed XML ({exc})", file=label, line=line) from None


def parse_xml(data: bytes, label: str | Path, limits: Limits = DEFAULT_LIMITS):
    """Parse untrusted XML with defusedxml (DTDs, entities and external references refused)."""
    from defusedxml.ElementTree import fromstring

    with _xml_guard(data, label, limits):
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def iter_xml(data: bytes, label: str | Path, limits: Limits = DEFAULT_LIMITS):
    """Stream ``(event, element)`` pairs (``start``/``end``) of untrusted XML with the guards of :func:`parse_xml`.

    Lets a reader clear each large element once handled, so memory stays flat on big projects.
    """
    from defusedxml.ElementTree import iterparse

    with _xml_guard(data, label, limits):
        yield from iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True, forbid_entities=True,
                             forbid_external=True)
