"""Shipped instruments and the ``hls instrument`` commands: content rules, listing, showing, checking (every
error with its file:line: field), building and the data dictionary."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from toolkit import check_instrument, load_instrument
from toolkit.instruments.loader import list_instruments

SHIPPED = ["collective-data-use", "hls-adoption", "learning-partnership", "performance-attraction"]
ROLES = ["manager", "frontline", "commissioner", "consultant", "academic", "other"]


# ------------------------------------------------------------------------------------------------ content
def test_the_four_instruments_are_shipped():
    assert sorted(i.id for i in list_instruments()) == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_instrument_follows_the_house_rules(name):
    assert check_instrument(name) == []
    inst = load_instrument(name)
    refs = {r.citation for r in inst.references}
    for c in inst.constructs:
        assert 4 <= len(c.items) <= 6, c.id
        assert c.source in refs, c.id  # cited in the references
        assert inst.text(c.definition)
    n_reversed = [len(c.reversed_items) for c in inst.constructs]
    assert sum(n_reversed) >= len(inst.constructs) // 2  # some reverse-keyed items ...
    assert max(n_reversed) <= 2  # ... roughly one per construct
    for sc in inst.scales.values():
        assert sc.missing_values and 9 in sc.missing_values  # 9 = Don't know / Not applicable
    assert inst.respondent_column and inst.context_by_role("respondent") is not None
    assert inst.group_column is not None
    role = inst.context_by_role("role")
    assert role.type == "select_one" and [c.value for c in role.choices] == ROLES
    assert inst.context_by_role("sector") is not None and inst.context_by_role("organisation") is not None
    assert len(inst.attention_checks) == 1
    a = inst.attention_checks[0]
    assert a.expected in inst.scales[a.scale].values


def test_collective_data_use_constructs_are_kroll_2023_and_referent_shift():
    inst = load_instrument("collective-data-use")
    assert [c.id for c in inst.constructs] == [
        "connectedness", "power_imbalance", "expertise_configurations", "distributed_leadership",
        "system_sensemaking", "deliberation_routines", "dissent_conflict_balancing", "collective_data_use"]
    assert all(c.referent == "group" for c in inst.constructs)
    assert all(inst.text(i.text).startswith("In our partnership ") for i in inst.items)
    assert "Kroll" in inst.references[0].citation


def test_hls_adoption_blocks():
    inst = load_instrument("hls-adoption")
    assert [s.id for s in inst.sections] == ["human", "learning", "systems", "funding", "governance"]
    ids = {c.id for c in inst.constructs}
    assert {"bespoke_support", "relationships_empathy", "strengths_based", "trust_in_staff",
            "learning_management_strategy", "measurement_for_learning", "learning_cycles", "psychological_safety",
            "reflective_practice", "system_understanding", "collaboration_coordination", "system_stewardship",
            "funding_for_learning", "stewardship_orientation", "social_control"} == ids
    for c in inst.constructs:  # "in our organisation we" wording <=> group referent
        group_wording = all(inst.text(i.text).startswith("In our organisation we") for i in c.items)
        assert (c.referent == "group") == group_wording, c.id


def test_performance_attraction_is_bilingual():
    inst = load_instrument("performance-attraction")
    assert inst.languages == ("en", "de")
    assert [c.id for c in inst.constructs] == ["shared_responsibility", "autonomous_navigation",
                                               "collective_learning", "voluntary_uptake"]
    for i in inst.items:
        assert set(i.text) == {"en", "de"} and i.text["en"] != i.text["de"]
    for p in inst.scales["agree5"].points + inst.scales["agree5"].missing:
        assert set(p.label) == {"en", "de"}
    for q in inst.context:
        assert set(q.text) == {"en", "de"}
        assert all(set(ch.label) == {"en", "de"} for ch in q.choices)


def test_learning_partnership_constructs():
    inst = load_instrument("learning-partnership")
    assert {"nested_relationships", "reflexivity", "learning_capacity"} <= {c.id for c in inst.constructs}
    assert "Hesselgreaves" in inst.references[0].citation


# ------------------------------------------------------------------------------------------------ list/show
def test_list_text_and_json(run_cli):
    code, out, _ = run_cli("instrument", "list")
    assert code == 0
    for name in SHIPPED:
        assert name in out
    code, out, _ = run_cli("instrument", "list", "--json")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == SHIPPED
    cdu = rows[0]
    assert cdu == {"id": "collective-data-use", "title": "Collective performance data use in partnerships",
                   "version": "1.0", "languages": ["en"], "constructs": 8, "items": 37, "roster_questions": 3}


def test_show_marks_reverse_items_and_lists_scales(run_cli):
    code, out, _ = run_cli("instrument", "show", "collective-data-use")
    assert code == 0
    assert "CON4 (R)" in out and "CON1 (R)" not in out
    assert "agree5 (likert): 1=Strongly disagree" in out and "9=Don't know" in out
    assert "connectedness: Connectedness" in out


def test_show_in_german_and_json(run_cli):
    code, out, _ = run_cli("instrument", "show", "performance-attraction", "--lang", "de")
    assert code == 0 and "Geteilte Verantwortung" in out and "Weiß nicht" in out
    code, out, _ = run_cli("instrument", "show", "performance-attraction", "--json")
    info = json.loads(out)
    items = [i for s in info["sections"] for c in s["constructs"] for i in c["items"]]
    assert len(items) == 17 and {i["id"] for i in items if i["reverse"]} == {"PSR4", "PAN4", "PCL5", "PVU4"}
    assert info["response_scales"]["agree5"]["missing"] == {"9": "Don't know"}
    code, _, err = run_cli("instrument", "show", "performance-attraction", "--lang", "fr")
    assert code == 2 and "no language 'fr'" in err and "Traceback" not in err


def test_show_unknown_instrument(run_cli):
    code, out, err = run_cli("instrument", "show", "nope")
    assert code == 2 and "unknown instrument 'nope'" in err and "collective-data-use" in err


# ------------------------------------------------------------------------------------------------ check
@pytest.fixture
def mini(data_dir):
    return (data_dir / "mini-instrument.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    lines = text.splitlines()
    hits = [i for i, line in enumerate(lines, start=1) if needle in line]
    return hits[nth - 1]


def _check(run_cli, tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("instrument", "check", str(path))
    assert "Traceback" not in out + err
    return path, code, out, err


def test_check_ok_prints_summary(run_cli, data_dir):
    code, out, _ = run_cli("instrument", "check", str(data_dir / "mini-instrument.yaml"))
    assert code == 0
    assert out.startswith("ok: mini-test 0.1") and "6 item(s) (2 reverse-keyed)" in out


CASES = [
    # (name, edit(text) -> text, needle marking the expected line, field, message fragment)
    ("bad_yaml", lambda t: t.replace("  - {id: SM2, text: We link", "  - {id: SM2 text: We link"),
     "{id: SM2 text", "", "bad YAML"),
    ("unknown_scale", lambda t: t.replace("doing.}", "doing., scale: agree7}"),
     "scale: agree7", "sections[0].constructs[0].items[1].scale", "unknown response scale 'agree7'"),
    ("duplicate_item", lambda t: t.replace("{id: SM2,", "{id: SM1,"),
     "{id: SM1, text: We link", "sections[0].constructs[0].items[1].id", "duplicate id 'SM1'"),
    ("too_few_items", lambda t: t.replace(
        "          - {id: SM2, text: We link changes in our figures to what other partners are doing.}\n", "")
     .replace("          - {id: SM3, text: Each organisation reads only its own numbers., reverse: true}\n", ""),
     "items:", "sections[0].constructs[0].items", "has 1 item(s); a construct needs at least 3"),
    ("unknown_field", lambda t: t.replace("numbers., reverse: true}", "numbers., revers: true}"),
     "revers: true", "sections[0].constructs[0].items[2].revers", "unknown field 'revers'"),
    ("expected_off_scale", lambda t: t.replace("expected: 2", "expected: 7"),
     "expected: 7", "attention_checks[0].expected", "expected value 7 is not on scale 'agree5'"),
    ("missing_code_in_range", lambda t: t.replace("      9: Don't know", "      3: Don't know"),
     "    missing:", "response_scales.agree5.missing", "missing code 3 lies inside the scale's range 1-5"),
    ("duplicate_key", lambda t: t.replace('version: "0.1"', 'version: "0.1"\nversion: "0.2"'),
     'version: "0.2"', "version", "duplicate key 'version'"),
    ("bad_item_id", lambda t: t.replace("{id: SM3,", "{id: 3SM,"),
     "{id: 3SM,", "sections[0].constructs[0].items[2].id", "must start with a letter"),
    ("unknown_source", lambda t: t.replace("source: kroll2023", "source: kroll2024", 1),
     "source: kroll2024", "sections[0].constructs[0].source", "not a reference key"),
    ("duplicate_scale_label", lambda t: t.replace("      2: Disagree", "      2: Strongly disagree"),
     "2: Strongly disagree", "response_scales.agree5.labels.2", "label 'Strongly disagree' is used for both 1 and 2"),
    ("duplicate_choice", lambda t: t.replace("{value: frontline, label: Frontline worker}",
                                             "{value: manager, label: Frontline worker}"),
     "{value: manager, label: Frontline", "context[2].choices[1].value", "choice value 'manager' is used twice"),
    ("mixed_ranges", lambda t: t.replace("      9: Don't know\n", "      9: Don't know\n  agree7:\n"
                                         "    labels: {1: a, 2: b, 3: c, 4: d, 5: e, 6: f, 7: g}\n", 1)
     .replace("doing.}", "doing., scale: agree7}"),
     "items:", "sections[0].constructs[0].items", "construct 'sensemaking' mixes response ranges (1..5, 1..7)"),
    ("duplicate_section", lambda t: t.replace("  - id: mechanisms\n    title: How we work together",
                                              "  - id: mechanisms\n    title: How we work together\n"
                                              "    constructs: []\n  - id: Mechanisms\n    title: Again"),
     "id: Mechanisms", "sections[1].id", "duplicate section id 'Mechanisms'"),
]


@pytest.mark.parametrize("name,edit,needle,field,message", CASES, ids=[c[0] for c in CASES])
def test_check_reports_each_problem_with_file_line_and_field(run_cli, tmp_path, mini, name, edit, needle, field,
                                                             message):
    text = edit(mini)
    assert text != mini
    path, code, out, err = _check(run_cli, tmp_path, text)
    assert code == 1, out + err
    line = _line_of(text, needle)
    head = f"{path}:{line}: {field}: " if field else f"{path}:{line}: "
    hits = [ln for ln in out.splitlines() if ln.startswith(head) and message in ln]
    assert hits, f"expected '{head}... {message}' in:\n{out}"
    assert "problem(s)" in err


def test_check_missing_translation(run_cli, tmp_path):
    from toolkit.resources import instruments_dir

    text = (instruments_dir() / "performance-attraction.yaml").read_text(encoding="utf-8")
    target = "              de: Uns ist klar, dass wir diese Wirkungen ohne die anderen Organisationen nicht erreichen.\n"
    assert target in text
    bad = text.replace(target, "")
    path, code, out, _ = _check(run_cli, tmp_path, bad)
    assert code == 1
    line = _line_of(bad, "en: We accept that we cannot reach these outcomes") - 1  # the item's 'text:' line
    assert f"{path}:{line}: sections[0].constructs[0].items[1].text: missing translation for language 'de'" in out
    assert len(out.strip().splitlines()) == 1  # exactly that one problem


def test_check_prints_every_problem_not_just_the_first(run_cli, tmp_path, mini):
    text = mini.replace("doing.}", "doing., scale: agree7}").replace("{id: DR1,", "{id: SM1,") \
        .replace("expected: 2", "expected: 7")
    path, code, out, _ = _check(run_cli, tmp_path, text)
    assert code == 1
    assert "unknown response scale 'agree7'" in out and "duplicate id 'SM1'" in out and "expected value 7" in out
    lines = [int(ln.split(":")[1]) for ln in out.strip().splitlines()]
    assert lines == sorted(lines)


def test_check_missing_file_and_load_error(run_cli, tmp_path, mini):
    code, _, err = run_cli("instrument", "check", str(tmp_path / "absent.yaml"))
    assert code == 2 and "not found" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text(mini.replace("{id: SM2,", "{id: SM1,"), encoding="utf-8")
    code, _, err = run_cli("instrument", "build", str(bad), "--format", "xlsx", "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "duplicate id 'SM1'" in err and "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_check_binary_file_is_one_located_line(run_cli, tmp_path, mini):
    """A control character or binary junk used to give a two-line PyYAML message without a line number."""
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"\x00\x01binary")
    code, out, err = run_cli("instrument", "check", str(junk))
    assert code == 1 and "Traceback" not in out + err
    assert out.strip() == f"{junk}:1: bad YAML: control characters are not allowed (found U+0000; is this a text file?)"
    bell = tmp_path / "bell.yaml"
    bell.write_text(mini.replace("title: Mini test instrument", "title: Mini \x07 test"), encoding="utf-8")
    code, out, _ = run_cli("instrument", "check", str(bell))
    assert code == 1 and out.strip().startswith(f"{bell}:3: bad YAML:") and len(out.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------------ build/codebook
def test_build_and_codebook_commands(run_cli, tmp_path, data_dir):
    from openpyxl import load_workbook

    for fmt in ("xlsx", "xlsform", "entry"):
        out = tmp_path / f"{fmt}.xlsx"
        code, stdout, err = run_cli("instrument", "build", "collective-data-use", "--format", fmt, "-o", str(out))
        assert code == 0, err
        assert out.exists() and str(out) in stdout
    out = tmp_path / "de.xlsx"
    assert run_cli("instrument", "build", "performance-attraction", "--format", "xlsx", "--lang", "de",
                   "-o", str(out))[0] == 0
    wb = load_workbook(out)
    assert wb["_meta"]["B3"].value == "de"
    code, _, err = run_cli("instrument", "build", str(data_dir / "mini-instrument.yaml"), "--format", "entry",
                           "-o", str(tmp_path / "mini.xlsx"))
    assert code == 0, err
    code, _, err = run_cli("instrument", "build", "hls-adoption", "--format", "pdf", "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "pdf" in err
    for ext in ("csv", "xlsx"):
        out = tmp_path / f"dict.{ext}"
        code, _, err = run_cli("instrument", "codebook", "hls-adoption", "-o", str(out))
        assert code == 0 and out.exists(), err
    code, _, err = run_cli("instrument", "codebook", "hls-adoption", "-o", str(tmp_path / "dict.txt"))
    assert code == 2 and ".xlsx or .csv" in err


@pytest.mark.parametrize("cmd", ["list", "show", "check", "build", "codebook", None])
def test_every_command_has_help_with_an_example(run_cli, cmd):
    code, out, _ = run_cli("instrument", *([cmd] if cmd else []), "--help")  # None: the group itself
    assert code == 0 and "Example:" in out and "hls instrument" in out.split("Example:")[1]


def test_cli_format_names_match_the_registry():
    from toolkit.cli.instrument import FORMAT_NAMES
    from toolkit.instruments.forms import FORMATS

    assert tuple(FORMATS) == FORMAT_NAMES


def test_instrument_cli_module_imports_nothing_heavy():
    code = ("import sys; import toolkit.cli.instrument; "
            "print([m for m in ('pandas', 'numpy', 'openpyxl', 'scipy', 'pyxform') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_demo_step_builds_every_form(tmp_path, demo_inputs):
    import toolkit

    lines: list[str] = []
    paths = toolkit.run_demo(tmp_path, only=["instruments"], echo=lines.append, inputs=demo_inputs())
    assert len(paths) == 4 * 3 + 4 * 2 + 1  # 3 forms + 2 dictionaries each, German questionnaire
    assert all(p.exists() for p in paths)
    assert len([s for s in lines if s.startswith("   ") and "items in" in s]) == 4


# --------------------------------------------------------------------------- construct <-> code links
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_instruments_link_every_construct_to_theory_codes(name):
    """The joint display's link is declared once, in the instrument; every shipped construct carries one."""
    from toolkit import load_codebook

    inst = load_instrument(name)
    assert inst.codebook == "hls-theory"
    codable = set(load_codebook("hls-theory").code_ids)
    assert set(inst.code_links) == {c.id for c in inst.constructs}
    assert all(set(codes) <= codable for codes in inst.code_links.values())


