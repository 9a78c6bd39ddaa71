"""Which items form which scale: from an instrument or from ``--scale "name=-A1,A2,A3"`` specifications."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ToolkitError


@dataclass(frozen=True)
class ScaleSpec:
    """A scale: its items, which of them are reverse-keyed, and (optionally) the response range."""

    name: str
    items: tuple[str, ...]
    reversed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    referent: str = "individual"
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def keys(self) -> list[int]:
        """+1 / -1 per item, as psych's keys."""
        return [-1 if i in self.reversed else 1 for i in self.items]


def parse_scale(spec: str) -> ScaleSpec:
    """Parse ``"name=-A1,A2,A3"``: a leading ``-`` marks a reverse-keyed item.

    >>> parse_scale("agree=-A1,A2,A3").reversed
    ('A1',)
    """
    if "=" not in spec:
        raise ToolkitError(f"scale '{spec}' must look like name=item1,item2,... (a leading - reverses an item)",
                           field="--scale")
    name, _, rest = spec.partition("=")
    name = name.strip()
    tokens = [t.strip() for t in rest.split(",") if t.strip()]
    if not name or not tokens:
        raise ToolkitError(f"scale '{spec}' needs a name and at least one item", field="--scale")
    items = tuple(t.lstrip("-").strip() for t in tokens)
    reversed_ = tuple(t.lstrip("-").strip() for t in tokens if t.startswith("-"))
    if len(set(items)) != len(items):
        raise ToolkitError(f"scale '{name}' names an item twice", field="--scale")
    return ScaleSpec(name, items, reversed_)


def scales_from_instrument(instrument) -> list[ScaleSpec]:
    """One :class:`ScaleSpec` per construct, with the response range of its items' scales."""
    out = []
    for c in instrument.constructs:
        spec = instrument.scales_spec()[c.id]
        out.append(ScaleSpec(c.id, tuple(spec["items"]), tuple(spec["reversed"]), spec["min"], spec["max"],
                             c.referent, {"label": instrument.text(c.label)}))
    return out


def resolve_scales(instrument=None, scale_specs=(), columns=None) -> list[ScaleSpec]:
    """Scales from ``--instrument`` or ``--scale`` options (exactly one of them), checked against *columns*."""
    if instrument is not None and scale_specs:
        raise ToolkitError("give either --instrument or --scale, not both")
    if instrument is None and not scale_specs:
        raise ToolkitError("give --instrument NAME or at least one --scale \"name=item1,item2,...\"")
    if instrument is not None:
        from ..instruments import load_instrument

        scales = scales_from_instrument(load_instrument(instrument))
    else:
        scales = [parse_scale(s) for s in scale_specs]
    if columns is not None:
        cols = set(columns)
        for s in scales:
            missing = [i for i in s.items if i not in cols]
            if missing:
                raise ToolkitError(f"scale '{s.name}': item column(s) not in the data: {', '.join(missing)}",
                                   field="--scale" if scale_specs else "--instrument")
    return scales
