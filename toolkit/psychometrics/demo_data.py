"""The bundled sample survey that the psychometric demo steps analyse."""
from __future__ import annotations

from pathlib import Path

from ..resources import sample_data_dir

SAMPLE = sample_data_dir() / "survey" / "collective-data-use.csv"
INSTRUMENT = "collective-data-use"


def sample_survey(sample: Path | None = None):
    """``(instrument, DataFrame)`` for the sample survey (or *sample*, a file of the same instrument)."""
    from ..errors import DataError
    from ..instruments import load_instrument
    from ..survey.table import read_table

    sample = Path(sample) if sample is not None else SAMPLE
    if not sample.exists():
        raise DataError("the sample survey is missing (it is generated with the toolkit's sample data)", file=sample)
    return load_instrument(INSTRUMENT), read_table(sample)
