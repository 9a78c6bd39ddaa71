"""De-identification: hls code redact replaces every planted identifier in every output, with stable pseudonyms."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

import toolkit
from toolkit.coding.redact import RedactionKey, Redactor, read_names

CODED = "We sat down with the partners and went through the numbers together"

TXT = f"""---
interview_id: INT01
group: riverside
interviewee: Maria Lopez
---
Interviewer: Could you tell me about your role?
Maria Lopez: {CODED} at Riverside Trust. Mail maria.lopez@riverside.org.uk or ring 07700 900123.
Our office is at LS1 4AP in Leeds; see https://riverside-trust.org.uk/team for the team.
Interviewer: Who else is involved?
Maria Lopez: Dev Patel and I review the dashboard every month. Patel calls +44 (0)20 7946 0958 first.
"""

VTT = f"""WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>How do partners use the data?</v>

00:00:05.000 --> 00:00:09.000
<v Priya Shah>{CODED}. Write to priya.shah@northgate.gov.uk or call 0161 496 0123.</v>

00:00:10.000 --> 00:00:12.000
<v Priya Shah>Priya here again: Maria Lopez joined us from Leeds.</v>
"""

SRT = f"""1
00:00:01,000 --> 00:00:03,000
Interviewer: What changed?

2
00:00:04,000 --> 00:00:08,000
Helen Ward: {CODED}, says Helen; ring +1 (415) 555-0199 or see www.northgate-council.gov.uk.
"""

PLANTED_FULL = ["Maria Lopez", "maria.lopez@riverside.org.uk", "07700 900123", "LS1 4AP", "Leeds",
                "riverside-trust.org.uk", "Dev Patel", "Riverside Trust", "+44 (0)20 7946 0958", "7946 0958",
                "Sam Okafor", "+1 (415) 555-0199", "555-0199", "priya.shah@northgate.gov.uk", "0161 496 0123",
                "Priya Shah", "Helen Ward", "northgate-council.gov.uk", "07700 900 123", "OL1 3EQ",
                "sam.okafor@example.org"]
PLANTED_PARTS = ["Maria", "Lopez", "Patel", "Okafor", "Priya", "Shah", "Helen", "Ward", "helen_ward"]


@pytest.fixture
def interviews(tmp_path):
    import docx

    src = tmp_path / "interviews"
    src.mkdir()
    (src / "int01.txt").write_text(TXT, encoding="utf-8")
    (src / "int02.vtt").write_text(VTT, encoding="utf-8")
    (src / "int02.meta.yaml").write_text("interview_id: INT02\ngroup: northgate\ncontact: Priya Shah\n",
                                         encoding="utf-8")
    (src / "int03_helen_ward.srt").write_text(SRT, encoding="utf-8")
    d = docx.Document()
    d.add_paragraph("Interviewer: What do you do with the figures?")
    d.add_paragraph(f"Sam Okafor: {CODED}, Okafor said. Mail sam.okafor@example.org, office OL1 3EQ.")
    t = d.add_table(rows=1, cols=3)
    for cell, value in zip(t.rows[0].cells, ["Sam Okafor", "00:03:10", "Ring 07700 900 123 when in Leeds."]):
        cell.text = value
    d.core_properties.author = "Maria Lopez"
    d.save(str(src / "int04.docx"))
    (src / "cases.csv").write_text("file,interview_id,group,interviewer\nint03_helen_ward.srt,INT03,harbour,"
                                   "Dev Patel\nint04.docx,INT04,harbour,Maria Lopez\n", encoding="utf-8")
    names = tmp_path / "names.txt"
    names.write_text("# people and organisations named in the interviews\nDev Patel\norganisation: Riverside Trust"
                     "\nplace: Leeds\n", encoding="utf-8")
    return src, names


def _all_text(folder: Path) -> str:
    """Every file under *folder* as text, archives (xlsx, docx, qdpx) unpacked."""
    out = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if data[:2] == b"PK":
            with zipfile.ZipFile(p) as z:
                out.extend(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            out.append(data.decode("utf-8", "replace"))
        out.append(p.name)
    return "\n".join(out)


def _survivors(text: str) -> list[str]:
    flat = " ".join(text.split())
    found = [s for s in PLANTED_FULL if s.casefold() in flat.casefold()]
    found += [s for s in PLANTED_PARTS if re.search(rf"(?<![^\W_]){re.escape(s)}(?![^\W_])", flat)]
    digits = re.sub(r"\D", "", flat)
    found += [n for n in ("07700900123", "2079460958", "4155550199", "1614960123") if n in digits]
    return found


def test_no_planted_identifier_survives_in_any_output(interviews, tmp_path, run_cli):
    src, names = interviews
    red, key, work = tmp_path / "redacted", tmp_path / "secure" / "key.csv", tmp_path / "work"
    code, _, err = run_cli("code", "redact", str(src), "-o", str(red), "--names", str(names), "--key", str(key))
    assert code == 0, err
    assert sorted(p.name for p in red.iterdir()) == ["cases.csv", "int01.txt", "int02.meta.yaml", "int02.vtt",
                                                    "int03_Person_1.srt", "int04.docx"]
    work.mkdir()
    code, out, err = run_cli("code", "run", str(red), "--codebook", "hls-theory", "--skip-speaker", "Interviewer",
                             "-o", str(work / "review.xlsx"), "--csv", str(work / "codings.csv"), "--json")
    assert code == 0, err
    (work / "codings.json").write_text(out, encoding="utf-8")
    res = json.loads(out)
    assert {d["document"] for d in res["documents"]} == {"int01", "int02", "int03_Person_1", "int04"}
    assert "Interviewer" not in {r["speaker"] for r in res["codings"]}  # roles survive, so --skip-speaker works
    assert {"int01", "int02", "int03_Person_1", "int04"} <= {r["document"] for r in res["codings"]}
    cases = {d["document"]: d["case"] for d in res["documents"]}
    assert cases == {"int01": "INT01", "int02": "INT02", "int03_Person_1": "INT03", "int04": "INT04"}  # metadata kept
    code, _, err = run_cli("code", "export", str(work / "codings.csv"), "--codebook", "hls-theory", "--format",
                           "qdpx", "--transcripts", str(red), "-o", str(work / "project.qdpx"))
    assert code == 0, err
    code, out, err = run_cli("code", "agreement", str(work / "project.qdpx"), str(work / "codings.csv"))
    assert code == 0 and "Agreement of 2 coders" in out, err
    # the planted identifiers are all gone from the redacted transcripts and from every output made from them
    # (the same check finds every one of them in the originals)
    assert len(_survivors(_all_text(src))) == len(PLANTED_FULL) + len(PLANTED_PARTS) + 4
    assert _survivors(_all_text(red)) == []
    assert _survivors(_all_text(work)) == []
    # ... and all of them are in the key, which sits apart
    key_text = key.read_text(encoding="utf-8")
    assert all(s in key_text for s in ("Maria Lopez", "Dev Patel", "Riverside Trust", "Leeds", "Priya Shah",
                                       "maria.lopez@riverside.org.uk", "LS1 4AP", "+1 (415) 555-0199"))
    # the original transcripts are untouched
    assert (src / "int01.txt").read_text(encoding="utf-8") == TXT


def test_key_keeps_pseudonyms_stable_across_runs(interviews, tmp_path):
    src, names = interviews
    key = tmp_path / "key.csv"
    first = toolkit.redact_transcripts([src / "int01.txt"], tmp_path / "a", names=names, key=key)
    text_a = (tmp_path / "a" / "int01.txt").read_text(encoding="utf-8")
    other = tmp_path / "later"
    other.mkdir()
    (other / "int09.txt").write_text("Jo Bloggs: I met Maria Lopez and Dev Patel at Riverside Trust.\n",
                                     encoding="utf-8")
    toolkit.redact_transcripts([other], tmp_path / "b", key=key)
    text_b = (tmp_path / "b" / "int09.txt").read_text(encoding="utf-8")
    keyed = RedactionKey.load(key)
    maria, dev = keyed.entries[("person", "maria lopez")], keyed.entries[("person", "dev patel")]
    org = keyed.entries[("organisation", "riverside trust")]
    assert f"{maria}: {CODED}" in text_a and f"{dev} and I" in text_a
    assert text_b == f"{keyed.entries[('person', 'jo bloggs')]}: I met {maria} and {dev} at {org}.\n"
    assert keyed.entries[("person", "jo bloggs")] not in (maria, dev)
    assert first.counts["person"] >= 4 and first.counts["email"] == 1 and first.counts["phone"] == 2


@pytest.mark.parametrize("text,expect", [
    ("Ring 07700 900123, 0161 496 0123 or +44 (0)20 7946 0958.", "Ring Phone 1, Phone 2 or Phone 3."),
    ("US office +1 (415) 555-0199, Berlin 0049 30 1234567.", "US office Phone 1, Berlin Phone 2."),
    ("In 2019-2020 we had 1,200 cases at 10:30, 12.5% up, ref 12345 67890 or 3.14159.",
     "In 2019-2020 we had 1,200 cases at 10:30, 12.5% up, ref 12345 67890 or 3.14159."),
    ("See https://a.example.com/x?y=1, www.nhs.uk and leeds.gov.uk.", "See URL 1, URL 2 and URL 3."),
    ("Post to M1 1AE or SW1A 1AA; not e.g. or i.e. or A1 road.", "Post to Postcode 1 or Postcode 2; not e.g. or i.e. or A1 road."),
    ("Mail j.o'neil@x.co.uk now.", "Mail j.o'Email 1 now."),
])
def test_detectors(text, expect):
    assert Redactor(RedactionKey()).redact(text) == expect


def test_names_file_and_key_errors_are_located(tmp_path):
    from toolkit.errors import DataError

    names = tmp_path / "names.csv"
    names.write_text("name,kind\nAna Diaz,person\nNorthgate Council,org\nYork,town\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"names.csv:4: kind: unknown kind 'town'"):
        read_names(names)
    key = tmp_path / "key.csv"
    key.write_text("who,what\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"key.csv:1: a redaction key needs the columns kind, original, pseudonym"):
        RedactionKey.load(key)


def test_redact_refuses_to_write_into_its_input_or_the_key_into_the_output(interviews, tmp_path, run_cli):
    src, _ = interviews
    code, _, err = run_cli("code", "redact", str(src), "-o", str(src))
    assert code == 2 and "inputs are never modified" in err
    code, _, err = run_cli("code", "redact", str(src), "-o", str(tmp_path / "r"), "--key", str(tmp_path / "r" / "k.csv"))
    assert code == 2 and "the key must not be written inside the output folder" in err
    assert not (tmp_path / "r").exists()


def test_entity_finder_names_are_redacted_too(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Ann: The Northgate Council met in York.\n", encoding="utf-8")
    finder = lambda text: [("organisation", "Northgate Council"), ("place", "York")] if "York" in text else []  # noqa: E731
    toolkit.redact_transcripts([tmp_path / "in"], tmp_path / "out", entities=finder)
    assert (tmp_path / "out" / "a.txt").read_text() == "Person 1: The Organisation 1 met in Place 1.\n"


def test_ner_needs_an_installed_pipeline(tmp_path, run_cli):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Ann: hello.\n", encoding="utf-8")
    code, _, err = run_cli("code", "redact", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--ner",
                           "no_such_pipeline_xyz")
    assert code == 2 and "--ner" in err and ("not installed" in err or "presidio-analyzer" in err)
    assert not (tmp_path / "out").exists()
