"""SPSS ``.sav`` and Stata ``.dta`` files that carry the instrument's metadata, written with pyreadstat.

Per variable (:func:`variable_specs`):

* **variable label**: the question text (SPSS keeps 256 bytes, Stata 80 characters);
* **value labels**: the response scale's labels on items and attention checks (missing codes included), the
  choice labels on choice questions (``role``: "manager" shows as "Manager");
* **measurement level** (SPSS): ordinal for Likert and frequency items, nominal for binary items, choices, ids
  and text, scale for numeric items, whole-number questions and construct scores;
* **display format**: as wide as the codes need - ``F1.0`` for a 1-5 item with missing code 9, ``F4.2`` for a
  score on 1-5 - instead of SPSS's default ``F8.2``;
* **missing codes**: user-missing values in SPSS; in Stata the declared missing codes become extended missing
  values (``.a``, ``.b``, ...) labelled like the codes, because Stata has no user-missing numbers.

Variables with the same value labels share **one value-label set**: items of one response scale refer to one set
(in SPSS one value-label record listing all of them; in Stata one label named after the scale, ``agree5``).
pyreadstat writes one set per variable, so :func:`share_sav_label_sets` and :func:`share_dta_label_sets` merge
identical sets in the written file (SPSS system-file records 3/4; Stata 118 ``<value_label_names>`` and
``<value_labels>`` with the ``<map>`` offsets updated).

R's own formats (``.rds``, ``.RData``) cannot be written: pyreadstat reads them but has no writer. R reads our
``.sav`` and ``.dta`` with ``haven::read_sav()`` / ``read_dta()`` (labelled vectors, user-missing values kept
with ``user_na = TRUE``) or ``foreign::read.spss()``.
"""
from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field

# SPSS names cannot start with "_": provenance columns get portable names in .sav and .dta files
RENAME = {"_source": "source_file", "_row": "source_row"}
PROVENANCE_LABELS = {"_source": "File the answers were read from", "_row": "Row (or case number) in that file"}
SAV_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
DTA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_N",
                "_pi", "_pred", "_rc", "_skip", "strL", "using", "with"}
DTA_VERSION = 14  # Stata 14 format (release 118): read by Stata 14 and later, haven, foreign (via readstat)
R_SUFFIXES = (".rds", ".rdata", ".rda")
R_MESSAGE = ("R data files cannot be written: pyreadstat reads .rds/.RData but has no writer for them. Write .sav "
             "or .dta and read it in R with haven::read_sav() / haven::read_dta(), which keep the value labels")


@dataclass
class VarSpec:
    """What one column becomes in a statistics file."""

    column: str
    label: str | None = None
    measure: str = "unknown"  # nominal | ordinal | scale
    value_labels: dict = field(default_factory=dict)  # code (number, or text for choices) -> label
    missing: list = field(default_factory=list)  # declared missing codes
    fmt: tuple | None = None  # ("F", width, decimals) for numbers
    set_name: str | None = None  # a name for the value-label set (scale id, question id)
    choice: bool = False  # a choice question whose values are text codes


def _digits(x: float) -> int:
    x = abs(float(x))
    return 1 if x < 1 else int(math.floor(math.log10(x))) + 1


def _numeric_width(values) -> int:
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not vals:
        return 1
    return max(_digits(v) + (1 if v < 0 else 0) for v in vals)