LINKED = """id: linked
title: Linked
version: "1"
{codebook}response_scales:
  a5: {{labels: {{1: a, 2: b, 3: c}}}}
sections:
  - id: s
    title: S
    constructs:
      - id: c1
        label: C
        definition: D
        source: Someone 2020
        scale: a5
        codes: {codes}
        items:
          - {{id: A1, text: a}}
          - {{id: A2, text: b}}
          - {{id: A3, text: c}}
"""


def test_instrument_check_finds_every_bad_code_link(tmp_path):
    bad = tmp_path / "linked.yaml"
    bad.write_text(LINKED.format(codebook="codebook: hls-theory\n",
                                 codes="[kroll.connectednes, kroll, Kroll.X, hls.human, hls.human]"), encoding="utf-8")
    problems = [str(p) for p in check_instrument(bad)]
    assert len(problems) == 4, problems
    assert all(p.startswith(f"{bad}:16: sections[0].constructs[0].codes: ") for p in problems)
    text = "\n".join(problems)
    assert "'kroll.connectednes' is not in codebook 'hls-theory'" in text
    assert "'kroll' is a category" in text and "'Kroll.X' is not a code id" in text and "listed twice" in text
    no_book = tmp_path / "nobook.yaml"
    no_book.write_text(LINKED.format(codebook="", codes="[hls.human]"), encoding="utf-8")
    assert "has no 'codebook'" in str(check_instrument(no_book)[0])
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(LINKED.format(codebook="codebook: nosuch\n", codes="[hls.human]"), encoding="utf-8")
    (p,) = check_instrument(unknown)
    assert p.location.line == 4 and "unknown codebook 'nosuch'" in p.message
    # a codebook file beside the instrument is found by its relative path
    import shutil

    from toolkit.resources import codebooks_dir

    shutil.copy(codebooks_dir() / "hls-theory.yaml", tmp_path / "mine.yaml")
    local = tmp_path / "local.yaml"
    local.write_text(LINKED.format(codebook="codebook: mine.yaml\n", codes="[hls.human]"), encoding="utf-8")
    assert check_instrument(local) == []
    assert load_instrument(local).code_links == {"c1": ("hls.human",)}
