"""Write maxqda_crlf.qdpx and atlasti_crlf.qdpx (run from the repository root:
``python tests/data/refi/make_crlf_fixtures.py``). Standard library only; not run by the tests.

We cannot run MAXQDA or ATLAS.ti here. Both projects follow REFI-QDA 1.5 (Project.xsd: ``project.qde`` plus
``sources/<guid>.txt``) and the two Windows line-end conventions documented in QualCoder's importer
(ccbogel/QualCoder ``src/qualcoder/refi.py`` @ c3204641, ``load_text_source``):

* MAXQDA (and NVivo for Windows): the source ``.txt`` has ``\\r\\n`` line ends and positions count every code point
  of the file, so a line end is two positions;
* ATLAS.ti: the source ``.txt`` has ``\\r\\n`` line ends, but positions count each line end as one character
  (QualCoder recognises such projects by "ATLAS" in the ``origin`` attribute).

Variables follow the other layouts QualCoder's importer documents: MAXQDA-style document variables on the
``TextSource`` and an unnamed ``Case`` holding one source's variables; ATLAS.ti-style a named ``Case`` with a
``SourceRef``.
"""
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LINES = ["Interviewer: How do you use the monthly figures?",
         "Manager: We sit down together and work out what the numbers say about the whole system.",
         "Interviewer: And when things go wrong at the Café Hub?",
         "Manager: We hold a learning review, not a blame session.",
         "Nobody gets named.",
         ""]
TEXT = "\r\n".join(LINES)  # as stored in the .txt
CODED = [("a1b2c3d4-0000-4000-8000-000000000101", "Sensemaking",
          "work out what the numbers say about the whole system"),
         ("a1b2c3d4-0000-4000-8000-000000000102", "Learning culture",
          "We hold a learning review, not a blame session.\r\nNobody gets named.")]
SOURCE = "a1b2c3d4-0000-4000-8000-000000000201"
USER = "a1b2c3d4-0000-4000-8000-000000000301"


def positions(phrase: str, crlf_is_one: bool) -> tuple[int, int]:
    start = TEXT.index(phrase)
    if crlf_is_one:  # count each \r\n as one character
        start -= TEXT[:start].count("\r\n")
        return start, start + len(phrase) - phrase.count("\r\n")
    return start, start + len(phrase)


def project(origin: str, crlf_is_one: bool, cases: str, source_vars: str, variables: str) -> str:
    codes = "\n".join(f'      <Code guid="{g}" name="{n}" isCodable="true"/>' for g, n, _ in CODED)
    sels = []
    for k, (g, n, phrase) in enumerate(CODED, start=1):
        s, e = positions(phrase, crlf_is_one)
        sels.append(f'''      <PlainTextSelection guid="a1b2c3d4-0000-4000-8000-00000000040{k}" name="{n}" startPosition="{s}"
          endPosition="{e}" creatingUser="{USER}" creationDateTime="2026-05-04T10:00:0{k}Z">
        <Coding guid="a1b2c3d4-0000-4000-8000-00000000050{k}" creatingUser="{USER}">
          <CodeRef targetGUID="{g}"/>
        </Coding>
      </PlainTextSelection>''')
    return f'''<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Windows line ends" origin="{origin}" creatingUserGUID="{USER}">
  <Users>
    <User guid="{USER}" name="Coder A"/>
  </Users>
  <CodeBook>
    <Codes>
{codes}
    </Codes>
  </CodeBook>
{variables}
{cases}
  <Sources>
    <TextSource guid="{SOURCE}" name="INT09 Harbourside" plainTextPath="internal://{SOURCE}.txt">
{chr(10).join(sels)}
{source_vars}
    </TextSource>
  </Sources>
</Project>
'''


def write(name: str, qde: str) -> None:
    with zipfile.ZipFile(HERE / name, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde.replace("\n", "\r\n").encode("utf-8"))
        z.writestr(f"sources/{SOURCE}.txt", TEXT.encode("utf-8"))


if __name__ == "__main__":
    var_role = "a1b2c3d4-0000-4000-8000-000000000601"
    var_date = "a1b2c3d4-0000-4000-8000-000000000602"
    variables = f'''  <Variables>
    <Variable guid="{var_role}" name="role" typeOfVariable="Text"/>
    <Variable guid="{var_date}" name="interview date" typeOfVariable="Date"/>
  </Variables>'''
    write("maxqda_crlf.qdpx", project(
        "MAXQDA 2022 (Release 22.8.0)", False, variables=variables,
        cases=f'''  <Cases>
    <Case guid="a1b2c3d4-0000-4000-8000-000000000701">
      <VariableValue><VariableRef targetGUID="{var_role}"/><TextValue>manager</TextValue></VariableValue>
      <SourceRef targetGUID="{SOURCE}"/>
    </Case>
  </Cases>''',
        source_vars=f'''      <VariableValue><VariableRef targetGUID="{var_date}"/><DateValue>2026-04-28</DateValue></VariableValue>'''))
    write("atlasti_crlf.qdpx", project(
        "ATLAS.ti 23.2.1 (Windows)", True, variables=variables,
        cases=f'''  <Cases>
    <Case guid="a1b2c3d4-0000-4000-8000-000000000702" name="INT09">
      <VariableValue><VariableRef targetGUID="{var_role}"/><TextValue>manager</TextValue></VariableValue>
      <SourceRef targetGUID="{SOURCE}"/>
    </Case>
  </Cases>''', source_vars=""))
    print("wrote maxqda_crlf.qdpx, atlasti_crlf.qdpx")
