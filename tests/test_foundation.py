"""The package skeleton: error reporting, atomic output, safe cells, lazy CLI."""
from __future__ import annotations

import subprocess
import sys

import pytest

from toolkit.errors import ToolkitError
from toolkit.io import atomic_path, is_formula_like, safe_text, unescape_text


def test_error_location_is_one_line():
    err = ToolkitError("unknown response scale 'x'", file="a.yaml", line=3, field="items[0].scale")
    assert str(err) == "a.yaml:3: items[0].scale: unknown response scale 'x'"
    assert str(ToolkitError("bad value", file="d.csv", line=7, field="A1", kind="row")) == "d.csv:row 7: A1: bad value"


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with atomic_path(target) as tmp:
        tmp.write_text("whole")
    assert target.read_text() == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_unwritable_output_is_a_located_user_error(tmp_path, run_cli):
    """A folder that is a file, or a target that is a folder, used to surface as a raw OSError naming the temp file."""
    from toolkit.io import write_text

    (tmp_path / "afile").write_text("x")
    with pytest.raises(ToolkitError, match=r"afile/out.csv: cannot write here \(Not a directory\)"):
        write_text(tmp_path / "afile" / "out.csv", "data")
    (tmp_path / "adir").mkdir()
    with pytest.raises(ToolkitError, match=r"adir: cannot write here"):
        write_text(tmp_path / "adir", "data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "afile"]
    assert list((tmp_path / "adir").iterdir()) == []
    code, out, err = run_cli("instrument", "build", "performance-attraction", "--format", "xlsx",
                             "-o", str(tmp_path / "afile" / "q.xlsx"))
    assert code == 2 and err.strip() == f"error: {tmp_path / 'afile' / 'q.xlsx'}: cannot write here (Not a directory)"


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-A1", "@cmd", "=HYPERLINK(\"x\")"])
def test_formula_like_text_is_escaped_and_restored(text):
    assert is_formula_like(text)
    escaped = safe_text(text)
    assert escaped.startswith("'")
    assert unescape_text(escaped) == text


def test_numbers_are_not_escaped():
    assert safe_text("-1.5") == "-1.5"
    assert safe_text(-1) == -1


def test_help_lists_groups_and_imports_nothing_heavy():
    code = ("import sys; from toolkit.cli.main import main; rc = main(['--help']); "
            "heavy = [m for m in ('pandas', 'numpy', 'spacy', 'semopy', 'openpyxl', 'scipy') if m in sys.modules]; "
            "print('HEAVY', heavy); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for group in ("instrument", "survey", "analyze", "code", "codebook", "demo"):
        assert group in out
    assert "HEAVY []" in out


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("hls ")


def test_unknown_command_exits_nonzero(run_cli):
    code, _, err = run_cli("nosuchgroup")
    assert code != 0 and "nosuchgroup" in err


def test_outputs_follow_the_umask(tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "o.txt") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(mask)
    assert (tmp_path / "o.txt").stat().st_mode & 0o777 == 0o644


def test_ctx_exit_code_reaches_the_shell():
    import click

    from toolkit.cli import main as main_mod

    @main_mod.cli.command("_exit3", hidden=True)
    @click.pass_context
    def _exit3(ctx):
        ctx.exit(3)

    try:
        assert main_mod.main(["_exit3"]) == 3
    finally:
        main_mod.cli.commands.pop("_exit3", None)


@pytest.mark.parametrize("argv", [
    ["analyze", "efa", "{f}", "--items", "A1,A2,A3", "-o", "{f}"],
    ["analyze", "parallel", "{f}", "--items", "A1,A2,A3", "--plot", "{f}"],
    ["analyze", "cfa", "{f}", "--model", "a =~ A1 + A2 + A3", "-o", "{f}"],
    ["analyze", "aggregate", "{f}", "--group", "g", "--scale", "a=A1,A2,A3", "--options", "5", "--groups-out", "{f}"],
    ["analyze", "reliability", "{f}", "--scale", "a=A1,A2,A3", "-o", "{f}"],
    ["code", "run", "{f}", "--codebook", "hls-theory", "--csv", "{f}"],
    ["code", "apply-review", "{f}", "-o", "{f}"],
    ["code", "agreement", "{f}", "{f}", "-o", "{f}"],
    ["code", "evaluate", "--gold", "{f}", "--pred", "{f}", "-o", "{f}"],
    ["code", "export", "{f}", "--codebook", "hls-theory", "--format", "qdc", "-o", "{f}"],
    ["codebook", "import", "{f}", "-o", "{f}"],
    ["instrument", "build", "{f}", "--format", "xlsx", "-o", "{f}"],
])
def test_no_command_overwrites_its_input(run_cli, tmp_path, argv):
    """Inputs are never modified: an output naming an input file is refused before anything is read."""
    suffix = {"efa": ".xlsx", "parallel": ".png", "cfa": ".xlsx", "aggregate": ".csv", "reliability": ".xlsx",
              "run": ".csv", "apply-review": ".csv", "agreement": ".xlsx", "evaluate": ".xlsx", "export": ".qdc",
              "import": ".yaml", "build": ".xlsx"}[argv[1]]
    f = tmp_path / f"input{suffix}"
    f.write_bytes(b"precious raw data\n")
    code, out, err = run_cli(*[a.replace("{f}", str(f)) for a in argv])
    assert code != 0
    assert "would overwrite the input file" in err and "Traceback" not in err, err
    assert f.read_bytes() == b"precious raw data\n"


@pytest.mark.parametrize("command", ["reliability", "efa", "parallel", "cfa", "aggregate"])
def test_analyze_commands_take_i_for_instrument_like_survey(command):
    import click

    from toolkit.cli.analyze import analyze

    cmd = analyze.get_command(click.Context(analyze), command)
    opts = {o for p in cmd.params for o in p.opts}
    assert {"--instrument", "-i"} <= opts


def test_sample_data_copies_the_inputs_and_protects_edits(run_cli, tmp_path):
    out = tmp_path / "sample"
    code, stdout, err = run_cli("sample-data", "-o", str(out))
    assert code == 0, err
    assert (out / "survey" / "collective-data-use.csv").exists()
    assert len(list((out / "transcripts").glob("INT0*.txt"))) == 6 and (out / "transcripts" / "gold.csv").exists()
    assert not list(out.rglob("*.py")) and not list(out.rglob("*.sh"))
    assert run_cli("sample-data", "-o", str(out))[0] == 0  # same content again: harmless
    edited = out / "survey" / "collective-data-use.csv"
    edited.write_text("respondent_id\nmine\n")
    code, _, err = run_cli("sample-data", "-o", str(out))
    assert code == 2 and "collective-data-use.csv" in err and "--force" in err
    assert edited.read_text() == "respondent_id\nmine\n"
    assert run_cli("sample-data", "-o", str(out), "--force")[0] == 0
    assert edited.read_text() != "respondent_id\nmine\n"


def test_quiet_and_verbose_are_global_options(run_cli):
    code, _, err = run_cli("--quiet", "--verbose", "instrument", "list")
    assert code == 2 and "exclude each other" in err
    assert run_cli("-q", "instrument", "list")[0] == 0


def test_progress_is_silent_when_not_a_terminal(capsys):
    from toolkit import console

    assert list(console.progress(range(3), desc="x")) == [0, 1, 2]
    assert capsys.readouterr().err == ""
