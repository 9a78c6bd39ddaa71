"""The report's sections: one module each, registered in page order (see :mod:`.base`)."""
from .base import MODULES, Block, Part, Section, fmt, p, register, sections

__all__ = ["MODULES", "Block", "Part", "Section", "fmt", "p", "register", "sections"]