def variable_specs(df, instrument=None) -> list[VarSpec]:
    """One :class:`VarSpec` per column of *df*, from the instrument when given (labels, levels, formats)."""
    import pandas as pd

    from .variables import as_instrument, variables

    inst = as_instrument(instrument) if instrument is not None else None
    vars_ = {v.id: v for v in variables(inst)} if inst is not None else {}
    constructs = {c.id: c for c in inst.constructs} if inst is not None else {}
    specs = []
    for col in df.columns:
        s = df[col]
        spec = VarSpec(col, PROVENANCE_LABELS.get(col))
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        v = vars_.get(col)
        if v is not None:
            spec.label = v.label
        if v is not None and v.scale is not None:
            sc = v.scale
            spec.value_labels = {p.code: inst.text(p.label) for p in sc.points}
            spec.value_labels.update({p.code: inst.text(p.label) for p in sc.missing})
            spec.missing = list(sc.missing_values)
            spec.measure = {"likert": "ordinal", "frequency": "ordinal", "binary": "nominal"}.get(sc.kind, "scale")
            codes = list(sc.values) + list(sc.missing_values)
            decimals = 0 if all(float(c).is_integer() for c in codes) else 2
            spec.fmt = ("F", _numeric_width(codes) + (decimals + 1 if decimals else 0), decimals)
            spec.set_name = sc.id
        elif v is not None and v.question is not None and v.question.type == "select_one" and v.question.choices:
            spec.value_labels = {c.value: inst.text(c.label) for c in v.question.choices}
            spec.measure = "nominal"
            spec.set_name = v.id
            spec.choice = True
        elif col in constructs:
            c = constructs[col]
            sc = inst.scales[c.items[0].scale] if c.items else None
            top = max(sc.values) if sc is not None else (s.abs().max() if numeric and s.notna().any() else 1)
            spec.label = f"{inst.text(c.label)} (mean of {len(c.items)} items)"
            spec.measure = "scale"
            spec.fmt = ("F", _numeric_width([top]) + 3, 2)
        elif numeric:
            whole = s.dropna()
            integer = len(whole) == 0 or bool((whole.astype(float) % 1 == 0).all())
            spec.measure = "nominal" if col == "_row" else "scale"
            spec.fmt = ("F", _numeric_width(whole.tolist()), 0) if integer else None
        else:
            spec.measure = "nominal"
        specs.append(spec)
    return specs


# -- names ---------------------------------------------------------------------------------------------------------
def _unique(columns, clean, limit: int, fold) -> dict:
    out, taken = {}, set()
    for col in columns:
        base = name = clean(str(col))
        k = 1
        while fold(name) in taken:
            k += 1
            name = f"{base[:limit - 4]}_{k}"
        taken.add(fold(name))
        out[col] = name
    return out


def _sav_name(name: str) -> str:
    name = RENAME.get(name, name)
    clean = re.sub(r"[^A-Za-z0-9_.@#$]", "_", name)
    if not re.match(r"^[A-Za-z@]", clean):
        clean = "v" + clean
    if clean.upper() in SAV_RESERVED:
        clean += "_"
    return clean[:64]


def sav_names(columns) -> dict:
    """``{column: SPSS name}``, valid and unique ignoring case (SPSS names are case-insensitive)."""
    return _unique(columns, _sav_name, 64, str.upper)


def _dta_name(name: str) -> str:
    name = RENAME.get(name, name)
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not re.match(r"^[A-Za-z_]", clean):
        clean = "v" + clean
    if clean in DTA_RESERVED or re.fullmatch(r"str\d+", clean):
        clean += "_"
    return clean[:32]


def dta_names(columns) -> dict:
    """``{column: Stata name}``: letters, digits and ``_``, at most 32 characters, unique."""
    return _unique(columns, _dta_name, 32, lambda n: n)


# -- writers -------------------------------------------------------------------------------------------------------
def _number_key(code):
    return int(code) if float(code).is_integer() else float(code)


def _plain_column(s):
    import pandas as pd

    if str(s.dtype) in ("Int64", "Float64", "boolean"):
        return s.astype(float)
    if s.dtype == object:
        return s.map(lambda x: None if x is None or (isinstance(x, float) and x != x) or x is pd.NA else str(x))
    return s


# -- reproducible bytes and provenance ------------------------------------------------------------------------
SAV_DATE_OFFSET = 92  # "$FL2", product name (60), layout, case size, compression, weight, cases, bias (8)


