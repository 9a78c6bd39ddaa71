"""Partnership networks (Kroll's relational antecedents as networks): the members file, roster answers as a tidy
edge list, network measures per partnership and relation, and their plots.

Heavy modules (networkx, matplotlib) are imported on first use.

>>> import toolkit
>>> res = toolkit.network("edges.csv", members="members.csv")      # doctest: +SKIP
>>> res.networks                                                     # doctest: +SKIP
"""
from __future__ import annotations

from .._lazy import lazy_getattr

_LAZY = {
    "network": "toolkit.networks.analysis",
    "NetworkResult": "toolkit.networks.analysis",
    "read_members": "toolkit.networks.members",
    "Members": "toolkit.networks.members",
    "read_edges": "toolkit.networks.edges",
    "read_roster": "toolkit.networks.roster_read",
    "plot_networks": "toolkit.networks.plot",
}

__all__ = sorted(_LAZY)

__getattr__ = lazy_getattr(__name__, _LAZY, globals())
