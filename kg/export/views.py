"""Graph projections for Gephi, Cytoscape and yEd: an actor view and an event-centred view.

Both are built from the flat events of :func:`kg.export.events.collect_events` (canonical
events when the store has them, per-article claims otherwise), so they show exactly what the
``events-jsonl`` export says.

* The **actor view** is a directed graph of the parties: an edge from the side that acted
  (attacker, capturer) to the side acted upon (target, victim, the side that lost materiel),
  weighted by the number of events the two share and typed by what happened: ``attack``,
  ``clash`` or ``capture`` (``clash+capture`` when they met both ways). Named groups are one
  node each; unnamed parties ("gunmen", "five civilians") are one node per event; physical
  targets are not actors and are left out.
* The **event-centred view** has events, actors, places and weapon models as nodes, with the
  role of each link on the edge (attacker, target, captured by, located in, captured, ...).

GEXF carries time: every event node and every edge starts on the event's date, and every
actor, place and weapon starts on the date of its first event, so Gephi's timeline shows the
graph growing. GraphML and Cytoscape.js JSON carry the same dates as plain attributes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import product
from pathlib import Path
from typing import Any

import networkx as nx

from kg.export.events import collect_events
from kg.store import GraphStore

RELATION = {"armed-clash": "clash", "materiel-capture": "capture"}  # anything else: attack
_ACTING = ("attackers",)
_ACTED_UPON = ("targets", "victims", "unnamed_victims")
_ROLE = {"attackers": "attacker", "targets": "target", "victims": "victim",
         "unnamed_victims": "victim"}
_CAPTURE_ROLE = {"attackers": "captured by", "targets": "captured from"}


def relation(event_type: str | None) -> str:
    """The kind of actor-to-actor edge an event makes: attack, clash or capture."""
    return RELATION.get(event_type or "", "attack")


def _party(event: dict[str, Any], party: dict[str, Any]) -> tuple[str, str] | None:
    """Node id and label of a party; None for a physical target (not an actor)."""
    if party.get("kind") == "object":
        return None
    label = party.get("name") or (party.get("mentions") or ["unnamed"])[0]
    if party.get("id"):
        return party["id"], label
    return f"{event['id']}#party/{label}", label


def _earliest(graph: nx.Graph, node: str, date: str | None) -> None:
    """Keep on a node the date of the first event it takes part in."""
    if date and (not graph.nodes[node].get("first_date") or date < graph.nodes[node]["first_date"]):
        graph.nodes[node]["first_date"] = date


def _link(graph: nx.DiGraph, event: dict[str, Any], target: str, role: str,
          **extra: Any) -> None:
    """An edge from an event to a node; a second role on the same pair joins the first."""
    node, date = event["id"], event["date"]
    _earliest(graph, target, date)
    if graph.has_edge(node, target):
        roles = set(graph.edges[node, target]["role"].split(", ")) | {role}
        graph.edges[node, target]["role"] = ", ".join(sorted(roles))
    else:
        graph.add_edge(node, target, role=role, date=date, **extra)


# -- the two views -------------------------------------------------------------------------
def actor_view(events: Iterable[dict[str, Any]]) -> nx.DiGraph:
    graph = nx.DiGraph(view="actors")
    for event in events:
        kind = relation(event["type"])
        sides = []
        for fields in (_ACTING, _ACTED_UPON):
            parties = []
            for field in fields:
                for party in event[field]:
                    found = _party(event, party)
                    if found is not None:
                        parties.append((found, party))
            sides.append(parties)
        for ((source, source_label), left), ((target, target_label), right) in product(*sides):
            if source == target:
                continue
            for node, label, party in ((source, source_label, left), (target, target_label, right)):
                if node not in graph:
                    graph.add_node(node, label=label, actor_kind=party.get("kind") or "",
                                   event_count=0)
                _earliest(graph, node, event["date"])
            if not graph.has_edge(source, target):
                graph.add_edge(source, target, weight=0, attack=0, clash=0, capture=0,
                               event_ids=[], dates=[])
            edge = graph.edges[source, target]
            if event["id"] not in edge["event_ids"]:
                edge["event_ids"].append(event["id"])
                edge[kind] += 1
                edge["weight"] += 1
                if event["date"]:
                    edge["dates"].append(event["date"])
    for node in graph:
        graph.nodes[node]["event_count"] = len({e for _, _, d in graph.in_edges(node, data=True)
                                           for e in d["event_ids"]}
                                          | {e for _, _, d in graph.out_edges(node, data=True)
                                             for e in d["event_ids"]})
    for _, _, edge in graph.edges(data=True):
        edge["relation"] = "+".join(k for k in ("attack", "clash", "capture") if edge[k])
        edge["first_date"] = min(edge["dates"]) if edge["dates"] else None
        edge["last_date"] = max(edge["dates"]) if edge["dates"] else None
        edge["event_ids"] = "; ".join(sorted(edge["event_ids"]))
        del edge["dates"]
    return graph


def event_view(events: Iterable[dict[str, Any]]) -> nx.DiGraph:
    graph = nx.DiGraph(view="events")
    events = list(events)
    known = {e["id"] for e in events}
    for event in events:
        node = event["id"]
        location = event["location"] or {}
        label = event["type"] + (f" {event['date']}" if event["date"] else "")
        graph.add_node(node, label=label, kind="event", event_type=event["type"],
                       date=event["date"], first_date=event["date"],
                       fatalities=event["fatalities"], sources=len(event["sources"]),
                       place=location.get("name"), lat=location.get("lat"),
                       lon=location.get("lon"), geo_precision=location.get("precision"))
    for event in events:
        node = event["id"]

        roles = _CAPTURE_ROLE if event["type"] == "materiel-capture" else _ROLE
        for field in ("attackers", "targets", "victims", "unnamed_victims"):
            for party in event[field]:
                label = party.get("name") or (party.get("mentions") or ["unnamed"])[0]
                target = party.get("id") or f"{node}#party/{label}"
                if target not in graph:
                    graph.add_node(target, label=label, kind="actor",
                                   actor_kind=party.get("kind") or "")
                _link(graph, event, target, roles.get(field, _ROLE[field]))
        location = event["location"]
        if location and location.get("id"):
            place = location["id"]
            if place not in graph:
                graph.add_node(place, label=location.get("name") or place, kind="place",
                               lat=location.get("lat"), lon=location.get("lon"),
                               country=location.get("country"), admin1=location.get("admin1"))
            _link(graph, event, place, "located in")
        for weapon in event["weapons"]:
            model = weapon.get("id") or f"{node}#weapon/{weapon.get('name')}"
            if model not in graph:
                graph.add_node(model, label=weapon.get("name") or model, kind="weapon",
                               category=weapon.get("category"))
            _link(graph, event, model, weapon.get("role") or "used", origin=weapon.get("origin"))
        parent = event.get("parent_id")
        if parent and parent in known:
            _link(graph, event, parent, "sub-event of")
    return graph


# -- writers -------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    return value if isinstance(value, bool | int | float | str) else None


def _clean(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy with only str/int/float/bool attributes (GraphML and GEXF take no None)."""
    out = nx.DiGraph()
    out.graph.update({k: v for k, v in graph.graph.items() if _plain(v) is not None})
    for node, data in graph.nodes(data=True):
        out.add_node(node, **{k: v for k, v in data.items() if _plain(v) is not None})
    for u, v, data in graph.edges(data=True):
        out.add_edge(u, v, **{k: x for k, x in data.items() if _plain(x) is not None})
    return out


