"""Plain-data views of an instrument for ``hls instrument list/show`` (text and ``--json``)."""
from __future__ import annotations

from .model import Instrument, text_in


def summary(inst: Instrument) -> dict:
    """``{"id", "title", "version", "languages", "constructs", "items"}`` (counts) for ``hls instrument list``."""
    return {"id": inst.id, "title": inst.text(inst.title), "version": inst.version,
            "languages": list(inst.languages), "constructs": len(inst.constructs), "items": len(inst.items),
            "roster_questions": len(inst.roster_questions)}


def describe(inst: Instrument, lang: str | None = None) -> dict:
    """Everything ``hls instrument show`` prints, in one language, as JSON-ready data."""
    lang = lang or inst.default_language

    def t(text):
        return text_in(text, lang, inst.default_language)

    return {
        "id": inst.id, "title": t(inst.title), "version": inst.version, "languages": list(inst.languages),
        "language": lang, "description": t(inst.description), "codebook": inst.codebook,
        "references": [{"key": r.key, "citation": r.citation} for r in inst.references],
        "response_scales": {
            sid: {"kind": sc.kind,
                  "values": {str(p.code): t(p.label) for p in sc.points},
                  "missing": {str(p.code): t(p.label) for p in sc.missing}}
            for sid, sc in inst.scales.items()},
        "sections": [
            {"id": s.id, "title": t(s.title),
             "constructs": [
                 {"id": c.id, "label": t(c.label), "definition": t(c.definition), "source": c.source,
                  "referent": c.referent, "codes": list(c.codes),
                  "items": [{"id": i.id, "text": t(i.text), "scale": i.scale, "reverse": i.reverse}
                            for i in c.items]}
                 for c in s.constructs]}
            for s in inst.sections],
        "context": [{"id": q.id, "text": t(q.text), "type": q.type, "role": q.role,
                     "choices": {ch.value: t(ch.label) for ch in q.choices}} for q in inst.context],
        "attention_checks": [{"id": a.id, "text": t(a.text), "scale": a.scale,
                              "expected": int(a.expected) if float(a.expected).is_integer() else a.expected,
                              "after_section": a.after_section} for a in inst.attention_checks],
        "roster": [{"id": q.id, "text": t(q.text), "scale": q.scale, "antecedent": q.antecedent,
                    "source": q.source} for q in inst.roster_questions],
    }


def render(info: dict) -> str:
    """The text shown by ``hls instrument show``; reverse-keyed items are marked ``(R)``."""
    lines = [f"{info['title']}  [{info['id']} {info['version']}; languages: {', '.join(info['languages'])}]"]
    if info["description"]:
        lines.append(info["description"])
    for s in info["sections"]:
        lines += ["", f"== {s['title']} ({s['id']})"]
        for c in s["constructs"]:
            lines.append(f"  {c['id']}: {c['label']}  (referent {c['referent']}; {len(c['items'])} items)")
            if c.get("codes"):
                lines.append(f"    codes ({info['codebook']}): {', '.join(c['codes'])}")
            for i in c["items"]:
                mark = " (R)" if i["reverse"] else ""
                lines.append(f"    {i['id']}{mark}  {i['text']}")
    lines += ["", "Response scales:"]
    for sid, sc in info["response_scales"].items():
        values = "; ".join(f"{k}={v}" for k, v in sc["values"].items())
        missing = "; ".join(f"{k}={v}" for k, v in sc["missing"].items())
        lines.append(f"  {sid} ({sc['kind']}): {values}" + (f"  | missing: {missing}" if missing else ""))
    if info["context"]:
        lines += ["", "Context questions:"]
        for q in info["context"]:
            role = f", role {q['role']}" if q["role"] else ""
            choices = f": {', '.join(q['choices'])}" if q["choices"] else ""
            lines.append(f"  {q['id']} ({q['type']}{role})  {q['text']}{choices}")
    if info["attention_checks"]:
        lines += ["", "Attention checks:"]
        for a in info["attention_checks"]:
            lines.append(f"  {a['id']} (right answer {a['expected']} on {a['scale']})  {a['text']}")
    if info.get("roster"):
        lines += ["", "Roster questions (asked about every other member of the partnership):"]
        for q in info["roster"]:
            lines.append(f"  {q['id']} ({q['scale']}; measures {q['antecedent']})  {q['text']}")
    lines += ["", "(R) = reverse-keyed"]
    return "\n".join(lines)
