"""Instruments: the YAML model of a questionnaire and the forms built from it."""
from .loader import check_instrument, list_instruments, load_instrument
from .model import Instrument

__all__ = ["Instrument", "check_instrument", "list_instruments", "load_instrument"]
