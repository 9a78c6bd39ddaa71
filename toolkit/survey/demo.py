"""``hls demo`` step for survey data: import every sample channel, validate, score the bundled survey."""
from __future__ import annotations

from pathlib import Path

INSTRUMENT = "collective-data-use"


def sample_dir() -> Path:
    """The bundled ``sample_data/survey`` folder."""
    from ..resources import sample_data_dir

    return sample_data_dir() / "survey"


def step(outdir: Path, echo) -> list[Path]:
    from .importer import read_survey
    from .output import write_survey
    from .score import score
    from .table import read_table

    src = sample_dir()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if not src.exists():  # installed without the sample data: simulate instead
        from .samples import make_channels
        from .simulate import simulate

        src = outdir / "sample-input"
        src.mkdir(parents=True, exist_ok=True)
        write_survey(simulate(INSTRUMENT, n=400, groups=40, seed=1), src / f"{INSTRUMENT}.csv", INSTRUMENT)
        make_channels(INSTRUMENT, src)
    channels = [src / "questionnaires", src / "kobo-export.csv", src / "odk-export.csv", src / "qualtrics-export.csv"]
    data, report = read_survey(channels, INSTRUMENT)
    written.append(write_survey(data, outdir / "channels-imported.csv", INSTRUMENT))
    report.write(outdir / "channels-validation.xlsx")
    written.append(outdir / "channels-validation.xlsx")
    echo(f"   imported {len(data)} respondent(s) from {len(report.files)} file(s) (questionnaires, Kobo, ODK, "
         f"Qualtrics): {report.n_errors} error(s), {report.n_warnings} warning(s) (two errors are planted)")
    survey, survey_report = read_survey(src / f"{INSTRUMENT}.csv", INSTRUMENT)
    survey_report.write(outdir / "survey-validation.csv")
    written.append(outdir / "survey-validation.csv")
    written.append(write_survey(survey, outdir / f"{INSTRUMENT}.sav", INSTRUMENT))
    scored = score(read_table(src / f"{INSTRUMENT}.csv"), INSTRUMENT)
    written.append(write_survey(scored, outdir / f"{INSTRUMENT}-scored.csv", INSTRUMENT))
    echo(f"   validated and scored {len(scored)} simulated respondents: {survey_report.n_warnings} warning(s); "
         f"labelled SPSS file and scores written")
    return written