def _record(instrument) -> dict:
    from ..provenance import complete
    from .variables import as_instrument

    if instrument is None:
        return complete()
    inst = as_instrument(instrument)
    return complete({"instrument": f"{inst.id} {inst.version}"})


SPSS_DOCUMENT_LINE = 80  # bytes per line of an SPSS document (Data File Comments); ReadStat refuses longer


def as_lines(record: dict, width: int = SPSS_DOCUMENT_LINE) -> list[str]:
    """The record's ``name: value`` lines, each wrapped to *width* bytes of UTF-8 (SPSS documents are fixed
    80-byte lines; a run on several input files gives a longer ``inputs`` line), continuation lines indented.

    >>> [len(line) for line in as_lines({"inputs": "a" * 90})]
    [7, 80, 14]
    """
    from ..provenance import as_lines as lines

    out = []
    for line in lines(record):
        prefix = ""
        while True:
            text = prefix + line
            if len(text.encode("utf-8")) <= width:
                out.append(text)
                break
            cut = width
            while len(text[:cut].encode("utf-8")) > width:
                cut -= 1
            # break between list entries ("a; b"), else at a space, else mid-word
            semi = text.rfind("; ", len(prefix) + 1, cut)
            space = text.rfind(" ", len(prefix) + 1, cut + 1)
            cut = semi + 1 if semi > len(prefix) else space if space > len(prefix) else cut
            out.append(text[:cut].rstrip())
            line, prefix = text[cut:].lstrip(), "  "
    return out


def pin_sav_timestamp(data: bytes) -> bytes:
    """The .sav file with its header's creation date and time (``dd Mon yy`` + ``hh:mm:ss`` at byte 92) set to
    :func:`toolkit.io.source_date`, so the same data give the same bytes."""
    from ..io import source_date

    stamp = source_date()
    text = (stamp.strftime("%d ") + stamp.strftime("%b").capitalize() + stamp.strftime(" %y")
            + stamp.strftime("%H:%M:%S")).encode("ascii")
    if data[:4] not in (b"$FL2", b"$FL3") or len(data) < SAV_DATE_OFFSET + len(text):
        return data
    return data[:SAV_DATE_OFFSET] + text + data[SAV_DATE_OFFSET + len(text):]


def _dta_label(record: dict) -> str:
    """Stata's 80-character data label: what made the file (the .dta format has no room for more)."""
    parts = [record.get("toolkit"), record.get("instrument"), f"seed {record['seed']}" if record.get("seed") else None]
    return "; ".join(p for p in parts if p)[:80]


def pin_dta_timestamp(data: bytes) -> bytes:
    """The .dta file (format 117+) with its header ``<timestamp>`` (``dd Mon yyyy hh:mm``) set to
    :func:`toolkit.io.source_date`."""
    from ..io import source_date

    stamp = source_date()
    text = (stamp.strftime("%d ") + stamp.strftime("%b").capitalize() + stamp.strftime(" %Y %H:%M")).encode("ascii")
    tag = b"<timestamp>"
    at = data.find(tag, 0, 512)
    if at < 0:
        return data
    n = data[at + len(tag)]
    if n not in (0, len(text)):
        return data
    if n == 0:
        return data  # no timestamp recorded: nothing time-dependent
    start = at + len(tag) + 1
    return data[:start] + text + data[start + len(text):]


