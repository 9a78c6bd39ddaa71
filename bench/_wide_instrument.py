"""A synthetic wide instrument for the scaling benches: *constructs* x *per* agree5 items (not a real survey)."""
from __future__ import annotations

from pathlib import Path


def wide_instrument(path: str | Path, constructs: int, per: int = 5) -> Path:
    lines = ['id: wide-bench', 'title: Wide bench instrument', 'version: "1.0"', 'languages: [en]',
             'references:', '  - {key: bench, citation: "Synthetic instrument for benchmarks."}',
             'response_scales:', '  agree5:', '    labels: {1: Strongly disagree, 2: Disagree, 3: Neither, '
             '4: Agree, 5: Strongly agree}', '    missing: {9: "Don\'t know"}', 'sections:',
             '  - id: all', '    title: All constructs', '    constructs:']
    for c in range(constructs):
        lines += [f'      - id: c{c}', f'        label: Construct {c}', f'        definition: Synthetic construct {c}.',
                  '        source: bench', '        referent: group' if c % 2 else '        referent: individual',
                  '        scale: agree5', '        items:']
        for i in range(per):
            rev = ", reverse: true" if i == per - 1 else ""
            lines.append(f'          - {{id: C{c}I{i}, text: Statement {i} about construct {c}.{rev}}}')
    lines += ['context:', '  - {id: respondent_id, text: Respondent, type: text, role: respondent}',
              '  - {id: group_id, text: Group, type: text, role: group}']
    path = Path(path)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
