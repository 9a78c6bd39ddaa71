#!/bin/sh
# Regenerate the bundled survey sample data (simulated answers, not real people). Run from the repository root:
#   sh sample_data/survey/generate.sh
set -e
cd "$(dirname "$0")"
# the bundled survey: 400 respondents in 40 partnerships, from the stated factor model (docs/survey.md);
# 1% blanks and 0.5% Don't know per item, so that about half the respondents answer all 37 items and the
# listwise CFA in the demo uses most of the sample
hls survey simulate collective-data-use -n 400 --groups 40 --seed 1 --missing 0.01 --dont-know 0.005 \
    -o collective-data-use.csv --model collective-data-use-model.json
# a second, small batch (20 respondents, 4 partnerships, seed 2) split over the import channels:
# 5 filled xlsx questionnaires, a KoboToolbox CSV (labels), an ODK Central CSV and a Qualtrics CSV
rm -rf questionnaires
python -m toolkit.survey.samples collective-data-use .
# the roster sample: a members file (every respondent plus 10 non-respondents in six partnerships) and the
# answers to the three roster questions, following each partnership's connectedness, power-imbalance and
# distributed-leadership scores
python -m toolkit.networks.samples .
