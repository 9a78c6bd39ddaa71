"""Make the bundled roster sample: a members file and roster answers for the partnerships of the sample survey.

``python -m toolkit.networks.samples sample_data/survey`` reads ``collective-data-use.csv`` (respondent,
partnership, role, organisation and the connectedness, power-imbalance and distributed-leadership items) and
writes, with a fixed seed:

* ``collective-data-use-members.csv``: every respondent as a member (fictional name, their organisation, their
  role as expertise category) plus 10 members in six partnerships who did not answer (non-respondents);
* ``collective-data-use-network.csv``: the tidy edge list of the three roster questions, answered by every
  respondent about every other member. The answers follow the partnership's survey scores, so the network
  measures relate to the scales: exchange frequency rises with connectedness (and between people of the same
  organisation, and is reciprocated), influence goes to commissioners the more so the higher the power
  imbalance, and leadership is concentrated on one lead member where distributed leadership is low.

Simulated, not real people.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 13
NON_RESPONDENTS = {"P04": 2, "P09": 1, "P15": 3, "P22": 1, "P31": 2, "P38": 1}
FIRST = ("Alex", "Sam", "Jo", "Kim", "Ola", "Lee", "Ash", "Robin", "Nika", "Ravi", "Mina", "Tom", "Ines", "Kofi",
         "Lena", "Omar", "Priya", "Jonas", "Ada", "Yusuf", "Eva", "Chen", "Maya", "Noah", "Sara", "Femi", "Lucia",
         "Ben", "Hana", "Ivo", "Zoe", "Tariq", "Elin", "Marc", "Aisha", "Dan", "Rosa", "Finn", "Leila", "Owen")
LAST = ("Morgan", "Patel", "Chen", "Lee", "Nowak", "Ward", "Khan", "Evans", "Okafor", "Silva", "Jones", "Berg",
        "Novak", "Haddad", "Reid", "Moreau", "Singh", "Costa", "Brown", "Ito", "Keller", "Adeyemi", "Rossi",
        "Walsh", "Sato", "Dubois", "Hughes", "Murphy", "Ahmed", "Larsen", "Fischer", "Diaz", "Kowalski", "Price",
        "Nguyen", "Bauer", "Owusu", "Quinn", "Lopez", "Shah", "Meyer", "Clarke", "Ali", "Santos", "Young")


def _scale_z(df: pd.DataFrame, group: str, items: list[str], reverse: str) -> pd.Series:
    x = df[items].apply(pd.to_numeric, errors="coerce")
    x = x.where((x >= 1) & (x <= 5))
    x[reverse] = 6 - x[reverse]
    g = x.mean(axis=1).groupby(df[group]).mean()
    return (g - g.mean()) / g.std()


def make_members(survey: pd.DataFrame, rng) -> pd.DataFrame:
    rows = []
    for g, sub in survey.groupby("partnership_id", sort=True):
        names: set[str] = set()

        def name():
            while True:
                n = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                if n not in names:
                    names.add(n)
                    return n

        for rec in sub.itertuples():
            rows.append({"group": g, "member_id": rec.respondent_id, "name": name(),
                         "organisation": rec.organisation, "expertise": rec.role})
        orgs = sorted(sub["organisation"].dropna().unique())
        for k in range(NON_RESPONDENTS.get(g, 0)):
            rows.append({"group": g, "member_id": f"N{g[1:]}{k + 1}", "name": name(),
                         "organisation": rng.choice(orgs),
                         "expertise": rng.choice(["manager", "commissioner", "frontline", "consultant"])})
    return pd.DataFrame(rows)


def make_edges(survey: pd.DataFrame, members: pd.DataFrame, rng) -> pd.DataFrame:
    zc = _scale_z(survey, "partnership_id", ["CON1", "CON2", "CON3", "CON4"], "CON4")
    zp = _scale_z(survey, "partnership_id", ["PWR1", "PWR2", "PWR3", "PWR4"], "PWR4")
    zd = _scale_z(survey, "partnership_id", ["DL1", "DL2", "DL3", "DL4"], "DL4")
    respondents = set(zip(survey["partnership_id"], survey["respondent_id"]))
    out = []
    for g, sub in members.groupby("group", sort=True):
        ids = sub["member_id"].tolist()
        n = len(ids)
        org = dict(zip(ids, sub["organisation"]))
        role = dict(zip(ids, sub["expertise"]))
        send, recv = rng.normal(0, 0.5, n), rng.normal(0, 0.5, n)
        dyad = rng.normal(0, 0.7, (n, n))
        dyad = (dyad + dyad.T) / np.sqrt(2)  # shared by i->j and j->i: reciprocity
        lead_rank = sorted(range(n), key=lambda j: (role[ids[j]] not in ("commissioner", "manager"), rng.random()))
        lead = lead_rank[0]
        infl_pop = rng.normal(0, 0.6, n)
        for i, ego in enumerate(ids):
            if (g, ego) not in respondents:
                continue
            for j, alter in enumerate(ids):
                if i == j:
                    continue
                y = (0.55 + 0.9 * zc[g] - 0.05 * (n - 10) + send[i] + recv[j] + dyad[i, j]
                     + 0.6 * (org[ego] == org[alter]) + rng.normal(0, 0.6))
                exchange = int(np.searchsorted([0.3, 0.9, 1.5, 2.1], y))
                commish = role[alter] == "commissioner"
                pi = 1 / (1 + np.exp(-(-1.7 + commish * (1.5 + 0.8 * zp[g]) - 0.3 * zp[g] + infl_pop[j])))
                pl = 1 / (1 + np.exp(-(-2.3 + 0.8 * zd[g] + (j == lead) * (3.0 - 1.3 * zd[g]) + 0.5 * recv[j])))
                out += [(g, ego, alter, "exchange", exchange), (g, ego, alter, "influence", int(rng.random() < pi)),
                        (g, ego, alter, "leadership", int(rng.random() < pl))]
    return pd.DataFrame(out, columns=["group", "ego", "alter", "relation", "weight"])


def write_samples(folder: str | Path, seed: int = SEED) -> list[Path]:
    """Write the members file and edge list next to the sample survey in *folder*; returns the files."""
    from ..io import write_csv

    folder = Path(folder)
    survey = pd.read_csv(folder / "collective-data-use.csv", dtype={"respondent_id": str, "partnership_id": str})
    rng = np.random.default_rng(seed)
    members = make_members(survey, rng)
    edges = make_edges(survey, members, rng)
    paths = [folder / "collective-data-use-members.csv", folder / "collective-data-use-network.csv"]
    write_csv(members, paths[0])
    write_csv(edges, paths[1])
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_samples(sys.argv[1] if len(sys.argv) > 1 else "sample_data/survey"):
        print(f"wrote {p}")
