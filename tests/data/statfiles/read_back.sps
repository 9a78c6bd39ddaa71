* Read our .sav back with GNU PSPP (run in tests/data/statfiles: pspp read_back.sps -O format=txt -o read_back_pspp.txt).
GET FILE='answers.sav'.
DISPLAY DICTIONARY.
FREQUENCIES VARIABLES=role DR1.
GET FILE='scored.sav'.
DISPLAY DICTIONARY /VARIABLES=sensemaking deliberation.
DESCRIPTIVES VARIABLES=sensemaking deliberation.
