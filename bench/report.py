"""Wall time of ``hls report`` (toolkit.report) and of ``hls demo`` from a fresh install.

1. The report on the bundled sample (400 respondents x 37 items, 6 interviews).
2. The report on synthetic data: 50,000 respondents x 60 items (12 constructs of 5 items, 500 partnerships) and
   200 interviews (turns drawn from the sample interviews, ~2,000 words each), every construct linked to a code.
   Baseline in the same run: the same analyses through the public API without the report (read_survey,
   reliability, efa, cfa, aggregate, code_documents), so the ratio is what the page, workbook and figures cost.
3. ``hls demo`` in an empty folder, from a fresh virtual environment with a non-editable ``pip install`` of this
   checkout (the environment reuses the installed dependencies: ``--system-site-packages``, ``--no-deps``).

Targets: report on the large study under 60 s on 2 cores; the demo under 60 s.

    python bench/report.py              # all three
    python bench/report.py --skip-demo  # without the fresh install
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODES = ["kroll.connectedness", "kroll.power_imbalance", "kroll.expertise_configurations",
         "kroll.distributed_leadership", "kroll.system_sensemaking", "kroll.deliberation_routines",
         "kroll.dissent_conflict_balancing", "kroll.collective_data_use", "hls.human", "hls.learning",
         "hls.systems", "hls.funding"]


def instrument_yaml(n_constructs=12, n_items=5) -> str:
    lines = ['id: bench-60', 'title: "Benchmark instrument, 60 items"', 'version: "1.0"', "codebook: hls-theory",
             "response_scales:", "  agree5:", "    labels: {1: Strongly disagree, 2: Disagree, 3: Neither, 4: Agree, "
             "5: Strongly agree}", "    missing: {9: Don't know}", "sections:", "  - id: all", "    title: All",
             "    constructs:"]
    for c in range(n_constructs):
        lines += [f"      - id: c{c + 1:02d}", f"        label: Construct {c + 1}", "        definition: A construct.",
                  "        source: Written for the benchmark", "        scale: agree5", f"        codes: [{CODES[c % len(CODES)]}]",
                  "        items:"]
        for i in range(n_items):
            rev = ", reverse: true" if i == n_items - 1 else ""
            lines.append(f"          - {{id: C{c + 1:02d}_{i + 1}, text: Item {i + 1} of construct {c + 1}{rev}}}")
    lines += ["context:", "  - {id: respondent_id, text: Respondent, type: text, role: respondent}",
              "  - {id: partnership_id, text: Partnership, type: text, role: group}",
              "  - id: role", "    text: Role", "    type: select_one", "    role: role", "    choices:",
              "      - {value: manager, label: Manager}", "      - {value: frontline, label: Frontline}",
              "      - {value: other, label: Other}"]
    return "\n".join(lines) + "\n"


def transcripts(folder: Path, groups: list[str], n: int = 200, words: int = 2000, seed: int = 1) -> None:
    """*n* interviews whose turns are drawn from the sample interviews, each in one of *groups*."""
    import toolkit
    from toolkit.resources import sample_data_dir

    rng = random.Random(seed)
    turns = []
    for p in sorted((sample_data_dir() / "transcripts").glob("INT*.txt")):
        doc = toolkit.read_transcript(p)
        turns += [(t.speaker, t.text) for t in doc.turns]
    answers = [t for t in turns if t[0] != "Interviewer"]
    questions = [t for t in turns if t[0] == "Interviewer"]
    folder.mkdir(parents=True, exist_ok=True)
    roles = ["manager", "frontline", "commissioner", "consultant", "academic"]
    for k in range(n):
        body, count = [], 0
        while count < words:
            q, a = rng.choice(questions), rng.choice(answers)
            body += [f"Interviewer: {q[1]}", "", f"Alex: {a[1]}", ""]
            count += len(q[1].split()) + len(a[1].split())
        head = ["---", f"interview_id: B{k + 1:03d}", f"partnership_id: {groups[k % len(groups)]}",
                f"role: {roles[k % len(roles)]}", "---"]
        (folder / f"B{k + 1:03d}.txt").write_text("\n".join(head + body), encoding="utf-8")


def timed(label: str, fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{label:<58} {wall:7.1f} s wall  {cpu:7.1f} s CPU")
    return wall, out


def main(skip_demo: bool = False) -> None:
    import toolkit
    from toolkit.resources import sample_data_dir

    print(f"{os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sample = sample_data_dir()
        timed("report, sample (400 x 37, 6 interviews)", lambda: toolkit.report(
            survey=sample / "survey" / "collective-data-use.csv", instrument="collective-data-use", group="role",
            transcripts=sample / "transcripts", codebook="hls-theory", out=tmp / "sample"))

        inst_path = tmp / "bench-60.yaml"
        inst_path.write_text(instrument_yaml(), encoding="utf-8")
        inst = toolkit.load_instrument(inst_path)
        df = toolkit.simulate(inst, n=50_000, groups=500, seed=1, missing=0.02, dont_know=0.01)
        survey = tmp / "survey-50k.csv"
        toolkit.write_csv(df, survey)
        groups = sorted(df["partnership_id"].astype(str).unique())
        transcripts(tmp / "interviews", groups[:: max(1, len(groups) // 200)])
        print(f"synthetic study: {len(df):,} respondents x {len(inst.item_ids)} items in {len(groups)} partnerships; "
              f"{len(list((tmp / 'interviews').glob('*.txt')))} interviews")

        def baseline():
            data, _ = toolkit.read_survey(survey, inst)
            toolkit.reliability(data, instrument=inst)
            toolkit.efa(toolkit.select_items(data, instrument=inst), n_factors="auto", seed=1)
            toolkit.cfa(data, instrument=inst)
            toolkit.aggregate(data, instrument=inst)
            toolkit.code_documents([tmp / "interviews"], "hls-theory", skip_speakers=["Interviewer"])

        t_base, _ = timed("baseline: the same analyses through the API, no report", baseline)
        t_big, res = timed("report, 50,000 x 60, 200 interviews", lambda: toolkit.report(
            survey=survey, instrument=inst_path, group="role", transcripts=tmp / "interviews", codebook="hls-theory",
            out=tmp / "big"))
        print(f"ratio report / baseline: {t_big / t_base:.2f} x   (target: report under 60 s on 2 cores: "
              f"{'met' if t_big < 60 else 'NOT met'})")
        print("sections: " + ", ".join(f"{s['id']} {s['status']}" for s in res.sections))
        size = res.html.stat().st_size / 1e6
        print(f"report.html {size:.1f} MB, report.xlsx {res.xlsx.stat().st_size / 1e6:.1f} MB")

        if not skip_demo:
            venv = tmp / "venv"
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
            py = venv / "bin" / "python"
            t0 = time.perf_counter()
            subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)],
                           check=True, cwd=tmp)
            print(f"{'fresh venv: pip install (non-editable) of this checkout':<58} {time.perf_counter() - t0:7.1f} s")
            empty = tmp / "empty"
            empty.mkdir()
            t_demo, _ = timed("hls demo -o demo-output (fresh install, empty folder)", lambda: subprocess.run(
                [str(venv / "bin" / "hls"), "-q", "demo", "-o", "demo-output"], check=True, cwd=empty,
                stdout=subprocess.DEVNULL))
            print(f"demo target under 60 s: {'met' if t_demo < 60 else 'NOT met'}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (other work on the machine slows every figure)")


if __name__ == "__main__":
    main(skip_demo="--skip-demo" in sys.argv)
