"""Write the workbook and platform-export fixtures of this folder (not run by the tests).

Run from the repository root with the toolkit installed and LibreOffice on the PATH::

    python tests/data/platforms/make_fixtures.py

What is made and how:

* ``questionnaire_mini.ods`` / ``questionnaire_mini.xls``: ``tests/data/questionnaire_mini_libreoffice.xlsx`` (our
  questionnaire, filled in and saved by LibreOffice Calc) converted by LibreOffice headless
  (``soffice --headless --convert-to ods|xls``): LibreOffice's own OpenDocument and Excel 97-2003 writers,
  ``_meta`` merely hidden (neither format, as LibreOffice writes it, keeps "very hidden").
* ``entry_mini.ods``: ``hls instrument build tests/data/mini-instrument.yaml --format entry``, three rows typed in
  with openpyxl (codes, one label, one "Don't know" as 9), converted to .ods by LibreOffice headless.
* ``table_mini.xls``: the first eight rows of ``tests/data/survey_mini_sim.csv`` converted to Excel 97-2003 by
  LibreOffice headless (a plain table as old Excel keeps it).
* ``kobo_groups.xlsx``: a KoboToolbox "XLS" export (Kobo's XLS export is an .xlsx) of the mini instrument as a form
  with groups ``mechanisms`` and a repeat group ``meeting``, exported with XML values and "Include groups in
  headers" (``group/question`` headers, Kobo's metadata columns ``_id, _uuid, _submission_time,
  _validation_status, _notes, _status, _submitted_by, __version__, _tags, _index``) and the repeat on a sheet of
  its own with ``_index, _parent_table_name, _parent_index, _submission__id, _submission__uuid`` (layout after
  kobotoolbox/formpack and kpi ``ExportTask.COPY_FIELDS``, docs ``advanced_export.md``).
* ``kobo_groups.xls``: the same workbook converted to Excel 97-2003 by LibreOffice headless (older Kobo servers
  and people re-saving the export in old Excel give .xls files).
* ``odk_central.csv.zip``: an ODK Central "All data and media files" download (``.csv.zip``) of the same form:
  the root table ``mini-test.csv`` (``SubmissionDate``, group paths joined with ``-``, ``meta-instanceID``,
  ``KEY``, ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``,
  ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``) plus the repeat table ``mini-test-meeting.csv``
  ending in ``PARENT_KEY, KEY`` (``uuid:.../mechanisms/meeting[1]``), following getodk/central-backend
  ``lib/data/briefcase.js``.
"""
import csv
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
ITEMS = ["SM1", "SM2", "SM3", "DR1", "DR2", "DR3"]
PEOPLE = [  # respondent, partnership, role (XML value), items (9 = Don't know), ATT1
    ("K-01", "P1", "manager", [4, 5, 2, 9, 3, 1], 2),
    ("K-02", "P1", "frontline", [5, 4, 1, 4, 4, 2], 2),
    ("K-03", "P2", "manager", [2, 3, 4, 2, None, 5], 4),
]
MEETINGS = [(1, "2026-04-02", "monthly figures"), (1, "2026-04-30", "waiting times"), (3, "2026-04-12", "budget")]


