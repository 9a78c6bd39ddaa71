"""Survey data: read answers from every channel, validate them, score constructs, simulate data."""
from .score import reverse_items, score_scales
from .table import read_table

__all__ = ["read_table", "reverse_items", "score_scales"]
