"""The Python and CLI examples of docs/efa.md, docs/cfa.md and docs/aggregation.md run as written.

Each ```python block is executed in a scratch folder holding what the examples name (``tests/data`` and the
``bfi.csv``, ``hs1939.csv``, ``lq2002.csv`` copies, the sample survey as ``answers.csv``/``answers.xlsx``);
every ``hls ...`` line (with ``\\`` continuations joined) in the command blocks is run through the real CLI
entry point. An example that drifts from the API or the options fails here.
"""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["efa.md", "cfa.md", "aggregation.md"]


@pytest.fixture(scope="module")
def answers_xlsx(tmp_path_factory):
    path = tmp_path_factory.mktemp("answers") / "answers.xlsx"
    pd.read_csv(ROOT / "sample_data" / "survey" / "collective-data-use.csv").to_excel(path, index=False)
    return path


@pytest.fixture
def scratch(tmp_path, data_dir, monkeypatch, answers_xlsx):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "data").symlink_to(data_dir)
    for name in ("bfi.csv", "hs1939.csv", "lq2002.csv"):
        shutil.copy(data_dir / name, tmp_path / name)
    shutil.copy(ROOT / "sample_data" / "survey" / "collective-data-use.csv", tmp_path / "answers.csv")
    shutil.copy(answers_xlsx, tmp_path / "answers.xlsx")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _text(doc: str) -> str:
    return (ROOT / "docs" / doc).read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", DOCS)
def test_python_examples_run(scratch, doc, capsys):
    blocks = re.findall(r"```python\n(.*?)```", _text(doc), re.S)
    assert blocks, f"docs/{doc} has no Python example"
    for block in blocks:
        exec(compile(block, f"docs/{doc}", "exec"), {})  # noqa: S102 - our own documentation
    capsys.readouterr()


def _cli_lines(doc: str) -> list[str]:
    lines = []
    for block in re.findall(r"```\n(.*?)```", _text(doc), re.S):
        block = re.sub(r"\\\n\s*", " ", block)
        lines += [ln for ln in block.splitlines() if ln.startswith("hls ")]
    return lines


@pytest.mark.parametrize("doc", DOCS)
def test_cli_examples_run(scratch, doc, run_cli):
    lines = _cli_lines(doc)
    assert len(lines) >= 2, f"docs/{doc} shows no CLI example"
    for line in lines:
        args = shlex.split(line.split("  #")[0])[1:]
        code, out, err = run_cli(*args)
        assert code == 0, (line, out, err)
