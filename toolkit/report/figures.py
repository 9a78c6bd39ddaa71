"""Figures for papers and slides: one matplotlib style, PNG and SVG files, and the bytes the report embeds.

Every plot function takes tidy results and returns a :class:`Figure`; :meth:`Figure.save` writes
``NAME.png`` and ``NAME.svg``. Files are reproducible (no dates in the metadata, a fixed SVG hash salt), so
two runs on the same data give the same bytes.

>>> from toolkit.report.figures import Figure          # doctest: +SKIP
>>> fig = scree(efa_result.parallel)                   # doctest: +SKIP
>>> fig.save("figures")                                # figures/scree.png, figures/scree.svg
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path

#: the palette: ink, accent (dark blue), a warm second colour, greys and a highlight for problems
INK = "#1a1a1a"
ACCENT = "#1f4e79"
WARM = "#c55a11"
GREY = "#8c8c8c"
LIGHT = "#d9d9d9"
ALERT = "#c00000"
#: a qualitative palette for constructs and categories (colour-blind friendly, Okabe & Ito 2008)
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

_STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
    "axes.edgecolor": "#4d4d4d", "axes.linewidth": 0.7, "axes.spines.top": False, "axes.spines.right": False,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "xtick.color": "#333333", "ytick.color": "#333333",
    "legend.fontsize": 8, "legend.frameon": False, "figure.dpi": 100, "savefig.bbox": "tight",
    "savefig.pad_inches": 0.08, "svg.hashsalt": "hls-toolkit", "svg.fonttype": "none", "axes.titlelocation": "left",
    "axes.titleweight": "bold", "grid.color": "#e6e6e6", "grid.linewidth": 0.6,
}
PNG_DPI = 150


def pyplot():
    """matplotlib.pyplot with the Agg backend (no display needed) and the toolkit's style."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(_STYLE)
    return plt


@dataclass
class Figure:
    """A finished figure: *name* (file stem), *title* (the caption), *note* (under the caption) and its bytes."""

    name: str
    title: str
    png: bytes
    svg: str
    note: str | None = None
    alt: str = ""
    width_px: int = 0
    files: list = field(default_factory=list)

    @classmethod
    def from_matplotlib(cls, fig, name: str, title: str, note: str | None = None, alt: str = "") -> "Figure":
        """Render a matplotlib figure to PNG and SVG (then close it)."""
        plt = pyplot()
        png, svg = io.BytesIO(), io.StringIO()
        # lay the figure out once: the tight box of one draw serves both files (bbox_inches="tight" would draw
        # each file twice, and text-heavy heat maps spend most of their time laying out text)
        fig.set_dpi(PNG_DPI)
        renderer = fig.canvas.get_renderer()
        box = fig.get_tightbbox(renderer).padded(_STYLE["savefig.pad_inches"])
        fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None}, bbox_inches=box)
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=box)
        width = int(round(box.width * PNG_DPI))
        plt.close(fig)
        return cls(name, title, png.getvalue(), svg.getvalue(), note, alt or title, width)

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def save(self, folder: str | Path) -> list[Path]:
        """Write ``NAME.png`` and ``NAME.svg`` into *folder* (atomically)."""
        from ..io import atomic_path

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for ext, data in (("png", self.png), ("svg", self.svg.encode("utf-8"))):
            path = folder / f"{self.name}.{ext}"
            with atomic_path(path) as tmp:
                Path(tmp).write_bytes(data)
            out.append(path)
        self.files = out
        return out


def wrap_label(text: str, width: int = 18) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)
