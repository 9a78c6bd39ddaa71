"""The theory codebook: required ids, loader errors with file:line, `hls codebook check`, rule coverage."""
from __future__ import annotations

import json

import pytest

from toolkit.coding.codebook import CodebookError, check_codebook, load_codebook

REQUIRED = ["hls.human", "hls.learning", "hls.systems", "hls.funding", "complexity.compositional",
            "complexity.experiential", "complexity.dynamic", "complexity.governance", "governance.stewardship",
            "governance.principal_agent", "control.social", "control.technical", "attraction.shared_responsibility",
            "attraction.autonomous_navigation", "attraction.collective_learning",
            "partnership.learning_partnership", "kroll.system_sensemaking", "kroll.deliberation_routines",
            "kroll.dissent_conflict_balancing", "kroll.connectedness", "kroll.power_imbalance",
            "kroll.expertise_configurations", "kroll.distributed_leadership", "kroll.collective_data_use"]

# practitioner-style sentences written for the tests (not the codebook's example quotes)
PRACTITIONER = {
    "hls.human": "Our staff spend time getting to know the young people before any plan is written.",
    "hls.learning": "We tried a drop-in on Fridays, it didn't work, so we changed it and learned a lot.",
    "hls.systems": "It only moved once health, housing and the police started working in partnership.",
    "hls.funding": "The grant from the trust runs for three years and the reporting is one page.",
    "complexity.compositional": "Debt leads to stress, stress leads to drinking, and it all feeds into each other.",
    "complexity.experiential": "No two households are the same, so the standard offer never fitted.",
    "complexity.dynamic": "Since the cost of living crisis the demand has changed beyond recognition.",
    "complexity.governance": "Nobody owns reoffending, it falls between probation, housing and the GP.",
    "governance.stewardship": "We trust our providers now and let them get on with the job.",
    "governance.principal_agent": "The old contract had a penalty clause if they missed a single deadline.",
    "control.social": "What keeps us honest is peer review and the culture we built, not forms.",
    "control.technical": "Everything was about hitting the target and filling in the quarterly return.",
    "attraction.shared_responsibility": "In the end it's everyone's business, it's a shared outcome for the borough.",
    "attraction.autonomous_navigation": "We were free to decide how we contribute, it was voluntary to join.",
    "attraction.collective_learning": "The best bit is the community of practice where we pinch ideas.",
    "partnership.learning_partnership": "A researcher from the university sits in on our team meetings.",
    "kroll.system_sensemaking": "When the admissions spiked we asked what the numbers were really telling us.",
    "kroll.deliberation_routines": "Once a quarter everyone comes round the table to look at the dashboard.",
    "kroll.dissent_conflict_balancing": "People do push back on each other, but it never turns nasty.",
    "kroll.connectedness": "I can just pick up the phone to the school nurse if I'm worried.",
    "kroll.power_imbalance": "The bigger partner basically calls the shots and the rest of us follow.",
    "kroll.expertise_configurations": "Our analyst brings the stats and the outreach team bring what they see.",
    "kroll.distributed_leadership": "Each meeting is chaired by a different partner, so nobody is in charge.",
    "kroll.collective_data_use": "All five agencies pool their data into one spreadsheet we look at together.",
}


@pytest.fixture(scope="module")
def coder():
    from toolkit.coding.pipeline import Coder, build_nlp

    return Coder(load_codebook("hls-theory"), build_nlp())


def test_shipped_codebook_has_required_ids_and_passes_check():
    cb = load_codebook("hls-theory")
    assert set(REQUIRED) <= set(cb.code_ids)
    for cid in REQUIRED:
        code = cb.code(cid)
        assert code.definition and code.use_when and code.dont_use_when and code.example and code.rules
    assert check_codebook("hls-theory") == []


@pytest.mark.parametrize("code", REQUIRED)
def test_each_code_fires_on_practitioner_talk(coder, code):
    sentence = PRACTITIONER[code]
    assert sentence != load_codebook("hls-theory").code(code).example
    assert code in coder.codes_in(sentence), (code, coder.codes_in(sentence))


def test_plain_talk_without_theory_gets_no_code(coder):
    assert coder.codes_in("Thanks for having me, the traffic was terrible this morning.") == {}


def test_negation_and_counter_phrases_suppress(coder):
    assert "governance.stewardship" in coder.codes_in("We trust the providers completely.")
    assert "governance.stewardship" not in coder.codes_in("We do not trust the providers at all.")
    assert "hls.systems" in coder.codes_in("We looked at the whole system.")
    assert "hls.systems" not in coder.codes_in("The new IT system crashed again.")


BAD = """\
id: bad
title: Bad codebook
codes:
  - id: a.one
    name: One
    definition: first
    example: we meet every month
    rules:
      - phrases: [meet every month]
  - id: a.one
    name: Duplicate
    definition: again
    example: anything at all
    rules:
      - pattern: [{LEMAA: meet}]
  - id: a.two
    name: Two
    definition: proximity
    example: nothing relevant here
    rules:
      - near: [[data], [together]]
        window: 500
  - id: a.three
    name: Three
    definition: unmatched example
    example: the weather is nice
    rules:
      - phrases: [dashboard]
"""


def test_check_reports_duplicates_bad_patterns_and_unmatched_examples(tmp_path, run_cli):
    p = tmp_path / "bad.yaml"
    p.write_text(BAD)
    problems = [str(e) for e in check_codebook(p)]
    text = "\n".join(problems)
    assert f"{p}:10: a.one.id: duplicate code id 'a.one' (first defined on line 4)" in text
    assert f"{p}:15: a.one.rules[0].pattern[0]: invalid token pattern" in text
    assert f"{p}:22: a.two.rules[0].window: window must be a whole number" in text
    assert f"{p}:26: a.three.example: the code's rules do not match its own example quote" in text
    code, out, err = run_cli("codebook", "check", str(p))
    assert code != 0 and "duplicate code id" in out and "error:" in err
    with pytest.raises(CodebookError):
        load_codebook(p)


def test_loader_error_is_located(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("id: x\ntitle: X\ncodes:\n  - id: Bad Id\n    name: n\n    definition: d\n")
    with pytest.raises(CodebookError) as exc:
        load_codebook(p)
    assert str(exc.value).startswith(f"{p}:4: Bad Id.id: code id must be lower-case")


def test_cli_list_show(run_cli):
    code, out, _ = run_cli("codebook", "list")
    assert code == 0 and "hls-theory" in out and "24 codes" in out
    code, out, _ = run_cli("codebook", "show", "hls-theory", "--code", "kroll.connectedness")
    assert code == 0 and "pick up the phone" in out and "hls.learning" not in out
    code, out, _ = run_cli("codebook", "check", "hls-theory")
    assert code == 0


def test_show_unknown_code_is_an_error(run_cli):
    # a mistyped --code printed only the header and exited 0
    code, out, err = run_cli("codebook", "show", "hls-theory", "--code", "kroll.conectedness")
    assert code == 2 and "no code 'kroll.conectedness'" in err
    code, out, _ = run_cli("codebook", "show", "hls-theory", "--code", "kroll", "--json")
    assert code == 0 and {c["id"] for c in json.loads(out)["codes"]} >= {"kroll", "kroll.connectedness"}