def write_sav(df, path, instrument=None) -> None:
    """Write a labelled SPSS ``.sav`` (see the module docstring); atomic."""
    import pandas as pd
    import pyreadstat

    from ..io import atomic_path

    specs = variable_specs(df, instrument)
    names = sav_names(df.columns)
    out = pd.DataFrame({names[c]: _plain_column(df[c]) for c in df.columns}, index=df.index)
    labels, value_labels, missing, measure, formats = {}, {}, {}, {}, {}
    for sp in specs:
        name = names[sp.column]
        if sp.label:
            labels[name] = sp.label[:256]
        if sp.value_labels:
            if sp.choice:
                value_labels[name] = {str(k): str(v)[:120] for k, v in sp.value_labels.items()}
            else:
                value_labels[name] = {float(k): str(v)[:120] for k, v in sp.value_labels.items()}
        if sp.missing and not sp.choice:
            missing[name] = [float(m) for m in sp.missing[:3]]
        if sp.measure != "unknown":
            measure[name] = sp.measure
        if sp.fmt is not None and pd.api.types.is_numeric_dtype(out[name]):
            formats[name] = f"F{max(sp.fmt[1], 1)}.{sp.fmt[2]}"
    record = _record(instrument)
    with atomic_path(path) as tmp:
        pyreadstat.write_sav(out, str(tmp), column_labels=[labels.get(c) for c in out.columns],
                             variable_value_labels=value_labels or None, missing_ranges=missing or None,
                             variable_measure=measure or None, variable_format=formats or None,
                             note=as_lines(record))
        tmp.write_bytes(pin_sav_timestamp(share_sav_label_sets(tmp.read_bytes())))


def write_dta(df, path, instrument=None) -> None:
    """Write a labelled Stata ``.dta`` (format 118, Stata 14 and later; see the module docstring); atomic.

    Choice questions stored as text (``manager``) become numbered codes 1..k in the order of the choices, labelled
    with the choice labels (Stata labels numbers only); a column holding a value that is not one of its choices is
    kept as text without labels. Declared missing codes become ``.a``, ``.b``, ... labelled like the codes.
    """
    import pandas as pd
    import pyreadstat

    from ..io import atomic_path

    specs = variable_specs(df, instrument)
    names = dta_names(df.columns)
    out, labels, value_labels, user_missing, formats, set_names = {}, {}, {}, {}, {}, {}
    for sp in specs:
        name = names[sp.column]
        s = _plain_column(df[sp.column])
        if sp.label:
            labels[name] = sp.label[:80]
        if sp.choice:
            codes = {}
            for k, value in enumerate(sp.value_labels, start=1):
                codes[value] = int(value) if re.fullmatch(r"-?\d+", str(value)) else k
            present = {x for x in s.dropna()}
            if len(set(codes.values())) == len(codes) and present <= set(codes):
                s = s.map(lambda x, codes=codes: None if x is None else codes[x]).astype(float)
                value_labels[name] = {codes[v]: str(lab) for v, lab in sp.value_labels.items()}
                set_names[name] = _dta_name(sp.set_name or name)
                formats[name] = f"%{_numeric_width(list(codes.values()))}.0f"
        elif sp.value_labels:
            tags = {m: chr(ord("a") + i) for i, m in enumerate(sp.missing[:26])}
            if tags:
                def tag(x, tags=tags):
                    if x is None or (isinstance(x, float) and math.isnan(x)):
                        return None
                    return tags.get(x, x)

                s = s.astype(object).map(tag)
                if not any(isinstance(x, str) for x in s):
                    s = s.astype(float)
                user_missing[name] = list(tags.values())
            value_labels[name] = {(tags[k] if k in tags else _number_key(k)): str(lab)
                                  for k, lab in sp.value_labels.items()}
            set_names[name] = _dta_name(sp.set_name or name)
        out[name] = s
        if sp.fmt is not None and pd.api.types.is_numeric_dtype(df[sp.column]):
            formats[name] = f"%{max(sp.fmt[1], 1)}.{sp.fmt[2]}f"
    frame = pd.DataFrame(out, index=df.index)
    record = _record(instrument)
    with atomic_path(path) as tmp:
        pyreadstat.write_dta(frame, str(tmp), column_labels=[labels.get(c) for c in frame.columns],
                             version=DTA_VERSION, variable_value_labels=value_labels or None,
                             missing_user_values=user_missing or None, variable_format=formats or None,
                             file_label=_dta_label(record))
        tmp.write_bytes(pin_dta_timestamp(share_dta_label_sets(tmp.read_bytes(), set_names)))


