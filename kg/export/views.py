"""Graph projections for Gephi, Cytoscape and yEd: an actor view and an event-centred view.

Both are built from the flat events of :func:`kg.export.events.collect_events` (canonical
events when the store has them, per-article claims otherwise), so they show exactly what the
``events-jsonl`` export says.

* The **actor view** is a directed graph of the parties: an edge from the side that acted
  (attacker, capturer) to the side acted upon (target, victim, the side that lost materiel),
  weighted by the number of events the two share and typed by what happened: ``attack``,
  ``clash`` or ``capture`` (``clash+capture`` when they met both ways). Linked actors are one
  node each; names the linker could not link are grouped when they are surely one
  (:func:`group_names`: case, accent and punctuation variants, a name and its acronym) and the
  group is one node. Unnamed parties ("gunmen", "two women", "five civilians") are not actors
  of the network and are left out, as are physical targets.
* The **event-centred view** has events, actors, places and weapon models as nodes, with the
  role of each link on the edge (attacker, target, captured by, located in, captured, ...).
  Names are grouped as in the actor view; unnamed parties stay, one node per event, because
  there they are what the event says of its sides.

GEXF carries time: every event node and every edge starts on the event's date, and every
actor, place and weapon starts on the date of its first event, so Gephi's timeline shows the
graph growing. GraphML and Cytoscape.js JSON carry the same dates as plain attributes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import networkx as nx

from kg.export.events import collect_events
from kg.reference import fold
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


def _words(text: str) -> frozenset[str]:
    """A word list written as text, one word after another."""
    return frozenset(text.split())


# -- who is a node: generic nouns out, unlinked names grouped -------------------------------
# Nouns that name people without naming them: a party called only by these (with numbers,
# articles and adjectives such as "unidentified" or "armed") is an unnamed group.
GENERIC_NOUNS = _words("""
man men woman women person persons people individual individuals civilian civilians child
children boy boys girl girls youth youths adult adults member members resident residents
villager villagers peasant peasants farmer farmers worker workers student students passenger
passengers inhabitant inhabitants citizen citizens family families relative relatives
gunman gunmen guerrilla guerrillas rebel rebels militant militants insurgent insurgents
terrorist terrorists fighter fighters assailant assailants attacker attackers bandit bandits
subversive subversives kidnapper kidnappers hitman hitmen criminal criminals
extremist extremists jihadist jihadists militiaman militiamen commando commandos
soldier soldiers troop troops policeman policemen officer officers agent agents guard guards
police army military
group groups band bands gang gangs squad squads unit units cell cells column columns
force forces element elements team teams crowd mob
""")
_GENERIC_MODIFIERS = _words("""
a an the some several many few two three four five six seven eight nine ten eleven twelve
dozen dozens hundred hundreds scores of unidentified unknown unnamed armed heavily
masked hooded alleged suspected presumed presumably possible other another more about around
at least nearly almost over young old local innocent security urban rural
""")
_FUNCTION_WORDS = _words("""
de del della di du des d la las le les los el al of the and et y e for pour por para en in
""")
_BRACKETED = re.compile(r"^(?P<long>.*?\S)\s*[\(\[](?P<short>[^()\[\]]+)[\)\]]\s*$")


def is_generic(name: str) -> bool:
    """True when a name only says what kind of people these are ("men", "TWO WOMEN", "a group
    of armed men", "persons"), not who they are."""
    words = [w for w in fold(name).split() if w not in _GENERIC_MODIFIERS and not w.isdigit()]
    return all(w in GENERIC_NOUNS for w in words)


def _initials(name: str) -> str:
    """The acronym a name would have: initials of its words but the function words."""
    words = [w for w in fold(name).split() if w not in _FUNCTION_WORDS]
    return "".join(w[0] for w in words).upper() if len(words) >= 2 else ""


def _acronym(name: str) -> str | None:
    """The name as an acronym (``FLX``, ``F.L.X.``), or None when it is not written as one."""
    compact = name.replace(".", "").strip()
    if 2 <= len(compact) <= 10 and compact.isalnum() and compact.isupper():
        return compact
    return None


@dataclass(frozen=True, slots=True)
class NameGroup:
    """Names that surely denote one party, with the name to show."""

    key: str  # stable: the folded form of the label
    label: str
    names: tuple[str, ...]


def _label_rank(name: str, count: int) -> tuple[int, int, int, int, int, str]:
    """Prefer the name with its acronym in brackets, then one written in mixed case, then one
    with accents (more informative than capitals-only wire copy), then the most frequent."""
    accented = any(unicodedata.combining(c) for c in unicodedata.normalize("NFKD", name))
    return (0 if _BRACKETED.match(name) else 1, 0 if not name.isupper() else 1,
            0 if accented else 1, -count, -len(name), name)


def group_names(names: Iterable[str], *, acronyms: bool = True) -> dict[str, NameGroup]:
    """Group names that are surely one party; every name given maps to its group.

    Two names are one when they are equal but for case, accents and punctuation ("JOSE
    RODRIGUEZ", "José Rodríguez"), and, with ``acronyms`` (for organisations, not people),
    when one is the other's acronym: written in brackets after it ("Front de libération X
    (FLX)" and "FLX") or made of its initials but function words ("Front de libération du
    Nord", "FLN"). An acronym that would join two different long names joins neither.
    """
    counts = Counter(n for n in names if n and n.strip())
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    keys = {name: fold(name) for name in counts}
    for key in keys.values():
        find(key)
    if acronyms:
        short_forms: dict[str, str] = {}  # acronym -> key of a name written so
        expansions: dict[str, set[str]] = defaultdict(set)  # acronym -> keys of long names
        for name in counts:
            if short := _acronym(name):  # "FLX" and "F.L.X." are one
                union(keys[name], short_forms.setdefault(short, keys[name]))
            elif (found := _BRACKETED.match(name)) and (short := _acronym(found.group("short"))):
                expansions[short].add(fold(found.group("long")))
                union(keys[name], fold(found.group("long")))
            elif (initials := _initials(name)) and len(initials) >= 3:
                expansions[initials].add(keys[name])
        for short, longs in expansions.items():
            roots = {find(k) for k in longs}
            if short in short_forms and len(roots) == 1:
                union(short_forms[short], next(iter(longs)))
    members: dict[str, list[str]] = defaultdict(list)
    for name in counts:
        members[find(keys[name])].append(name)
    out: dict[str, NameGroup] = {}
    for group in members.values():
        label = min(group, key=lambda n: _label_rank(n, counts[n]))
        entry = NameGroup(fold(label), label, tuple(sorted(group)))
        for name in group:
            out[name] = entry
    return out


def _label(party: dict[str, Any]) -> str:
    return party.get("name") or (party.get("mentions") or ["unnamed"])[0]


def _linked(party: dict[str, Any]) -> bool:
    """Linked to the reference actors (an unlinked organisation has an id of its own)."""
    return bool(party.get("id")) and "/actor/unlinked/" not in party["id"]


def _named(party: dict[str, Any]) -> bool:
    return party.get("kind") in {"organization", "person"} and not is_generic(_label(party))


class PartyNodes:
    """Which node each party of a set of events is: linked actors by their id, unlinked
    names by their group (:func:`group_names`, people and organisations apart), unnamed
    parties one node per event or none."""

    def __init__(self, events: Iterable[dict[str, Any]]) -> None:
        by_kind: dict[str, list[str]] = defaultdict(list)
        self._iri: dict[tuple[str, str], str] = {}
        for event in events:
            for field in ("attackers", "targets", "victims", "unnamed_victims"):
                for party in event[field]:
                    if not _linked(party) and _named(party):
                        by_kind[party["kind"]].append(_label(party))
                        if party.get("id"):
                            self._iri.setdefault((party["kind"], _label(party)), party["id"])
        self._groups = {kind: group_names(names, acronyms=kind == "organization")
                        for kind, names in by_kind.items()}
        self._group_iri: dict[tuple[str, str], str] = {}
        for (kind, name), iri in sorted(self._iri.items()):
            group = self._groups[kind][name]
            self._group_iri.setdefault((kind, group.key), iri)

    def node(self, event: dict[str, Any], party: dict[str, Any], *,
             unnamed: bool) -> tuple[str, str] | None:
        """Node id and label of a party; None for a physical target, and for an unnamed
        party unless ``unnamed`` (then it is a node of its event)."""
        if party.get("kind") == "object":
            return None
        label = _label(party)
        if _linked(party):
            return party["id"], label
        if _named(party):
            kind = party["kind"]
            group = self._groups[kind][label]
            iri = self._group_iri.get((kind, group.key))
            return iri or f"name:{kind}/{group.key}", group.label
        if not unnamed:
            return None
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
    events = list(events)
    nodes = PartyNodes(events)
    for event in events:
        kind = relation(event["type"])
        sides = []
        for fields in (_ACTING, _ACTED_UPON):
            parties = []
            seen = set()
            for field in fields:
                for party in event[field]:
                    found = nodes.node(event, party, unnamed=False)
                    if found is not None and found[0] not in seen:
                        seen.add(found[0])
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
    nodes = PartyNodes(events)
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
                found = nodes.node(event, party, unnamed=True)
                if found is None:  # a physical target: a node of its own event
                    label = _label(party)
                    found = (party.get("id") or f"{node}#party/{label}", label)
                target, label = found
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
