"""A graph that is only written out: its triples, each once, and their N-Triples.

The per-article graphs of a build go straight to the store as N-Triples. An rdflib ``Graph``
would index each triple three ways and bind a dozen prefixes for each of the three graphs of
every article, none of which is ever read: on MUC-4 dev that was about a second of the build.
The mapping functions only ``add`` to the graphs they are given, so this stands in for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from rdflib import Literal
from rdflib.term import Node

__all__ = ["TripleBuffer", "TripleSink", "nt_row"]

Triple = tuple[Node, Node, Node]


Pattern = tuple[Node | None, Node | None, Node | None]


class TripleSink(Protocol):
    """What the mapping writes to: an rdflib ``Graph`` or a :class:`TripleBuffer`."""

    def add(self, triple: Triple, /) -> object: ...

    def __contains__(self, pattern: Pattern, /) -> bool: ...


class TripleBuffer:
    """Triples in the order they were first added; adding one again changes nothing, as in
    a ``Graph`` (terms compare as rdflib compares them)."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}
        self._pairs: set[tuple[Node, Node]] = set()  # (subject, predicate) of each triple

    def add(self, triple: Triple) -> TripleBuffer:
        self._triples[triple] = None
        self._pairs.add((triple[0], triple[1]))
        return self

    def __contains__(self, pattern: Pattern) -> bool:
        """Whether a triple matches; ``None`` matches any term, as in a ``Graph``."""
        s, p, o = pattern
        if s is not None and p is not None:
            if o is None:
                return (s, p) in self._pairs
            return pattern in self._triples
        return any(
            all(want is None or want == term for want, term in zip(pattern, triple, strict=True))
            for triple in self._triples
        )

    def __len__(self) -> int:
        return len(self._triples)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def ntriples(self) -> bytes:
        """The triples as N-Triples in UTF-8, each written as rdflib's ``nt`` serializer
        writes it."""
        return "".join(map(nt_row, self._triples)).encode("utf-8")


def nt_row(triple: Triple) -> str:
    """One N-Triples line: IRIs and blank nodes as ``n3()`` writes them (which refuses an
    IRI that is not one), a literal quoted with its datatype or language."""
    s, p, o = triple
    obj = _literal(o) if isinstance(o, Literal) else o.n3()
    return f"{s.n3()} {p.n3()} {obj} .\n"


def _literal(literal: Literal) -> str:
    quoted = (
        '"'
        + str(literal)
        .replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace('"', '\\"')
        .replace("\r", "\\r")
        + '"'
    )
    if literal.language:
        if literal.datatype:
            raise ValueError(f"literal {quoted} has a datatype and a language")
        return f"{quoted}@{literal.language}"
    if literal.datatype:
        return f"{quoted}^^<{literal.datatype}>"
    return quoted
