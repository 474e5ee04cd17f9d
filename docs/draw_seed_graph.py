"""Draw the event-centred view of a graph export as a PNG (the picture in the README).

    kg build data/samples --store seed-store
    kg export --store seed-store --format graphml-events -o seed-events.graphml
    pip install matplotlib
    python docs/draw_seed_graph.py seed-events.graphml docs/images/seed-graph.png

It reads the export with networkx, as any other tool would, and lays the nodes out in
columns: actors on the left, events in the middle, weapons on the right, places below.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx

COLOURS = {"event": "#d9534f", "actor": "#2b6cb0", "place": "#2f855a", "weapon": "#b7791f"}
COLUMNS = {"actor": 0.0, "event": 1.0, "weapon": 2.0}


def layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    by_kind: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        by_kind.setdefault(data.get("kind", "actor"), []).append(node)
    position: dict[str, tuple[float, float]] = {}
    for kind, nodes in by_kind.items():
        nodes.sort(key=lambda n: graph.nodes[n].get("label", n))
        if kind == "place":  # below, between the actors and the events
            for i, node in enumerate(nodes):
                position[node] = (0.55 + i * 0.5, -2.6)
            continue
        x = COLUMNS.get(kind, 3.0)
        step = 1.0 if kind == "weapon" else 2.0
        for i, node in enumerate(nodes):
            position[node] = (x, ((len(nodes) - 1) / 2 - i) * step)
    return position


def draw(source: Path, target: Path) -> None:
    graph = nx.read_gexf(source) if source.suffix == ".gexf" else nx.read_graphml(source)
    position = layout(graph)
    fig, ax = plt.subplots(figsize=(11, 6.2), dpi=110)
    kinds = [graph.nodes[n].get("kind", "actor") for n in graph]
    nx.draw_networkx_edges(graph, position, ax=ax, edge_color="#8a94a6", arrows=True,
                           arrowsize=12, node_size=1400, connectionstyle="arc3,rad=0.04")
    nx.draw_networkx_nodes(graph, position, ax=ax, node_size=1400, alpha=0.92,
                           node_color=[COLOURS.get(k, "#777") for k in kinds])
    labels = {n: textwrap.fill(graph.nodes[n].get("label", n), 15) for n in graph}
    nx.draw_networkx_labels(graph, position, labels=labels, ax=ax, font_size=8)
    edge_labels = {(u, v): d.get("role", "") for u, v, d in graph.edges(data=True)}
    nx.draw_networkx_edge_labels(graph, position, edge_labels=edge_labels, ax=ax, font_size=7,
                                 label_pos=0.42, rotate=False,
                                 bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
    for kind, colour in COLOURS.items():
        ax.scatter([], [], c=colour, s=80, label=kind)
    ax.legend(loc="upper left", frameon=False, fontsize=9)
    ax.set_title("The seed graph: one armed clash and one capture at Kalamba, "
                 "each reported by both sample articles", fontsize=11)
    ax.axis("off")
    ax.margins(x=0.12, y=0.1)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python docs/draw_seed_graph.py EXPORT.graphml|.gexf OUTPUT.png")
    draw(Path(sys.argv[1]), Path(sys.argv[2]))
