"""Make the empty template for gold.csv from the sample interviews.

Sentence contract (the same one the transcript reader follows):
- skip the front matter block between the first two ``---`` lines;
- a turn starts on a line ``Name: text`` (Name = a first name or ``Interviewer``);
  following lines up to the next ``Name:`` line continue the turn and are joined with a single space;
  the turn text is whitespace-stripped;
- each turn is split separately with ``spacy.blank("en")`` + the ``sentencizer`` pipe;
- sentences are numbered 0, 1, 2, ... across the whole document; ``sentence`` = ``sent.text.strip()``.

Usage:  python make_gold_template.py [OUT.csv]   (default: print the CSV to stdout)
The ``codes`` column of the template is empty; gold.csv is this template with codes filled in by hand.
"""
import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TURN = re.compile(r"^([A-Za-z]+):\s?(.*)$")


def turns(path):
    """Yield (speaker, text) for each turn of one transcript file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and lines[0].strip() == "---":
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        lines = lines[end + 1:]
    speaker, parts = None, []
    for line in lines:
        m = TURN.match(line)
        if m:
            if speaker is not None:
                yield speaker, " ".join(parts).strip()
            speaker, parts = m.group(1), [m.group(2).strip()]
        elif speaker is not None and line.strip():
            parts.append(line.strip())
    if speaker is not None:
        yield speaker, " ".join(parts).strip()


def template_rows(folder=HERE):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    rows = []
    for path in sorted(folder.glob("INT*.txt")):
        index = 0
        for speaker, text in turns(path):
            for sent in nlp(text).sents:
                sentence = sent.text.strip()
                if not sentence:
                    continue
                rows.append({"document": path.stem, "unit_index": index, "speaker": speaker,
                             "sentence": sentence, "codes": ""})
                index += 1
    return rows


def main(argv):
    rows = template_rows()
    out = open(argv[1], "w", newline="", encoding="utf-8") if len(argv) > 1 else sys.stdout
    writer = csv.DictWriter(out, fieldnames=["document", "unit_index", "speaker", "sentence", "codes"])
    writer.writeheader()
    writer.writerows(rows)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main(sys.argv)
