"""The ``roster:`` block of an instrument YAML: sociometric questions each member answers about every other
member of their partnership (who they exchange performance information with, whose view carries weight, to
whom they look for leadership).

::

    roster:
      title: The people in your partnership          # optional (text)
      intro: For each person, pick ...               # optional (text)
      questions:
        - id: exchange                               # a variable-style name, unique in the instrument
          text: How often do you exchange performance information with this person?
          scale: freq5                               # binary or frequency scale whose lowest value 0 = no tie
          antecedent: connectedness                  # a construct id of the instrument or a Kroll antecedent
          source: kroll2023                          # optional: a reference key or a free citation

Every problem is reported by :class:`~toolkit.instruments.loader._Checker` with its line and field.
"""
from __future__ import annotations

from .model import Roster, RosterQuestion
from .yamlsrc import LineDict

ROSTER_KEYS = {"title", "intro", "questions"}
QUESTION_KEYS = {"id", "text", "scale", "antecedent", "source"}
ROSTER_SCALE_KINDS = ("binary", "frequency")
#: Kroll's (2023) relational antecedents of collective performance data use; a roster question may name one of
#: them even when the instrument has no construct of that id.
KROLL_ANTECEDENTS = ("connectedness", "power_imbalance", "expertise_configurations", "distributed_leadership")


def check_roster(ck, root, scales: dict, refs: dict, construct_ids: set[str]) -> Roster | None:
    """Build the :class:`Roster` of *root* (None when the file has no ``roster:``), recording problems on *ck*."""
    if not isinstance(root, LineDict) or root.get("roster") is None:
        return None
    node = ck.mapping(root, "roster", "roster")
    if node is None:
        return None
    ck.unknown_keys(node, ROSTER_KEYS, "roster")
    title = ck.text(node, "title", "roster.title", required=False)
    intro = ck.text(node, "intro", "roster.intro", required=False)
    qnodes = ck.sequence(node, "questions", "roster.questions")
    if "questions" in node and not qnodes:
        ck.problem("a roster needs at least one question", node, "roster.questions", "questions")
    questions = []
    for qi, qnode in enumerate(qnodes):
        qfield = f"roster.questions[{qi}]"
        if not isinstance(qnode, LineDict):
            ck.problem("must be a mapping with id, text, scale and antecedent", qnodes.item_lines[qi], qfield)
            continue
        ck.unknown_keys(qnode, QUESTION_KEYS, qfield)
        qid = ck.name(qnode, qfield, "roster question id")
        ck.unique(qid, qnode, qfield)
        text = ck.text(qnode, "text", f"{qfield}.text")
        scale = ck.string(qnode, "scale", f"{qfield}.scale")
        if scale and scale not in scales:
            ck.problem(f"unknown response scale '{scale}'", qnode, f"{qfield}.scale", "scale")
        elif scale:
            sc = scales[scale]
            if sc.kind not in ROSTER_SCALE_KINDS:
                ck.problem(f"response scale '{scale}' is of kind '{sc.kind}'; a roster question needs a binary "
                           "(no/yes) or frequency scale", qnode, f"{qfield}.scale", "scale")
            elif sc.min != 0:
                ck.problem(f"response scale '{scale}' starts at {sc.min:g}; a roster scale's lowest value must be 0 "
                           "(no tie: 'No' or 'Never'), so that weights are 0 for an answered non-tie", qnode,
                           f"{qfield}.scale", "scale")
        antecedent = ck.string(qnode, "antecedent", f"{qfield}.antecedent")
        if antecedent and antecedent not in construct_ids and antecedent not in KROLL_ANTECEDENTS:
            known = sorted(set(KROLL_ANTECEDENTS) | construct_ids)
            ck.problem(f"unknown antecedent '{antecedent}' (use a construct id of this instrument or one of "
                       f"{', '.join(known)})", qnode, f"{qfield}.antecedent", "antecedent")
        source = ck.string(qnode, "source", f"{qfield}.source", required=False)
        if source and " " not in source and source not in refs:
            ck.problem(f"source '{source}' is not a reference key (known: {', '.join(refs) or 'none'})", qnode,
                       f"{qfield}.source", "source")
        questions.append(RosterQuestion(qid, text, scale, antecedent, refs.get(source, source)))
    return Roster(title, intro, tuple(questions))