# -- shared value-label sets: SPSS -----------------------------------------------------------------------------
def _sav_records(data: bytes):
    """``(endian, [(type, start, end, info)])`` of the dictionary records of a system file, up to record 999."""
    if data[:4] not in (b"$FL2", b"$FL3"):
        raise ValueError("not an SPSS system file")
    endian = "<" if struct.unpack("<i", data[64:68])[0] in (2, 3) else ">"
    i4 = struct.Struct(endian + "i")
    pos, index, records = 176, 0, []
    while True:
        start = pos
        (rtype,) = i4.unpack_from(data, pos)
        pos += 4
        if rtype == 2:
            vtype, has_label, n_missing = struct.unpack_from(endian + "iii", data, pos)
            pos += 4 * 5 + 8
            if has_label:
                (n,) = i4.unpack_from(data, pos)
                pos += 4 + (n + 3) // 4 * 4
            pos += abs(n_missing) * 8
            index += 1
            records.append((2, start, pos, (index, vtype)))
        elif rtype == 3:
            (count,) = i4.unpack_from(data, pos)
            pos += 4
            for _ in range(count):
                n = data[pos + 8]
                pos += 8 + (1 + n + 7) // 8 * 8
            records.append((3, start, pos, None))
        elif rtype == 4:
            (count,) = i4.unpack_from(data, pos)
            idx = list(struct.unpack_from(endian + f"{count}i", data, pos + 4))
            pos += 4 + 4 * count
            records.append((4, start, pos, idx))
        elif rtype == 6:
            (n,) = i4.unpack_from(data, pos)
            pos += 4 + 80 * n
            records.append((6, start, pos, None))
        elif rtype == 7:
            _sub, size, count = struct.unpack_from(endian + "iii", data, pos)
            pos += 12 + size * count
            records.append((7, start, pos, None))
        elif rtype == 999:
            pos += 4
            records.append((999, start, pos, None))
            return endian, records
        else:
            raise ValueError(f"unknown record type {rtype} at byte {start}")


def share_sav_label_sets(data: bytes) -> bytes:
    """Merge identical value-label sets of an SPSS system file into one record 3/4 pair each.

    Record 3 holds a set's values and labels, the record 4 after it the dictionary indexes of the variables using
    it; sets with identical bytes for variables of the same kind (numeric or short text) become one pair listing
    all their variables. Everything else is copied unchanged. A file that cannot be parsed is returned as it is.
    """
    try:
        endian, records = _sav_records(data)
    except (ValueError, struct.error, IndexError):
        return data
    kinds = {info[0]: ("n" if info[1] == 0 else "s") for t, _s, _e, info in records if t == 2}
    groups: dict[tuple, list] = {}
    order = []
    for k, (t, s, e, _info) in enumerate(records):
        if t == 3 and k + 1 < len(records) and records[k + 1][0] == 4:
            idx = records[k + 1][3]
            key = (data[s + 4:e], kinds.get(idx[0], "?") if idx else "?")
            if key not in groups:
                groups[key] = []
                order.append((k, key))
            groups[key].extend(idx)
    if all(len(v) <= 1 for v in groups.values()) or not groups:
        return data
    first = {k: key for k, key in order}
    out = [data[:176]]
    skip = False
    for k, (t, s, e, _info) in enumerate(records):
        if skip:
            skip = False
            continue
        if t == 3 and k + 1 < len(records) and records[k + 1][0] == 4:
            skip = True
            if k in first:
                key = first[k]
                idx = sorted(set(groups[key]))
                out.append(data[s:e])
                out.append(struct.pack(endian + "ii", 4, len(idx)) + struct.pack(endian + f"{len(idx)}i", *idx))
            continue
        out.append(data[s:e])
    out.append(data[records[-1][2]:])
    return b"".join(out)


