"""Forms that print: what LibreOffice puts on paper (PDF via ``soffice --headless``, read back with pdftotext).

Runs when LibreOffice and poppler's pdftotext are installed (skipped otherwise), twice for the questionnaire: with
the fonts installed here and with Carlito, Liberation, Nimbus and the other Calibri/Arial look-alikes hidden from
fontconfig, so LibreOffice falls back to the wider DejaVu Sans (the "no Calibri" case). Checked on the pages:
every item's answer options are printed, every question and option is there in full (a row too short would clip
it), nothing runs off the page, no section heading is the last line of a page, the codebook is printed at a
readable size, and the dictionary and the entry workbook's code sheet repeat their header row on every page.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.instruments.forms import build_form, write_dictionary
from toolkit.instruments.loader import load_instrument

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice (soffice) and pdftotext are needed to print the forms")
NAME = "collective-data-use"
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
NO_LOOKALIKES = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont>
    <glob>*Carlito*</glob><glob>*Caladea*</glob><glob>*Liberation*</glob><glob>*Nimbus*</glob>
    <glob>*FreeSans*</glob><glob>*Arimo*</glob>
  </rejectfont></selectfont>
</fontconfig>
"""


def start_pdf(files: list[Path], out: Path, env: dict | None = None) -> subprocess.Popen:
    """Start LibreOffice converting *files* to PDF in *out* (its own profile, so two can run side by side)."""
    import os

    profile = out / "profile"
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to",
           "pdf", "--outdir", str(out)] + [str(f) for f in files]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})


def pages(pdf: Path) -> list[dict]:
    from html import unescape

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    result = []
    for w, h, body in PAGE.findall(out):
        words = [(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in WORD.findall(body)]
        result.append({"width": float(w), "height": float(h), "words": words})
    return result


def lines(page: dict, footer: float = 50.0) -> list[str]:
    """The page's lines of text top to bottom (words on one baseline), without the footer."""
    rows: list[list] = []
    for w in sorted((w for w in page["words"] if w[3] < page["height"] - footer), key=lambda w: (w[1], w[0])):
        if rows and abs(rows[-1][0][1] - w[1]) < 2.5:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [" ".join(w[4] for w in sorted(r, key=lambda w: w[0])) for r in rows]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    inst = load_instrument(NAME)
    files = [build_form(inst, "xlsx", folder / "questionnaire.xlsx"), build_form(inst, "entry", folder / "entry.xlsx"),
             write_dictionary(inst, folder / "dictionary.xlsx")]
    jobs = [start_pdf(files, folder)]
    plain = folder / "plain"
    if Path("/etc/fonts/fonts.conf").exists():  # the same questionnaire where no Calibri/Arial look-alike exists
        plain.mkdir()
        conf = folder / "fonts.conf"
        conf.write_text(NO_LOOKALIKES, encoding="utf-8")
        jobs.append(start_pdf([files[0]], plain, env={"FONTCONFIG_FILE": str(conf)}))
    for job in jobs:
        assert job.wait(timeout=240) == 0
    out = {"inst": inst, "normal": {f.stem: pages(folder / f"{f.stem}.pdf") for f in files}}
    if len(jobs) > 1:
        out["no look-alikes"] = {"questionnaire": pages(plain / "questionnaire.pdf")}
    return out


def questionnaire_pages(doc: list[dict]) -> list[dict]:
    """Instructions and Questionnaire pages (portrait); the landscape pages after them are the codebook."""
    return [p for p in doc if p["width"] < p["height"]]


@pytest.mark.parametrize("fonts", ["normal", "no look-alikes"])
def test_questionnaire_on_paper(printed, fonts):
    if fonts not in printed:
        pytest.skip("no /etc/fonts/fonts.conf to build a reduced font set from")
    inst = printed["inst"]
    doc = printed[fonts]["questionnaire"]
    portrait = questionnaire_pages(doc)
    assert len(portrait) >= 3
    for p in doc:  # nothing runs off the page
        assert all(w[0] >= 20 and w[2] <= p["width"] - 20 for w in p["words"]), fonts
    text = squash("".join(" ".join(w[4] for w in p["words"]) for p in portrait))
    for sentence in (inst.text(inst.description), inst.text(inst.instructions)):
        assert squash(sentence) in text  # the instructions are all there
    headings = {inst.text(s.title) for s in inst.sections} | {"About you and your work"}
    items = list(inst.items) + list(inst.attention_checks)
    seen = 0
    body = squash("".join("".join(lines(p)) for p in portrait))
    for item in items:
        sc = inst.scales[item.scale]
        options = "".join(f"\u25a1{inst.text(pt.label)}" for pt in list(sc.points) + list(sc.missing))
        # the whole question, then every option with its tick box: nothing clipped by a short row
        assert squash(item.id + inst.text(item.text) + options) in body, (fonts, item.id)
        seen += 1
    assert seen == len(items)
    for k, p in enumerate(portrait):
        page_lines = lines(p)
        assert page_lines, k
        assert page_lines[-1] not in headings, (fonts, k + 1, page_lines[-1])  # no heading ends a page
        for i, line in enumerate(page_lines):
            if line in headings:
                assert i + 1 < len(page_lines)
    for p in portrait[1:]:  # the header row of the questionnaire is repeated
        assert lines(p)[0].startswith("No. Question Your answer") or lines(p)[0].startswith(
            "Collective performance data use in partnerships")


def test_codebook_readable_and_headers_repeated(printed):
    doc = printed["normal"]
    codebook = [p for p in doc["questionnaire"] if p["width"] > p["height"]]
    assert codebook, "the codebook sheet prints in landscape"
    for p in codebook:
        heights = sorted(w[3] - w[1] for w in p["words"])
        assert heights[len(heights) // 2] >= 8.0  # 9-point text at about full size, not 3 points
        assert lines(p)[0].startswith("Variable Question Construct Answers")
    dictionary = doc["dictionary"]
    assert len(dictionary) >= 2
    for p in dictionary:
        assert p["width"] > p["height"] and lines(p)[0].startswith("variable label kind section")
        assert all(w[2] <= p["width"] - 20 for w in p["words"])
        heights = sorted(w[3] - w[1] for w in p["words"])
        assert heights[len(heights) // 2] >= 6.5
    codes = [p for p in doc["entry"] if lines(p) and lines(p)[0].startswith("variable code label question")]
    assert len(codes) >= 2  # the code sheet runs over several pages, each with its header
    inst = printed["inst"]
    text = squash("".join(" ".join(w[4] for w in p["words"]) for p in codes))
    for item in inst.items:
        assert squash(inst.text(item.text)) in text  # wrapped, not cut off at the column edge
