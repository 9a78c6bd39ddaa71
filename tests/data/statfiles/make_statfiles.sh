#!/bin/sh
# Make the SPSS/Stata files of this folder and read them back with R and PSPP (run from the repository root):
#   sh tests/data/statfiles/make_statfiles.sh
# Needs the toolkit installed, R with haven, foreign and jsonlite (Debian r-cran-haven r-cran-foreign) and PSPP.
set -e
D=tests/data/statfiles
I=tests/data/mini-instrument.yaml
hls survey import tests/data/qualtrics/choice-text.csv -i $I --keep-missing-codes -o $D/answers.csv > /dev/null
hls survey import tests/data/qualtrics/choice-text.csv -i $I --keep-missing-codes -o $D/answers.sav > /dev/null
hls survey import tests/data/qualtrics/choice-text.csv -i $I --keep-missing-codes -o $D/answers.dta > /dev/null
hls survey score $D/answers.csv -i $I -o $D/scored.sav > /dev/null
hls survey score $D/answers.csv -i $I -o $D/scored.dta > /dev/null
rm $D/answers.csv
(cd $D && Rscript read_back.R > read_back_R.json)
(cd $D && pspp read_back.sps -O format=txt -o read_back_pspp.txt)
