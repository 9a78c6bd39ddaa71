"""Partnership network measures against R igraph 1.3.5 (tests/data/network_igraph.json, made by
tests/data/network_igraph.R on the generated networks in network_edges.csv / network_members.csv): empty and
complete networks, a star, a two-member partnership, weighted random networks, missing respondents, a silent
partnership; plus the located errors of the edge list and members file."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit.errors import DataError

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "network_igraph.json").read_text())
MEASURES = ["members", "respondents", "dyads", "ties", "density", "reciprocity", "degree_centralization",
            "indegree_centralization", "outdegree_centralization", "mean_weight", "expertise_heterogeneity"]
CENTRAL = ["degree_centralization", "indegree_centralization", "outdegree_centralization"]


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and not (isinstance(b, float) and math.isnan(b)) and math.isclose(a, b, abs_tol=1e-12)


@pytest.fixture(scope="module")
def result():
    return toolkit.network(DATA / "network_edges.csv", members=DATA / "network_members.csv")


@pytest.fixture(scope="module")
def reconstructed():
    return toolkit.network(DATA / "network_edges.csv", members=DATA / "network_members.csv", reconstruct=True)


def _rows(res):
    return {(r["group"], r["relation"]): r for r in res.to_dict()["networks"]}


@pytest.mark.parametrize("ref", REF["networks"], ids=lambda r: f"{r['group']}-{r['relation']}")
def test_every_measure_matches_igraph(result, ref):
    row = _rows(result)[(ref["group"], ref["relation"])]
    for m in MEASURES:
        assert _same(ref[m], row[m]), (m, ref[m], row[m])
    assert row["centralization_basis"] == ("reported" if ref["dyads"] == ref["members"] * (ref["members"] - 1)
                                           else "undefined")


@pytest.mark.parametrize("ref", REF["networks"], ids=lambda r: f"{r['group']}-{r['relation']}")
def test_reconstructed_centralization_matches_igraph(result, reconstructed, ref):
    row = _rows(reconstructed)[(ref["group"], ref["relation"])]
    for m in CENTRAL + ["imputed_dyads", "unobserved_dyads"]:
        assert _same(ref["reconstructed"][m], row[m]), (m, ref["reconstructed"][m], row[m])
    # reconstruction only touches the centralizations
    base = _rows(result)
    for m in ("density", "reciprocity", "mean_weight"):
        assert _same(base[(ref["group"], ref["relation"])][m], row[m])


def test_the_reference_covers_the_required_cases():
    by = {(r["group"], r["relation"]): r for r in REF["networks"]}
    assert by[("empty", "leadership")]["density"] == 0 and by[("complete", "leadership")]["density"] == 1
    assert by[("star", "leadership")]["indegree_centralization"] == 1
    assert by[("pair", "exchange")]["members"] == 2 and by[("pair", "exchange")]["degree_centralization"] is None
    assert by[("missing2", "exchange")]["respondents"] < by[("missing2", "exchange")]["members"]
    assert by[("missing2", "exchange")]["indegree_centralization"] is None
    assert any(r["mean_weight"] not in (None, 0, 1) for r in REF["networks"])  # weighted answers
    assert REF["provenance"]["igraph"] == "1.3.5"


def test_response_rate_and_warnings(result):
    parts = result.partnerships.set_index("group")
    assert parts.loc["missing2", "response_rate"] == pytest.approx(6 / 8)
    assert bool(parts.loc["missing2", "low_response"]) and not bool(parts.loc["missing1", "low_response"])
    assert parts.loc["silent", "respondents"] == 0
    text = " ".join(result.warnings)
    assert "missing2: 6 of 8 members answered the roster (75%, below 80%)" in text
    assert "silent: 0 of 4" in text and "--reconstruct" in text


def test_to_dict_is_the_json_shape(result):
    d = result.to_dict()
    assert set(d) == {"networks", "partnerships", "settings", "warnings"}
    first = d["networks"][0]
    for key in ("group", "relation", "members", "respondents", "ties", "density", "reciprocity",
                "degree_centralization", "indegree_centralization", "outdegree_centralization", "mean_weight",
                "expertise_heterogeneity"):
        assert key in first
    json.dumps(d, allow_nan=False)  # NaN became null


def test_group_columns_one_row_per_partnership(result):
    wide = result.group_columns()
    assert wide["group"].is_unique and len(wide) == len(result.partnerships)
    assert {"exchange_density", "leadership_indegree_centralization", "network_response_rate"} <= set(wide.columns)


def test_without_members_everyone_named_is_a_member():
    edges = pd.DataFrame({"group": "g", "ego": ["a", "a", "b"], "alter": ["b", "c", "a"], "relation": "x",
                          "weight": [1, 0, 1]})
    res = toolkit.network(edges)
    row = res.networks.iloc[0]
    assert row["members"] == 3 and row["respondents"] == 2 and row["density"] == pytest.approx(2 / 3)
    assert any("no members file" in w for w in res.warnings)


# ------------------------------------------------------------------------------------------------ errors
def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_member_naming_someone_outside_the_partnership_is_one_located_error(tmp_path):
    members = _write(tmp_path, "members.csv", "group,member_id,name\nA,a1,Ann\nA,a2,Bo\nB,b1,Cy\nB,b2,Di\n")
    edges = _write(tmp_path, "edges.csv", "group,ego,alter,relation,weight\nA,a1,a2,exchange,2\n"
                   "A,a2,b1,exchange,1\nA,a2,a1,exchange,0\n")
    with pytest.raises(DataError) as err:
        toolkit.network(edges, members=members)
    assert str(err.value) == (f"{edges}:row 3: alter: 'b1' is not a member of partnership 'A' (b1 belongs to B): "
                              "a member can only answer about the other members of their own partnership")
    proc = subprocess.run([sys.executable, "-m", "toolkit", "analyze", "network", str(edges), "--members",
                           str(members)], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [f"error: {err.value}"]


@pytest.mark.parametrize("body, message", [
    ("A,a1,a1,exchange,1\n", "row 2: alter: 'a1' answers about themselves"),
    ("A,a1,a2,exchange,1\nA,a1,a2,exchange,0\n", "row 3: alter: a1 -> a2 on 'exchange' in 'A' is given twice"),
    ("A,a1,a2,exchange,often\n", "row 2: weight: weight 'often' is not a number"),
    ("A,a1,a2,exchange,-1\n", "row 2: weight: weight -1 must be a number >= 0"),
    ("A,a 1,a2,exchange,1\n", "row 2: ego: ego id 'a 1' must be a code"),
    ("C,a1,a2,exchange,1\n", "row 2: group: partnership 'C' is not in the members file"),
])
def test_edge_list_errors_are_located(tmp_path, body, message):
    members = _write(tmp_path, "members.csv", "group,member_id\nA,a1\nA,a2\n")
    edges = _write(tmp_path, "edges.csv", "group,ego,alter,relation,weight\n" + body)
    with pytest.raises(DataError) as err:
        toolkit.network(edges, members=members)
    assert str(err.value).startswith(f"{edges}:{message}")


def test_blank_weight_is_an_unanswered_dyad(tmp_path):
    edges = _write(tmp_path, "edges.csv", "group,ego,alter,relation,weight\nA,a1,a2,x,1\nA,a2,a1,x,\n")
    res = toolkit.network(edges)
    assert res.networks.iloc[0]["dyads"] == 1
    assert any("1 row(s) without a weight" in w for w in res.warnings)


@pytest.mark.parametrize("body, message", [
    ("group,name\nA,Ann\n", "the members file has no 'member_id' column"),
    ("group,member_id\nA,a1\nA,a1\n", "row 3: member_id: member 'a1' is listed twice in partnership 'A'"),
    ("group,member_id\n,a1\n", "row 2: group: group id is empty"),
    ("group,member_id\nA,Ann Smith\n", "row 2: member_id: member id 'Ann Smith' must be a code"),
])
def test_members_file_errors_are_located(tmp_path, body, message):
    members = _write(tmp_path, "members.csv", body)
    with pytest.raises(DataError) as err:
        toolkit.read_members(members)
    assert message in str(err.value) and str(members) in str(err.value)


def test_members_file_accepts_common_headers_and_xlsx(tmp_path):
    df = pd.DataFrame({"Partnership_ID": ["P1", "P1"], "Respondent_ID": ["007", "008"],
                       "Display name": ["Ann", "Bo"], "Organization": ["X", "Y"], "Role": ["manager", "academic"]})
    path = tmp_path / "m.xlsx"
    df.to_excel(path, index=False)
    m = toolkit.read_members(path)
    assert m.of("P1") == ["007", "008"] and m.label("P1", "007") == "Ann (X)"
    assert m.row("P1", "008")["expertise"] == "academic"


# ------------------------------------------------------------------------------------------ outputs, CLI
def test_cli_json_is_to_dict_and_outputs_are_written(tmp_path, result):
    from toolkit.io import dumps_json

    args = [sys.executable, "-m", "toolkit", "analyze", "network", str(DATA / "network_edges.csv"), "--members",
            str(DATA / "network_members.csv")]
    proc = subprocess.run(args + ["--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(dumps_json(result.to_dict()))
    assert "missing2: 6 of 8 members" in proc.stderr
    proc = subprocess.run(args + ["-o", str(tmp_path / "net.xlsx")], capture_output=True, text=True)
    assert proc.returncode == 0 and (tmp_path / "net.xlsx").exists(), proc.stderr
    result.write(tmp_path / "net.csv")
    result.write(tmp_path / "net.json")
    assert pd.read_csv(tmp_path / "net.csv")["group"].tolist()[:2] == ["empty", "empty"]
    assert json.loads((tmp_path / "net.json").read_text())["networks"][0]["relation"] == "exchange"
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "net.xlsx")
    assert wb.sheetnames == ["networks", "partnerships", "nodes", "notes"]
    proc = subprocess.run(args + ["-o", str(tmp_path / "net.txt")], capture_output=True, text=True)
    assert proc.returncode == 2 and "use .csv, .json or .xlsx" in proc.stderr


def test_plots_are_drawn_and_stable(tmp_path):
    res = toolkit.network(DATA / "network_edges.csv", members=DATA / "network_members.csv", reconstruct=True)
    paths = res.plot(tmp_path / "a", groups=["star", "missing2"])
    assert sorted(p.name for p in paths) == sorted(f"{g}_{r}.{f}" for g in ("star", "missing2")
                                                   for r in ("exchange", "leadership") for f in ("png", "svg"))
    again = res.plot(tmp_path / "b", groups=["star"], relations=["leadership"])
    assert (tmp_path / "a" / "star_leadership.svg").read_bytes() == again[1].read_bytes()
    from PIL import Image

    with Image.open(tmp_path / "a" / "star_leadership.png") as im:
        assert im.size[0] >= 1200 and im.size[1] >= 900
    svg = (tmp_path / "a" / "missing2_exchange.svg").read_text()
    assert "reconstructed tie" in svg and "did not answer" in svg and "Expertise" in svg


def test_aggregate_takes_the_network_measures_as_group_columns(result):
    survey = pd.DataFrame({"rid": [f"r{i}" for i in range(12)], "grp": ["star"] * 4 + ["pair"] * 4 + ["nonet"] * 4,
                           "a": [1, 2, 3, 4, 2, 3, 3, 4, 5, 5, 4, 4], "b": [2, 2, 3, 4, 3, 3, 4, 4, 5, 4, 4, 5]})
    agg = toolkit.aggregate(survey, group="grp", scales={"s": ["a", "b"]}, options=5, network=result)
    g = agg.groups.set_index("grp")
    assert g.loc["star", "leadership_indegree_centralization"] == 1.0
    assert g.loc["pair", "exchange_density"] == 1.0 and math.isnan(g.loc["nonet", "exchange_density"])
    assert g.loc["star", "network_expertise_heterogeneity"] == pytest.approx(
        next(r for r in REF["networks"] if r["group"] == "star")["expertise_heterogeneity"])
    assert any("1 group(s) have no roster network (nonet)" in w for w in agg.warnings)


def test_demo_step_runs_on_the_bundled_sample(tmp_path):
    lines: list[str] = []
    paths = toolkit.run_demo(tmp_path, only=["network"], echo=lines.append)
    assert all(p.exists() for p in paths)
    names = {p.name for p in paths}
    assert {"networks.xlsx", "networks.json", "roster-xlsform.xlsx", "roster-entry.xlsx", "P04_leadership.png",
            "roster-questionnaire-P07-R0070.xlsx", "partnerships-with-networks.csv"} <= names
    groups = pd.read_csv(tmp_path / "network" / "partnerships-with-networks.csv")
    assert len(groups) == 40 and "exchange_density" in groups.columns
    assert any("r(connectedness score, exchange density)" in line for line in lines)


def test_demo_registered():
    from toolkit.demo import STEPS

    assert "network" in [name for name, _ in STEPS]


def test_analyze_network_cli_imports_nothing_heavy():
    code = ("import sys; import toolkit.cli.analyze_network, toolkit.cli.survey_roster; "
            "print([m for m in ('pandas', 'numpy', 'networkx', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_docs_network_examples_run(tmp_path, monkeypatch, run_cli):
    """The Python block and the '$ hls ...' lines of docs/network.md run as written (plots: one partnership)."""
    import re
    import shlex

    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "network.md").read_text(encoding="utf-8")
    (tmp_path / "sample_data").symlink_to(root / "sample_data")
    monkeypatch.chdir(tmp_path)
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        exec(compile(block, "docs/network.md", "exec"), {})  # noqa: S102 - our own documentation
    lines = [m.group(1) for m in re.finditer(r"^\$ (hls .+)$", text, re.M)]
    assert len(lines) >= 3
    for line in lines:
        code, out, err = run_cli(*shlex.split(line)[1:])
        assert code == 0, (line, err)
    assert (tmp_path / "networks.xlsx").exists() and (tmp_path / "partnerships.csv").exists()


def test_instrument_checks_weights_against_the_roster_scales(tmp_path):
    edges = _write(tmp_path, "edges.csv", "group,ego,alter,relation,weight\nA,a1,a2,exchange,4\n"
                   "A,a2,a1,exchange,9\nA,a1,a2,leadership,1\n")
    res = toolkit.network(edges, instrument="collective-data-use")
    assert res.networks.set_index("relation").loc["exchange", "dyads"] == 1  # 9 = Can't say: not answered
    assert res.networks.set_index("relation").loc["exchange", "antecedent"] == "connectedness"
    bad = _write(tmp_path, "bad.csv", "group,ego,alter,relation,weight\nA,a1,a2,leadership,3\n")
    with pytest.raises(DataError, match=r"bad.csv:row 2: weight: weight 3 is not on the scale of 'leadership' "
                                        r"\(0=No, 1=Yes\)"):
        toolkit.network(bad, instrument="collective-data-use")
    other = _write(tmp_path, "other.csv", "group,ego,alter,relation,weight\nA,a1,a2,advice,1\n")
    with pytest.raises(DataError, match="row 2: relation: 'advice' is not a roster question"):
        toolkit.network(other, instrument="collective-data-use")
