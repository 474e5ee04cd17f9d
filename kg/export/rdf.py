"""RDF serialisations of the whole dataset, named graphs kept where the format can."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.rdf.namespace import PREFIXES
from kg.store import GraphStore

_OXIGRAPH = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def export_rdf(store: GraphStore, fmt: str, output: Path) -> int:
    if fmt in _OXIGRAPH and fmt != "trig":
        output.write_bytes(store.dump(_OXIGRAPH[fmt]))
        return len(store)
    dataset = store.to_dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    if fmt == "trig":
        output.write_text(dataset.serialize(format="trig"), encoding="utf-8")
    elif fmt == "jsonld":
        output.write_text(dataset.serialize(format="json-ld", indent=1), encoding="utf-8")
    else:  # turtle / ntriples: one graph, the union of all
        union = store.union_graph()
        for prefix, namespace in PREFIXES.items():
            union.bind(prefix, namespace)
        output.write_text(union.serialize(format="nt" if fmt == "ntriples" else "turtle"),
                          encoding="utf-8")
    return len(store)
