"""The shipped theory codebook's rules on NEW practitioner-style sentences (written for these tests, not taken
from the sample interviews): each of the 24 codes must fire on its positives and stay silent on near misses,
negations and other senses of its trigger words. Also guards the rule that no phrase repeats more than four
consecutive words of a gold-coded sample sentence.

All sentences go through ``toolkit.code_documents`` once, as one temporary transcript with one turn each.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import toolkit

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "hls-theory.yaml"
GOLD = ROOT / "sample_data" / "transcripts" / "gold.csv"

POSITIVE = {
    "hls.human": [
        "Our support workers can spend as long as it takes to get to know the young person before anything else.",
        "We stopped doing the standard assessment and now we start from what the tenant is good at, their strengths.",
        "It's the relationship with the same worker over months that makes the difference for these families.",
    ],
    "hls.learning": [
        "Every quarter we look honestly at what isn't working and change how we do things.",
        "We ran a small pilot on two estates, learned a lot from it and then scrapped half of it.",
        "The team has reflective practice every fortnight where people can admit when they got it wrong.",
    ],
    "hls.systems": [
        "You can't fix homelessness from one service, so we mapped the whole system with the health trust and the police.",
        "The job now is to join up the mental health teams and the housing teams so people don't fall through.",
        "We work in partnership across sectors rather than in our own silo.",
    ],
    "hls.funding": [
        "The funder gave us a three-year grant with very light reporting.",
        "When we re-tender the contract we want to commission for outcomes, not for activity.",
        "The budget sits with the alliance now and they can move money between services.",
    ],
    "complexity.compositional": [
        "Debt, housing and mental health all feed into each other, so you can't pull one thread on its own.",
        "There's never a single root cause, it's a combination of things landing on a family at once.",
        "Once you lose the tenancy there's a knock-on effect on school attendance and on health.",
    ],
    "complexity.experiential": [
        "Every family we work with is different, so a standard package just doesn't fit.",
        "There's no such thing as a typical client in this job.",
        "Two people with the same diagnosis can experience it completely differently.",
    ],
    "complexity.dynamic": [
        "Since the pandemic the demand has changed completely and it keeps changing month to month.",
        "By the time a five-year plan is signed off it's out of date.",
        "The cost of living crisis came out of nowhere and the referrals we get are very different now.",
    ],
    "complexity.governance": [
        "No single agency owns that outcome, it falls between the cracks of three remits.",
        "Health is answerable to the integrated care board and we answer to elected members, so nobody is in charge of it.",
        "We can't claim the credit for it because half of what moves the figure is outside our control.",
    ],
    "governance.stewardship": [
        "We trust the providers to use their professional judgement and we give them the freedom to get on with it.",
        "Our approach to the charities is high-trust and light-touch, they know what they are doing.",
        "People in this sector are intrinsically motivated, they're not in it for the money.",
    ],
    "governance.principal_agent": [
        "Under the old contract we had penalties for missed targets and we checked up on them every month.",
        "If a provider underperformed we issued a default notice and held back part of the payment.",
        "Commissioners assumed providers would game the figures, so there was a lot of compliance checking.",
    ],
    "control.social": [
        "Instead of chasing targets we hold each other to account through honest conversations.",
        "What keeps it on track is a shared purpose and the ground rules we agreed between us.",
        "There's a real sense of mutual accountability, nobody wants to let the others down.",
    ],
    "control.technical": [
        "Every quarter we send a return with twelve KPIs and anything below target goes red.",
        "The service is judged on a league table of waiting times.",
        "It became a box-ticking exercise to hit the numbers for the inspection.",
    ],
    "attraction.shared_responsibility": [
        "Reducing rough sleeping is everybody's business, not just the council's.",
        "All the partners signed up to the same outcomes and we share the responsibility for them.",
        "We all play our part, the police, the schools, the GPs, because nobody wins unless the whole area does.",
    ],
    "attraction.autonomous_navigation": [
        "Each locality picked the outcomes that fit their area and worked out their own route to them.",
        "Nobody told the partners how to get there, signing up to the framework was voluntary.",
        "The district teams interpret the framework in their own way and decide locally what to try.",
    ],
    "attraction.collective_learning": [
        "The providers learn from each other now, we share what works at the network meeting.",
        "We set up a community of practice so the organisations can compare notes.",
        "Every year the partners review the framework together and adapt it to what they have learned.",
    ],
    "partnership.learning_partnership": [
        "The university team acts as a critical friend and sits in on our reflection sessions.",
        "We run it as action research with an embedded researcher from the university.",
        "Our evaluation partner feeds back what they observe and it changes how we work.",
    ],
    "kroll.system_sensemaking": [
        "The numbers only tell you so much, we try to work out the story behind them.",
        "When the eviction figures spiked we pieced the data together from three agencies to see why.",
        "We get to the bottom of what's driving it before anyone decides anything.",
    ],
    "kroll.deliberation_routines": [
        "Every month the partners get together and go through the dashboard line by line.",
        "We have a quarterly learning review where each agency brings its figures to the table.",
        "The data is a standing item on the agenda of the partnership board.",
    ],
    "kroll.dissent_conflict_balancing": [
        "We disagree a lot about what the figures show, but it never gets personal.",
        "The youth charity pushed back hard on our reading of the data and we had a robust discussion.",
        "There was real tension between the two providers, and the chair had to mediate.",
    ],
    "kroll.connectedness": [
        "We all know each other by now, so I just pick up the phone to the housing lead.",
        "The working relationships between the agencies are much stronger than they were.",
        "If something comes up I can message the school nurse on the group chat.",
    ],
    "kroll.power_imbalance": [
        "The council holds the purse strings, so the smaller charities don't feel they can say no.",
        "The NHS owns the data, and we have to wait in a queue to get anything out of it.",
        "It's very top-down, the big players call the shots and the small organisations have no voice.",
    ],
    "kroll.expertise_configurations": [
        "The analyst brings the statistics and the frontline staff know the families.",
        "The debt adviser knows the benefit rules inside out, so we always ask her.",
        "What makes it work is the mix of expertise, clinicians, data people and experts by experience.",
    ],
    "kroll.distributed_leadership": [
        "We rotate the chair so each partner takes a turn leading the session.",
        "Any partner can put an item on the agenda and lead the discussion on it.",
        "Leadership is shared, it's not one lead agency telling everyone else what to do.",
    ],
    "kroll.collective_data_use": [
        "We pool our data with the other partners and agree together what to change.",
        "There's a shared dashboard now, so every partner can see each other's data.",
        "The data flows both ways, we send them our figures and they send us theirs.",
    ],
}

# sentences that must NOT get the code: near misses, negations and other senses of the trigger words
NEGATIVE = {
    "hls.systems": ["We had to upgrade the IT system and the case management system last year."],
    "hls.funding": ["Most of the families we see are in debt and waiting on a Universal Credit claim."],
    "hls.learning": ["Everyone has to complete the mandatory training on data protection.",
                     "The principle is that we succeed or fail together as partners."],
    "complexity.experiential": ["We invited two family support workers to the meeting.",
                                "The lived experience panel chaired the session this time."],
    "complexity.dynamic": ["Providers chose the people who would move on quickly."],
    "governance.stewardship": ["The academy trust runs four schools across the borough.",
                               "Honestly, we don't trust the providers with that money.",
                               "There's a real lack of trust between the council and the charities."],
    "governance.principal_agent": ["A lot of the clients have had their benefits sanctioned.",
                                   "The schools talked about issuing fixed penalty notices for absence.",
                                   "We don't have to justify ourselves every month any more."],
    "control.technical": ["It turned into a bit of a point-scoring exercise between the charities."],
    "kroll.dissent_conflict_balancing": ["The biggest challenge is funding, to be honest.",
                                         "I went to the wrong floor when I arrived."],
    "kroll.deliberation_routines": ["We had a contract review meeting with the provider about their figures.",
                                    "She had eleven sessions with me and the dashboard flagged it."],
    "kroll.system_sensemaking": ["We started with what she liked, and it turned out she used to paint."],
    "kroll.power_imbalance": ["We started what we call the learning session."],
    "kroll.connectedness": ["The client just stopped turning up to appointments."],
    "hls.human": ["The monthly return lists the number of referrals by postcode."],
    "complexity.governance": ["Nobody looked at anyone else's numbers back then."],
}


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """sentence text -> set of codes, from one run over all test sentences."""
    sentences = [s for v in POSITIVE.values() for s in v] + [s for v in NEGATIVE.values() for s in v]
    assert len(set(sentences)) == len(sentences), "test sentences must be unique"
    folder = tmp_path_factory.mktemp("rules")
    path = folder / "rules.txt"
    path.write_text("---\ninterview_id: RULES\n---\n" + "\n\n".join(f"Pat: {s}" for s in sentences) + "\n",
                    encoding="utf-8")
    res = toolkit.code_documents([path], "hls-theory")
    doc = toolkit.read_transcript(path)
    assert [s.text for s in doc.sentences] == sentences, "each test sentence must be exactly one unit"
    got: dict[str, set] = {s: set() for s in sentences}
    for row in res.codings.itertuples():
        got[row.text].add(row.code)
    return got


def test_every_required_code_has_new_examples():
    codes = toolkit.load_codebook("hls-theory").code_ids
    assert sorted(POSITIVE) == sorted(codes) and len(codes) == 24
    assert all(2 <= len(v) <= 3 for v in POSITIVE.values())
    assert set(NEGATIVE) <= set(codes)


@pytest.mark.parametrize("code,sentence", [(c, s) for c, v in POSITIVE.items() for s in v])
def test_rule_fires_on_practitioner_phrasing(coded, code, sentence):
    assert code in coded[sentence], f"{code} missed; got {sorted(coded[sentence])}"


@pytest.mark.parametrize("code,sentence", [(c, s) for c, v in NEGATIVE.items() for s in v])
def test_rule_stays_silent_on_near_miss(coded, code, sentence):
    assert code not in coded[sentence], f"{code} fired on a near miss"


def _phrases():
    def walk(codes):
        for c in codes:
            yield c
            yield from walk(c.get("children", []))

    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    for c in walk(data["codes"]):
        for rule in list(c.get("rules", [])) + list(c.get("unless", [])):
            for ph in rule.get("phrases", []):
                yield c["id"], str(ph)
            for side in rule.get("near", []):
                for ph in side:
                    yield c["id"], str(ph)


def test_no_phrase_lifts_more_than_four_words_of_a_gold_sentence():
    """Compared on lemmas without punctuation, the way the matcher sees them ("went out" == "go out")."""
    if not GOLD.exists():
        pytest.skip("sample_data/transcripts/gold.csv not present")
    import pandas as pd

    from toolkit.coding.pipeline import build_nlp

    nlp = build_nlp()

    def lemmas(text):
        return " " + " ".join(t.lemma_.lower() for t in nlp(text) if not t.is_punct) + " "

    gold = [lemmas(s) for s in pd.read_csv(GOLD, keep_default_na=False)["sentence"]]
    long = [(cid, ph) for cid, ph in _phrases() if len(ph.split()) > 4]
    assert long, "the codebook has long phrases, so this guard is exercised"
    lifted = [(cid, ph) for cid, ph in long if any(lemmas(ph) in s for s in gold)]
    assert not lifted, f"phrases repeating 5+ words of a gold sentence: {lifted}"
