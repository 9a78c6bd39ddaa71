"""REFI-QDA exchange (standard 1.5): codebooks (.qdc) and projects (.qdpx) for NVivo, ATLAS.ti, MAXQDA,
QualCoder and others. Archives and XML from elsewhere are treated as untrusted (see :mod:`.safety`)."""
from .qdc import RefiCode, import_qdc, read_qdc, write_qdc

__all__ = ["RefiCode", "read_qdc", "write_qdc", "import_qdc", "read_qdpx", "write_qdpx", "QdpxProject"]


def __getattr__(name):
    if name in ("read_qdpx", "write_qdpx", "QdpxProject"):
        from . import qdpx

        return getattr(qdpx, name)
    raise AttributeError(name)