# -- shared value-label sets: Stata -----------------------------------------------------------------------------
def share_dta_label_sets(data: bytes, wanted: dict) -> bytes:
    """Give the value labels of a Stata 117/118/119 file the names in *wanted* (``{variable: set name}``) and keep
    one table per name when the variables' labels are identical (else the variable keeps its own set).

    Only ``<value_label_names>`` (fixed width, rewritten in place) and ``<value_labels>`` (the last section) change;
    the ``<map>`` offsets of ``</stata_dta>`` and the end of file are updated. Unparseable files are returned as is.
    """
    try:
        return _share_dta(data, wanted)
    except (ValueError, struct.error, IndexError):
        return data


def _share_dta(data: bytes, wanted: dict) -> bytes:
    m = re.match(rb"<stata_dta><header><release>(\d+)</release><byteorder>(LSF|MSF)</byteorder>", data)
    if not m or int(m.group(1)) not in (117, 118, 119):
        raise ValueError("not a Stata 117-119 file")
    release, endian = int(m.group(1)), "<" if m.group(2) == b"LSF" else ">"
    name_len = 33 if release == 117 else 129
    kfmt = {117: "H", 118: "H", 119: "I"}[release]
    kpos = data.index(b"<K>") + 3
    (k,) = struct.unpack_from(endian + kfmt, data, kpos)
    mpos = data.index(b"<map>") + 5
    offsets = list(struct.unpack_from(endian + "14Q", data, mpos))
    vpos = data.index(b"<varnames>") + len(b"<varnames>")
    varnames = [data[vpos + i * name_len: vpos + (i + 1) * name_len].split(b"\0")[0].decode("utf-8")
                for i in range(k)]
    lpos = data.index(b"<value_label_names>", offsets[6]) + len(b"<value_label_names>")
    label_names = [data[lpos + i * name_len: lpos + (i + 1) * name_len].split(b"\0")[0].decode("utf-8")
                   for i in range(k)]
    start = offsets[11]
    if data[start:start + 14] != b"<value_labels>":
        raise ValueError("value_labels section not where the map says")
    pos, tables = start + 14, {}
    while data[pos:pos + 5] == b"<lbl>":
        (n,) = struct.unpack_from(endian + "i", data, pos + 5)
        name = data[pos + 9: pos + 9 + name_len].split(b"\0")[0].decode("utf-8")
        body = data[pos + 9 + name_len + 3: pos + 9 + name_len + 3 + n]
        tables[name] = body
        pos += 9 + name_len + 3 + n + 6
    if data[pos:pos + 15] != b"</value_labels>":
        raise ValueError("unexpected bytes in value_labels")
    # choose the new set name of each variable
    new_names, table_of = {}, {}
    for var, old in zip(varnames, label_names):
        if not old or old not in tables:
            continue
        want = wanted.get(var) or old
        if want in table_of and table_of[want] != tables[old]:
            want = old  # same wanted name, different labels: keep the variable's own set
        table_of.setdefault(want, tables[old])
        new_names[var] = want
    names_block = b"".join((new_names.get(var, old) if old else "").encode("utf-8")[:name_len - 1]
                           .ljust(name_len, b"\0") for var, old in zip(varnames, label_names))
    body = bytearray(b"<value_labels>")
    for name, table in table_of.items():
        body += b"<lbl>" + struct.pack(endian + "i", len(table)) + name.encode("utf-8").ljust(name_len, b"\0")
        body += b"\0\0\0" + table + b"</lbl>"
    body += b"</value_labels>"
    end_tag = b"</stata_dta>"
    out = bytearray(data[:start]) + body + end_tag
    out[lpos:lpos + k * name_len] = names_block
    offsets[12] = start + len(body)
    offsets[13] = len(out)
    out[mpos:mpos + 14 * 8] = struct.pack(endian + "14Q", *offsets)
    return bytes(out)


__all__ = ["R_MESSAGE", "R_SUFFIXES", "VarSpec", "dta_names", "sav_names", "share_dta_label_sets",
           "share_sav_label_sets", "variable_specs", "write_dta", "write_sav"]
