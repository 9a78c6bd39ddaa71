"""Demo step: CFA of the collective-data-use instrument on the bundled sample survey, plus invariance by role."""
from __future__ import annotations

from pathlib import Path

from .demo_data import sample_survey
OUTCOME = "collective_data_use"  # the outcome construct tested for invariance across roles


def step(outdir: Path, echo, sample: Path | None = None) -> list[Path]:
    """Eight-factor CFA of the sample survey (xlsx + json) and invariance of the outcome scale by role."""
    from ..errors import ToolkitError
    from ..io import write_json
    from .cfa import cfa
    from .invariance import invariance

    inst, data = sample_survey(sample)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    result = cfa(data, instrument=inst)
    f = result.fit
    rows = (f"{result.n} rows, FIML for the {result.n_incomplete} with missing answers" if result.missing == "fiml"
            else f"{result.n} complete cases ({result.n_dropped} dropped)")
    echo(f"   {len(result.factor_correlations)} factors, n = {rows}: "
         f"chi2({f['df']}) = {f['chisq']:.1f}, CFI {f['cfi']:.3f}, TLI {f['tli']:.3f}, RMSEA {f['rmsea']:.3f} "
         f"[{f['rmsea_ci'][0]:.3f}, {f['rmsea_ci'][1]:.3f}], SRMR {f['srmr']:.3f}")
    paths = [outdir / "cfa.xlsx", outdir / "cfa.json"]
    role = inst.context_by_role("role")
    if role is not None and role.id in data.columns:
        try:
            inv = invariance(data, group=role.id, instrument=inst, constructs=[OUTCOME])
        except ToolkitError as exc:  # too few complete cases per group in a small sample
            echo(f"   invariance by {role.id} skipped: {exc.message}")
        else:
            result.invariance = inv
            t = inv.table.set_index("step")
            echo(f"   invariance of '{OUTCOME}' across {len(inv.groups)} {role.id}s: " + "; ".join(
                f"{s} CFI {t.loc[s, 'cfi']:.3f}" + (f" ({t.loc[s, 'verdict']})" if s != "configural" else "")
                for s in ("configural", "metric", "scalar")))
    result.to_excel(paths[0])
    write_json(result.to_dict(), paths[1])
    for w in result.warnings + (result.invariance.warnings if result.invariance is not None else []):
        echo(f"   warning: {w}")
    return paths
