"""The members file: who belongs to which partnership, with a display name, organisation and expertise.

One row per member of a partnership (CSV, TSV or XLSX)::

    group,member_id,name,organisation,expertise
    P01,R0001,Alex Morgan,City Council,commissioner
    P01,R0002,Sam Patel,Health Trust,manager

``group`` and ``member_id`` are required codes (letters, digits, ``_ - .``; no spaces: they become choice names
in the XLSForm and column headers in the entry workbook); ``name`` defaults to the id; ``organisation`` and
``expertise`` (the expertise or role category used for Blau's index and the plot colours) are optional. Headers
are matched case-insensitively and a few common spellings are accepted (``partnership_id``, ``respondent_id``,
``display_name``, ``organization``, ``role``). A member may belong to several partnerships (one row each).
Every problem is one :class:`~toolkit.errors.DataError` naming the file, row and column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError

CODE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
COLUMNS = {  # canonical name -> accepted headers (case-insensitive)
    "group": ("group", "partnership", "partnership_id", "group_id", "team", "team_id"),
    "member": ("member_id", "member", "id", "respondent_id", "person_id"),
    "name": ("name", "display_name", "display name", "member_name"),
    "organisation": ("organisation", "organization", "org"),
    "expertise": ("expertise", "role", "category", "expertise_category", "role_category"),
}
REQUIRED = ("group", "member")


def read_text_table(path: str | Path):
    """A CSV/TSV/XLSX table with every cell as text (ids such as ``007`` stay text); DataError names the file."""
    import pandas as pd

    from ..survey.readers.base import read_delimited

    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
            df = df.map(lambda v: v if v is None or isinstance(v, str) else
                        ("" if isinstance(v, float) and v != v else
                         str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
        elif suffix in (".csv", ".tsv", ".txt"):
            df = read_delimited(path)
        else:
            raise DataError(f"unsupported file type '{suffix}' (use .csv, .tsv or .xlsx)", file=path)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser failure is one located line
        raise DataError(f"cannot read the table ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else ''})", file=path) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df.fillna("")


def find_columns(df, wanted: dict[str, tuple[str, ...]], required: tuple[str, ...], path, what: str) -> dict:
    """``{canonical: header}`` for the headers of *df*; a DataError names the first missing required column."""
    lower = {str(c).strip().casefold(): c for c in df.columns}
    out = {}
    for key, names in wanted.items():
        hit = next((lower[n] for n in names if n in lower), None)
        if hit is not None:
            out[key] = hit
    for key in required:
        if key not in out:
            raise DataError(f"{what} has no '{wanted[key][0]}' column (accepted headers: "
                            f"{', '.join(wanted[key])}; the file has: {', '.join(map(str, df.columns[:10]))})",
                            file=path, field=wanted[key][0])
    return out


def check_code(value: str, path, row: int, column: str, what: str) -> str:
    value = str(value).strip()
    if not value:
        raise DataError(f"{what} is empty", file=path, line=row, field=column, kind="row")
    if not CODE_RE.match(value):
        raise DataError(f"{what} '{value}' must be a code of letters, digits, '_', '-' or '.' without spaces "
                        "(put a person's name in the name column)", file=path, line=row, field=column, kind="row")
    return value


@dataclass
class Members:
    """The members of every partnership, in file order.

    ``table`` has the columns group, member, name, organisation, expertise (text; "" where not given);
    ``path`` is the file it came from (None when built in Python).
    """

    table: "pd.DataFrame"  # noqa: F821
    path: str | None = None
    _index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        records = self.table.to_dict("records")
        self._index = {(r["group"], r["member"]): r for r in records}
        self._by_group: dict[str, list[str]] = {}
        for r in records:
            self._by_group.setdefault(r["group"], []).append(r["member"])

    @property
    def groups(self) -> list[str]:
        """Partnership ids in the order they first appear."""
        return list(self._by_group)

    def of(self, group: str) -> list[str]:
        """Member ids of *group* in file order (empty for an unknown group)."""
        return list(self._by_group.get(group, ()))

    def has(self, group: str, member: str) -> bool:
        return (group, member) in self._index

    def row(self, group: str, member: str) -> dict:
        return dict(self._index[(group, member)])

    def name(self, group: str, member: str) -> str:
        rec = self.row(group, member)
        return rec["name"] or member

    def label(self, group: str, member: str) -> str:
        """``Name (Organisation)`` for forms, or the name alone."""
        rec = self.row(group, member)
        name = rec["name"] or member
        return f"{name} ({rec['organisation']})" if rec["organisation"] else name

    def has_expertise(self) -> bool:
        return bool((self.table["expertise"] != "").any())

    @property
    def max_size(self) -> int:
        return int(self.table.groupby("group").size().max()) if len(self.table) else 0

    def __len__(self) -> int:
        return len(self.table)


def read_members(path: str | Path) -> Members:
    """Read a members file (see the module docstring) into :class:`Members`, stopping at the first problem with
    its file, row and column.

    >>> members = read_members("sample_data/survey/collective-data-use-members.csv")   # doctest: +SKIP
    >>> members.of("P01")[:3]                                                        # doctest: +SKIP
    ['R0001', 'R0002', 'R0003']
    """
    import pandas as pd

    if isinstance(path, Members):
        return path
    df = read_text_table(path)
    cols = find_columns(df, COLUMNS, REQUIRED, path, "the members file")
    rows, seen = [], {}
    for i, rec in enumerate(df.to_dict("records")):
        r = i + 2  # spreadsheet row: the header is row 1
        values = {k: str(rec[c]).strip() if c is not None else "" for k, c in cols.items()}
        if not any(str(v).strip() for v in rec.values()):
            continue  # a blank line
        group = check_code(values["group"], path, r, cols["group"], "group id")
        member = check_code(values["member"], path, r, cols["member"], "member id")
        if (group, member) in seen:
            raise DataError(f"member '{member}' is listed twice in partnership '{group}' (first at row "
                            f"{seen[(group, member)]})", file=path, line=r, field=cols["member"], kind="row")
        seen[(group, member)] = r
        rows.append({"group": group, "member": member, "name": values.get("name", ""),
                     "organisation": values.get("organisation", ""), "expertise": values.get("expertise", "")})
    if not rows:
        raise DataError("the members file lists no members", file=path)
    return Members(pd.DataFrame(rows, columns=["group", "member", "name", "organisation", "expertise"]), str(path))


def members_frame(members: Members):
    """The members as a DataFrame with the file's canonical column names (group, member_id, name, ...)."""
    return members.table.rename(columns={"member": "member_id"})
