"""Start-up time of the ``hls`` command: ``hls --help`` against a bare ``python -c pass`` measured in the same run,
plus the cost of ``import toolkit`` and of ``hls instrument --help``.

Run: ``python bench/startup.py [--runs 7]``. Target: ``hls --help`` well under 0.5 s.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    cases = [
        ("python -c pass (baseline)", [py, "-c", "pass"]),
        ("python -c 'import toolkit'", [py, "-c", "import toolkit"]),
        ("hls --help", [py, "-c", "import sys; from toolkit.cli.main import main; sys.exit(main(['--help']))"]),
        ("hls instrument --help",
         [py, "-c", "import sys; from toolkit.cli.main import main; sys.exit(main(['instrument', '--help']))"]),
        ("hls instrument list",
         [py, "-c", "import sys; from toolkit.cli.main import main; sys.exit(main(['instrument', 'list']))"]),
    ]
    median_seconds(cases[0][1], 2)  # warm the file cache
    base = None
    print(f"median of {args.runs} runs each (python {sys.version.split()[0]})")
    for name, cmd in cases:
        t = median_seconds(cmd, args.runs)
        base = base or t
        print(f"  {name:<30} {t * 1000:8.1f} ms   x{t / base:5.2f} baseline   (+{(t - base) * 1000:6.1f} ms)")
    t = median_seconds(cases[2][1], args.runs)
    verdict = "OK" if t < 0.5 else "TOO SLOW"
    print(f"hls --help: {t:.3f} s against the 0.5 s target: {verdict}")


if __name__ == "__main__":
    main()
