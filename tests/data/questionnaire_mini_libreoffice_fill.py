# Provenance of tests/data/questionnaire_mini_libreoffice.xlsx (not a test; needs LibreOffice, not run by pytest).
# 1. hls instrument build tests/data/mini-instrument.yaml --format xlsx -o mini_q.xlsx   (hls-toolkit 0.1.0)
# 2. soffice --headless --accept="socket,host=localhost,port=2002;urp;" &   (LibreOffice 7.4.7.2, Debian 12)
# 3. /usr/bin/python3 tests/data/questionnaire_mini_libreoffice_fill.py mini_q.xlsx questionnaire_mini_libreoffice.xlsx
import sys, uno
from com.sun.star.beans import PropertyValue
def pv(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
ctx = resolver.resolve("uno:socket,host=localhost,port=2002;urp;StarOffice.ComponentContext")
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(sys.argv[1]), "_blank", 0, (pv("Hidden", True),))
ws = doc.Sheets.getByName("Questionnaire")
answers = {"C6": "LO-1", "C7": "=Partnership & Co", "C8": "Frontline worker", "C11": "Agree", "C12": "Strongly agree",
           "C13": "Disagree", "C14": "Don't know", "C15": "Neither agree nor disagree", "C17": "Disagree"}
for ref, text in answers.items():
    ws.getCellRangeByName(ref).String = text          # typed as text, as picked from the drop-down
ws.getCellRangeByName("C16").Value = 1                 # DR3 keyed in as a number
print("LibreOffice", doc.Sheets.getByName("Questionnaire").getCellRangeByName("C11").Validation.Type.value)
doc.storeToURL(uno.systemPathToFileUrl(sys.argv[2]), (pv("FilterName", "Calc MS Excel 2007 XML"),))
doc.close(True)