def _timed(graph: nx.DiGraph) -> nx.DiGraph:
    """GEXF time: nodes start with their first event, edges with theirs."""
    out = _clean(graph)
    for _, data in out.nodes(data=True):
        if data.get("first_date"):
            data["start"] = data["first_date"]
    for _, _, data in out.edges(data=True):
        start = data.get("date") or data.get("first_date")
        if start:
            data["start"] = start
    return out


def write_graphml(graph: nx.DiGraph, output: Path) -> int:
    nx.write_graphml(_clean(graph), output)
    return graph.number_of_edges()


def write_gexf(graph: nx.DiGraph, output: Path) -> int:
    nx.write_gexf(_timed(graph), output)
    return graph.number_of_edges()


def cytoscape_json(graph: nx.DiGraph) -> dict[str, Any]:
    """Cytoscape.js elements (``cytoscape({elements: data.elements})``); Cytoscape desktop
    opens the file as .cyjs, and ``networkx.cytoscape_graph`` reads it back."""
    clean = _clean(graph)
    nodes = [{"data": {"id": node, "value": node, "name": data.get("label", node), **data}}
             for node, data in clean.nodes(data=True)]
    edges = [{"data": {"id": f"e{index}", "source": u, "target": v, **data}}
             for index, (u, v, data) in enumerate(clean.edges(data=True))]
    return {"format_version": "1.0", "generated_by": "conflict-kg",
            "target_cytoscapejs_version": "~3.0",
            "data": {"name": f"conflict-kg {graph.graph.get('view', '')} view".replace("  ", " ")},
            "directed": True, "multigraph": False,
            "elements": {"nodes": nodes, "edges": edges}}


def write_cytoscape(graph: nx.DiGraph, output: Path) -> int:
    output.write_text(json.dumps(cytoscape_json(graph), indent=1, ensure_ascii=False),
                      encoding="utf-8")
    return graph.number_of_edges()


VIEWS = {"actors": actor_view, "events": event_view}
WRITERS = {"graphml": write_graphml, "gexf": write_gexf, "cytoscape": write_cytoscape}


def build_view(store: GraphStore, view: str = "actors", *, claims: bool = False) -> nx.DiGraph:
    return VIEWS[view](collect_events(store, claims=claims))


def export_view(store: GraphStore, fmt: str, view: str, output: Path, *,
                claims: bool = False) -> int:
    """Write one view in one format; returns the number of edges."""
    return WRITERS[fmt](build_view(store, view, claims=claims), output)
