"""Property-based checks (hypothesis): arbitrary bytes and text fed to the instrument and codebook loaders and to
every survey reader give a result or one clear :class:`ToolkitError`, never a traceback or a hang.

Example counts are kept modest so the suite stays fast; each example must finish within the deadline.
"""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError

DATA = Path(__file__).parent / "data"
MINI = (DATA / "mini-instrument.yaml").read_text(encoding="utf-8")
CODEBOOK = (Path(__file__).resolve().parents[1] / "codebooks" / "hls-theory.yaml").read_text(encoding="utf-8")
# no shrinking phase: a failure is reported with the example found, at once (shrinking parser inputs is slow)
FAST = settings(max_examples=25, deadline=timedelta(seconds=20), derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# text that exercises parsers: YAML/CSV syntax, formulas, control characters, other scripts
_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
TEXT = st.text(_ALPHABET, max_size=400) | st.sampled_from([
    "", "\x00", "=cmd|' /C calc'!A0", "&a [*a, *a]", "!!python/object/apply:os.system ['echo']", "{", "- - -",
    "id: [", ": :", "\ufeff", "\r\n\r", "a" * 5000])


def _splice(base: str, at: float, insert: str, cut: int) -> str:
    """*base* with *cut* characters removed at fraction *at* and *insert* put there (a damaged file)."""
    k = int(len(base) * at)
    return base[:k] + insert + base[k + cut:]


def _call(fn, *args):
    """Run *fn*; a ToolkitError is the one allowed failure (its message must be one line)."""
    try:
        return fn(*args)
    except ToolkitError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return exc


# -- instrument and codebook loaders ---------------------------------------------------------------------------
@FAST
@given(text=TEXT, at=st.floats(0, 1), cut=st.integers(0, 200), raw=st.binary(max_size=300))
def test_instrument_loader_never_crashes(tmp_path_factory, text, at, cut, raw):
    from toolkit.instruments.loader import check_instrument, load_instrument

    folder = tmp_path_factory.mktemp("inst")
    for k, content in enumerate((_splice(MINI, at, text, cut).encode("utf-8"), raw, text.encode("utf-8"))):
        path = folder / f"i{k}.yaml"
        path.write_bytes(content)
        _call(load_instrument, path)
        _call(check_instrument, path)


@FAST
@given(text=TEXT, at=st.floats(0, 1), cut=st.integers(0, 200), raw=st.binary(max_size=300))
def test_codebook_loader_never_crashes(tmp_path_factory, text, at, cut, raw):
    from toolkit.coding.codebook import load_codebook

    folder = tmp_path_factory.mktemp("cb")
    for k, content in enumerate((_splice(CODEBOOK, at, text, cut).encode("utf-8"), raw)):
        path = folder / f"c{k}.yaml"
        path.write_bytes(content)
        _call(load_codebook, path)


# -- survey readers --------------------------------------------------------------------------------------------
HEADER = "respondent_id,partnership_id,CON1,CON2,CON3,SubmissionDate,KEY,_uuid,_submission_time\n"
QUALTRICS = ('ResponseId,CON1,CON2\nResponse ID,Q - a,Q - b\n{"ImportId":"_recordId"},{"ImportId":"QID1_1"},'
             '{"ImportId":"QID1_2"}\n')


def _workbook(cells: list[list]) -> bytes:
    from openpyxl import Workbook

    from toolkit.io import ILLEGAL_XML_CHARS

    wb = Workbook()
    ws = wb.active
    for row in cells:  # what a cell can hold: hostile text reaches the file, control characters cannot
        ws.append([ILLEGAL_XML_CHARS.sub("", c) if isinstance(c, str) else c for c in row])
    meta = wb.create_sheet("_meta")
    meta.append(["form_type", "entry"])
    buf = io.BytesIO()
    try:
        wb.save(buf)
    except Exception:  # noqa: BLE001 - text openpyxl itself cannot store: use a blank sheet
        wb = Workbook()
        buf = io.BytesIO()
        wb.save(buf)
    return buf.getvalue()


def _damage_zip(data: bytes, member_index: int, junk: bytes) -> bytes:
    """The archive re-packed with one member's content replaced by *junk*."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        infos = src.infolist()
        for k, info in enumerate(infos):
            z.writestr(info.filename, junk if k == member_index % len(infos) else src.read(info))
    return out.getvalue()


@pytest.fixture(scope="module")
def instrument():
    from toolkit.instruments import load_instrument

    return load_instrument("collective-data-use")


@settings(FAST, max_examples=12)
@given(text=TEXT, raw=st.binary(max_size=400), at=st.floats(0, 1), cut=st.integers(0, 50))
def test_every_delimited_reader_gives_data_or_one_error(tmp_path_factory, instrument, text, raw, at, cut):
    from toolkit.survey.readers import READERS, read_source
    from toolkit.survey.table import read_table

    folder = tmp_path_factory.mktemp("csv")
    good = HEADER + "R1,P1,4,5,3,2024-01-01,k1,u1,t\nR2,P1,3,2,1,2024-01-02,k2,u2,t\n"
    contents = [_splice(good, at, text, cut).encode("utf-8"), raw, text.encode("utf-8", "surrogatepass"),
                _splice(QUALTRICS, at, text, cut).encode("utf-8"), b"\xff\xfe" + text.encode("utf-16-le")]
    for k, content in enumerate(contents):
        for suffix in (".csv", ".tsv", ".txt"):
            path = folder / f"f{k}{suffix}"
            path.write_bytes(content)
            _call(read_table, path)
            _call(read_source, path, instrument)
            for name in READERS:
                _call(read_source, path, instrument, name)


@FAST
@given(cells=st.lists(st.lists(st.one_of(TEXT, st.integers(), st.floats(allow_nan=False), st.none()),
                               min_size=1, max_size=5), min_size=1, max_size=5),
       junk=st.binary(max_size=300), which=st.integers(0, 20), raw=st.binary(max_size=300))
def test_every_workbook_reader_gives_data_or_one_error(tmp_path_factory, instrument, cells, junk, which, raw):
    from toolkit.survey.readers import READERS, read_source
    from toolkit.survey.table import read_table

    folder = tmp_path_factory.mktemp("xlsx")
    header = [["respondent_id", "partnership_id", "CON1", "_uuid", "_submission_time"]]
    book = _workbook(header + cells)
    for k, content in enumerate((book, _damage_zip(book, which, junk), raw)):
        path = folder / f"w{k}.xlsx"
        path.write_bytes(content)
        _call(read_table, path)
        _call(read_source, path, instrument)
        for name in READERS:
            _call(read_source, path, instrument, name)


@FAST
@given(raw=st.binary(max_size=600), at=st.integers(0, 2000), junk=st.binary(min_size=1, max_size=40))
def test_sav_reader_gives_data_or_one_error(tmp_path_factory, instrument, raw, at, junk):
    import pandas as pd

    from toolkit.survey.statfiles import write_sav
    from toolkit.survey.readers import read_source
    from toolkit.survey.table import read_table

    folder = tmp_path_factory.mktemp("sav")
    good = folder / "good.sav"
    if not good.exists():
        write_sav(pd.DataFrame({"respondent_id": ["R1", "R2"], "CON1": [4.0, 2.0]}), good)
    data = good.read_bytes()
    for k, content in enumerate((data[:at] + junk + data[at + len(junk):], raw)):
        path = folder / f"s{k}.sav"
        path.write_bytes(content)
        _call(read_table, path)
        _call(read_source, path, instrument)
