"""Shared test fixtures. Tests never read ../shared: the data they need is copied into tests/data/."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def bfi():
    """psych's bfi (tests/data/bfi.csv), read once for the session; tests must not modify it."""
    import pandas as pd

    return pd.read_csv(DATA / "bfi.csv")


@pytest.fixture(scope="session")
def sparse():
    """Ordinal items with sparse and empty categories (tests/data/ordinal_sparse.csv, from ordinal_data.R)."""
    import pandas as pd

    return pd.read_csv(DATA / "ordinal_sparse.csv")


@pytest.fixture
def run_cli():
    """Run ``hls ARGS...`` in-process through the real entry point; returns (exit_code, stdout, stderr)."""
    from toolkit.cli.main import main

    def _run(*args: str):
        runner = CliRunner()
        result = runner.invoke(_Main(main), list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return _run


class _Main:
    """Adapter so CliRunner can call the non-standalone ``main`` (which returns an exit code)."""

    def __init__(self, main):
        self._main = main
        self.name = "hls"

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        raise SystemExit(self._main(list(args or [])))


@pytest.fixture
def demo_inputs(tmp_path):
    """``make(df)`` writes *df* as the demo's survey input and returns the inputs folder (for toolkit.run_demo)."""
    def make(df=None, name="collective-data-use.csv"):
        folder = tmp_path / "demo-inputs"
        (folder / "survey").mkdir(parents=True, exist_ok=True)
        if df is not None:
            df.to_csv(folder / "survey" / name, index=False)
        return folder

    return make