def soffice(src: Path, fmt: str, out_dir: Path, infilter: str | None = None) -> Path:
    cmd = ["soffice", "--headless", "--norestore", "--convert-to", fmt, "--outdir", str(out_dir), str(src)]
    if infilter:
        cmd[3:3] = [f"--infilter={infilter}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=180)
    return out_dir / f"{src.stem}.{fmt.split(':')[0]}"


def kobo_workbook(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Mini test instrument"
    head = (["start", "end", "respondent_id", "partnership", "role"] + [f"mechanisms/{i}" for i in ITEMS]
            + ["mechanisms/ATT1", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
               "_submitted_by", "__version__", "_tags", "_index"])
    ws.append(head)
    for k, (rid, group, role, items, att) in enumerate(PEOPLE, start=1):
        ws.append([f"2026-05-0{k}T10:00:00.000+01:00", f"2026-05-0{k}T10:09:00.000+01:00", rid, group, role]
                  + [("" if x is None else str(x)) for x in items] + [str(att), 410000 + k,
                  f"5b8a2c1e-0000-4000-8000-00000000000{k}", f"2026-05-0{k}T09:09:10", "", "", "submitted_via_web",
                  "", "vKoboMini1", "", k])
    rep = wb.create_sheet("meeting")
    rep.append(["mechanisms/meeting/meeting_date", "mechanisms/meeting/meeting_topic", "_index",
                "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid",
                "_submission__submission_time", "_submission__validation_status", "_submission__notes",
                "_submission__status", "_submission__submitted_by", "_submission___version__", "_submission__tags"])
    for j, (parent, date, topic) in enumerate(MEETINGS, start=1):
        rep.append([date, topic, j, "Mini test instrument", parent, 410000 + parent,
                    f"5b8a2c1e-0000-4000-8000-00000000000{parent}", f"2026-05-0{parent}T09:09:10", "", "",
                    "submitted_via_web", "", "vKoboMini1", ""])
    wb.save(path)


def odk_zip(path: Path) -> None:
    def table(rows):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        return buf.getvalue().encode("utf-8")

    root = [["SubmissionDate", "respondent_id", "partnership", "role"] + [f"mechanisms-{i}" for i in ITEMS]
            + ["mechanisms-ATT1", "meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
               "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]]
    for k, (rid, group, role, items, att) in enumerate(PEOPLE, start=1):
        key = f"uuid:7d1c9a52-0000-4000-8000-00000000000{k}"
        root.append([f"2026-05-0{k}T09:10:00.000Z", rid, group, role] + ["" if x is None else str(x) for x in items]
                    + [str(att), key, key, "7", "fieldworker", "0", "0", "", "", "collect:abc", "0", "2026050101"])
    repeat = [["meeting_date", "meeting_topic", "PARENT_KEY", "KEY"]]
    for j, (parent, date, topic) in enumerate(MEETINGS, start=1):
        key = f"uuid:7d1c9a52-0000-4000-8000-00000000000{parent}"
        repeat.append([date, topic, key, f"{key}/mechanisms/meeting[{j}]"])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("mini-test.csv", table(root))
        z.writestr("mini-test-meeting.csv", table(repeat))


def main() -> int:
    from openpyxl import load_workbook

    if shutil.which("soffice") is None:
        print("LibreOffice (soffice) is needed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "questionnaire_mini.xlsx"
        shutil.copy(DATA / "questionnaire_mini_libreoffice.xlsx", src)
        for fmt in ("ods", "xls"):
            shutil.copy(soffice(src, fmt, tmp), HERE / f"questionnaire_mini.{fmt}")

        entry = tmp / "entry_mini.xlsx"
        from toolkit import build_form

        build_form(DATA / "mini-instrument.yaml", "entry", entry)  # = hls instrument build ... --format entry
        wb = load_workbook(entry)
        ws = wb["Data"]
        header = [c.value for c in ws[1]]
        rows = [{"respondent_id": "E-01", "partnership": "P1", "role": "manager", "SM1": 4, "SM2": 5, "SM3": 2,
                 "DR1": 9, "DR2": 3, "DR3": 1, "ATT1": 2},
                {"respondent_id": "E-02", "partnership": "P2", "role": "frontline", "SM1": 2, "SM2": "Agree",
                 "SM3": 4, "DR1": 3, "DR2": 3, "DR3": 5, "ATT1": 2},
                {"respondent_id": "007", "partnership": "P2", "role": "manager", "SM1": 5, "SM2": 5, "SM3": 1,
                 "DR1": 4, "DR2": None, "DR3": 2, "ATT1": 4}]
        for r, rec in enumerate(rows, start=2):
            for c, name in enumerate(header, start=1):
                if rec.get(name) is not None:
                    ws.cell(r, c).value = rec[name]
        wb.save(entry)
        shutil.copy(soffice(entry, "ods", tmp), HERE / "entry_mini.ods")

        table = tmp / "table_mini.csv"
        table.write_text("".join((DATA / "survey_mini_sim.csv").read_text(encoding="utf-8").splitlines(True)[:9]),
                         encoding="utf-8")
        shutil.copy(soffice(table, "xls:MS Excel 97", tmp, infilter="CSV:44,34,76,1"), HERE / "table_mini.xls")

        kobo = HERE / "kobo_groups.xlsx"
        kobo_workbook(kobo)
        shutil.copy(soffice(kobo, "xls", tmp), HERE / "kobo_groups.xls")
    odk_zip(HERE / "odk_central.csv.zip")
    for p in sorted(HERE.iterdir()):
        print(p.name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
