"""SHACL validation against ``ontology/shapes.ttl``; the report is data, not a string.

Warnings (sources disagree) and infos (an event with no place) never make a graph
non-conforming; violations (broken data) do. Nothing is dropped for failing a shape: the
report is a worklist.

The shapes are compiled to SPARQL and run by the store, not handed to pySHACL. pySHACL walks
the graph one focus node at a time in Python and parses each SPARQL-based constraint again for
every focus node: on MUC-4 dev (44,000 quads) ``kg validate`` took 33 s, as long as the rest
of the build. Here the constraints become SELECTs that return the nodes failing them, for all
focus nodes at once (one query for the counts of a property shape, one for the tests of its
values, one per SPARQL-based constraint), and Oxigraph answers them in under a second. The
shapes file stays the contract: it is compiled once per process, and a SHACL construct the
compiler does not know stops validation (:class:`UnsupportedShape`) rather than being
skipped. ``tests/test_validate.py`` checks the compiled shapes against pySHACL, the
reference engine, on graphs broken in every way the shapes forbid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cache
from itertools import groupby
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from kg.resources import ontology_file

if TYPE_CHECKING:
    from kg.store import GraphStore

SH = Namespace("http://www.w3.org/ns/shacl#")


class Severity(StrEnum):
    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


class UnsupportedShape(Exception):
    """The shapes use a SHACL construct the compiler does not know.

    Not a user error: the shapes file and this module ship together, so whoever adds the
    construct to the shapes adds it here too (and a test of it to ``tests/test_validate.py``).
    """


@dataclass(frozen=True, slots=True)
class ValidationResult:
    severity: Severity
    focus: str
    path: str | None
    message: str
    value: str | None
    shape: str | None


Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True, slots=True)
class _Found:
    """A result with its RDF terms, for the SHACL report graph; ``details`` are the results
    that made a value fail the shape of an ``sh:node`` constraint."""

    severity: Severity
    focus: Term
    path: URIRef | None
    value: Term | None
    message: str
    shape: Node
    component: str
    details: tuple[_Found, ...] = ()

    def result(self) -> ValidationResult:
        return ValidationResult(
            severity=self.severity,
            focus=self.focus.value,
            path=None if self.path is None else str(self.path),
            message=self.message,
            value=None if self.value is None else self.value.value,
            shape=str(self.shape),
        )


@dataclass(frozen=True, slots=True)
class ValidationReport:
    conforms: bool
    results: tuple[ValidationResult, ...]
    found: tuple[_Found, ...] = field(default=(), repr=False, compare=False)

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def report_graph(self) -> Graph:
        """The report as a SHACL validation report graph (``sh:ValidationReport``)."""
        graph = Graph()
        graph.bind("sh", SH)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for found in self.found:
            graph.add((report, SH.result, _describe(graph, found)))
        return graph

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "counts": {s.value: self.count(s) for s in Severity},
                "results": [asdict(r) for r in self.results],
            },
            indent=2,
            ensure_ascii=False,
        )

    def to_turtle(self) -> str:
        return self.report_graph.serialize(format="turtle")

    def to_text(self, limit: int = 50) -> str:
        lines = [
            f"conforms: {'yes' if self.conforms else 'no'} "
            f"({self.count(Severity.VIOLATION)} violations, {self.count(Severity.WARNING)} "
            f"warnings, {self.count(Severity.INFO)} infos)"
        ]
        ordered = sorted(self.results, key=lambda r: (list(Severity).index(r.severity), r.focus))
        for result in ordered[:limit]:
            path = f" {result.path}" if result.path else ""
            value = f" (value: {result.value})" if result.value else ""
            lines.append(
                f"  {result.severity.value:9} {result.focus}{path}: {result.message}{value}"
            )
        if len(ordered) > limit:
            lines.append(f"  ... and {len(ordered) - limit} more (use --format json for all)")
        return "\n".join(lines)


def _rdflib(term: Term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):  # a plain literal, as rdflib writes it
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _describe(graph: Graph, found: _Found) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, _rdflib(found.focus)))
    if found.path is not None:
        graph.add((node, SH.resultPath, found.path))
    if found.value is not None:
        graph.add((node, SH.value, _rdflib(found.value)))
    graph.add((node, SH.resultMessage, Literal(found.message)))
    graph.add((node, SH.resultSeverity, SH[found.severity.value]))
    graph.add((node, SH.sourceShape, found.shape))
    graph.add((node, SH.sourceConstraintComponent, SH[found.component]))
    for detail in found.details:
        graph.add((node, SH.detail, _describe(graph, detail)))
    return node


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    with ontology_file("shapes.ttl").open("rb") as handle:
        graph.parse(handle, format="turtle")
    return graph


# --------------------------------------------------------------------------- the compiler

_PREFIXES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)

_NODE_KINDS = {
    SH.IRI: ("isIRI(?value)", "an IRI"),
    SH.BlankNode: ("isBlank(?value)", "a blank node"),
    SH.Literal: ("isLiteral(?value)", "a literal"),
    SH.BlankNodeOrIRI: ("!isLiteral(?value)", "a blank node or an IRI"),
    SH.BlankNodeOrLiteral: ("!isIRI(?value)", "a blank node or a literal"),
    SH.IRIOrLiteral: ("!isBlank(?value)", "an IRI or a literal"),
}
# datatypes whose lexical form SPARQL can check, by a cast to the type itself
_CASTABLE = {
    XSD[name]
    for name in (
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "date",
        "dateTime",
        "time",
        "duration",
    )
}
_RANGES = {
    SH.minInclusive: (">=", "MinInclusive"),
    SH.maxInclusive: ("<=", "MaxInclusive"),
    SH.minExclusive: (">", "MinExclusive"),
    SH.maxExclusive: ("<", "MaxExclusive"),
}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_ANNOTATIONS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.message,
    SH.severity,
    SH.deactivated,
}
_NODE_KEYS = _ANNOTATIONS | set(_TARGETS) | {SH.property, SH.sparql}
_PROPERTY_KEYS = _ANNOTATIONS | {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH["in"],
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH.minLength,
    SH.maxLength,
    SH.hasValue,
    SH.node,
    SH.sparql,
    *_RANGES,
}
_SPARQL_KEYS = _ANNOTATIONS | {SH.select, SH.prefixes}


@dataclass(frozen=True, slots=True)
class _Check:
    """One constraint of a shape, and how it runs (``kind``):

    - ``"count"``: sh:minCount / sh:maxCount; the focus node fails when its number of distinct
      values compares to ``bound`` by ``test`` (``<`` or ``>``);
    - ``"value"``: each value is tested; ``test`` is a SPARQL expression over ``?value`` that
      is true when it fails (for sh:class, ``klass``: the test is made when it runs, with the
      subclasses the data declares);
    - ``"has"``: sh:hasValue, ``test`` the term the focus node must have;
    - ``"node"``: sh:node, ``node`` the shape every value must conform to;
    - ``"sparql"``: a SPARQL-based constraint, ``test`` its SELECT, ``prefixes`` its PREFIXes.

    The counts of one property shape run as one query, and so do its value tests.
    """

    kind: str
    component: str
    shape: Node
    severity: Severity
    path: URIRef | None
    message: str
    test: str = ""
    bound: int = 0
    klass: URIRef | None = None
    node: _Shape | None = None
    prefixes: str = ""


@dataclass(frozen=True, slots=True)
class _Shape:
    node: Node
    targets: tuple[tuple[URIRef, Node], ...]  # (sh:targetClass..., term); none: sh:node only
    checks: tuple[_Check, ...]


class _Compiler:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.done: dict[Node, _Shape] = {}
        self.pending: set[Node] = set()
        self.namespaces = sorted(
            ((str(ns), prefix) for prefix, ns in graph.namespaces() if prefix),
            key=lambda item: -len(item[0]),
        )

    def show(self, term: Node) -> str:
        if isinstance(term, Literal):
            return json.dumps(str(term)) if term.datatype in (None, XSD.string) else str(term)
        text = str(term)
        for namespace, prefix in self.namespaces:
            if text.startswith(namespace) and re.fullmatch(r"[\w.-]+", text[len(namespace) :]):
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>" if isinstance(term, URIRef) else text

    def fail(self, shape: Node, problem: str) -> UnsupportedShape:
        return UnsupportedShape(
            f"shape {self.show(shape)}: {problem}; kg/validate.py does not "
            "compile it (add it there, with a test)"
        )

    def one(self, subject: Node, predicate: URIRef) -> Node | None:
        values = list(self.graph.objects(subject, predicate))
        if len(values) > 1:
            raise self.fail(subject, f"more than one {self.show(predicate)}")
        return values[0] if values else None

    def severity(self, shape: Node, default: Severity = Severity.VIOLATION) -> Severity:
        value = self.one(shape, SH.severity)
        if value is None:
            return default
        name = str(value).removeprefix(str(SH))
        if name not in {s.value for s in Severity}:
            raise self.fail(shape, f"severity {self.show(value)}")
        return Severity(name)

    def message(self, shape: Node) -> str | None:
        messages = sorted(
            self.graph.objects(shape, SH.message),
            key=lambda m: (getattr(m, "language", None) not in (None, "en"), str(m)),
        )
        return str(messages[0]) if messages else None

    def shapes(self) -> tuple[_Shape, ...]:
        """Every shape with a target, compiled (those without come in through sh:node)."""
        roots = set(self.graph.subjects(RDF.type, SH.NodeShape))
        for target in _TARGETS:
            roots |= set(self.graph.subjects(target, None))
        return tuple(
            self.node_shape(node)
            for node in sorted(roots, key=str)
            if any((node, t, None) in self.graph for t in _TARGETS)
            and self.one(node, SH.deactivated) != Literal(True)
        )

    def node_shape(self, node: Node) -> _Shape:
        if node in self.done:
            return self.done[node]
        if node in self.pending:
            raise self.fail(node, "a shape that refers to itself through sh:node")
        self.pending.add(node)
        if (node, SH.path, None) in self.graph:
            raise self.fail(node, "a property shape used as a node shape")
        for predicate in set(self.graph.predicates(node, None)) - _NODE_KEYS:
            raise self.fail(node, f"{self.show(predicate)} on a node shape")
        severity = self.severity(node)
        targets = tuple(
            (kind, term)
            for kind in _TARGETS
            for term in sorted(self.graph.objects(node, kind), key=str)
        )
        for kind, term in targets:
            if kind == SH.targetNode and isinstance(term, BNode):
                raise self.fail(node, "a blank node as sh:targetNode")
        checks: list[_Check] = []
        for prop in sorted(self.graph.objects(node, SH.property), key=str):
            if self.one(prop, SH.deactivated) != Literal(True):
                checks.extend(self.property_shape(prop, severity))
        for constraint in sorted(self.graph.objects(node, SH.sparql), key=str):
            checks.append(self.sparql(node, constraint, severity, None))
        shape = _Shape(node, targets, tuple(checks))
        self.pending.discard(node)
        self.done[node] = shape
        return shape

    def property_shape(self, prop: Node, parent: Severity) -> Iterator[_Check]:
        for predicate in set(self.graph.predicates(prop, None)) - _PROPERTY_KEYS:
            raise self.fail(prop, f"{self.show(predicate)} on a property shape")
        path = self.one(prop, SH.path)
        if not isinstance(path, URIRef):
            raise self.fail(prop, "a property path other than one IRI")
        severity = self.severity(prop, parent)
        given = self.message(prop)
        shown = self.show(path)

        def check(
            kind: str,
            component: str,
            default: str,
            test: str = "",
            bound: int = 0,
            klass: URIRef | None = None,
            node: _Shape | None = None,
        ) -> _Check:
            return _Check(
                kind,
                component + "ConstraintComponent",
                prop,
                severity,
                path,
                given or default,
                test=test,
                bound=bound,
                klass=klass,
                node=node,
            )

        # in this order: the counts, then the value tests, each run as one query
        for count in self.graph.objects(prop, SH.minCount):
            n = int(str(count))
            if n > 0:
                yield check(
                    "count",
                    "MinCount",
                    f"at least {n} value{'s' * (n > 1)} of {shown} needed",
                    test="<",
                    bound=n,
                )
        for count in self.graph.objects(prop, SH.maxCount):
            n = int(str(count))
            yield check(
                "count",
                "MaxCount",
                f"at most {n} value{'s' * (n != 1)} of {shown} allowed",
                test=">",
                bound=n,
            )
        for klass in self.graph.objects(prop, SH["class"]):
            if not isinstance(klass, URIRef):
                raise self.fail(prop, "sh:class that is not an IRI")
            yield check("value", "Class", f"the value is not a {self.show(klass)}", klass=klass)
        for datatype in self.graph.objects(prop, SH.datatype):
            failing = f"!isLiteral(?value) || datatype(?value) != <{datatype}>"
            if datatype in _CASTABLE:  # an ill-typed literal, such as "x"^^xsd:integer
                failing += f" || !COALESCE(isLiteral(<{datatype}>(?value)), false)"
            yield check(
                "value",
                "Datatype",
                f"the value is not a well-formed {self.show(datatype)}",
                test=failing,
            )
        for kind in self.graph.objects(prop, SH.nodeKind):
            if kind not in _NODE_KINDS:
                raise self.fail(prop, f"sh:nodeKind {self.show(kind)}")
            test, words = _NODE_KINDS[kind]  # type: ignore[index]
            yield check("value", "NodeKind", f"the value is not {words}", test=f"!({test})")
        for head in self.graph.objects(prop, SH["in"]):
            members = list(Collection(self.graph, head))
            if any(isinstance(m, BNode) for m in members):
                raise self.fail(prop, "a blank node in sh:in")
            same = " || ".join(f"sameTerm(?value, {m.n3()})" for m in members) or "false"
            listed = ", ".join(self.show(m) for m in members)
            yield check("value", "In", f"the value is not one of {listed}", test=f"!({same})")
        for pattern in self.graph.objects(prop, SH.pattern):
            flags = self.one(prop, SH.flags)
            arguments = Literal(str(pattern)).n3()
            if flags is not None:
                arguments += ", " + Literal(str(flags)).n3()
            yield check(
                "value",
                "Pattern",
                f"the value does not match {pattern}",
                test=f"isBlank(?value) || !regex(str(?value), {arguments})",
            )
        for predicate, (operator, component) in _RANGES.items():
            for bound in self.graph.objects(prop, predicate):
                yield check(
                    "value",
                    component,
                    f"the value is not {operator} {self.show(bound)}",
                    test=f"!COALESCE(?value {operator} {bound.n3()}, false)",
                )
        for count in self.graph.objects(prop, SH.minLength):
            yield check(
                "value",
                "MinLength",
                f"the value is shorter than {int(str(count))} characters",
                test=f"isBlank(?value) || STRLEN(STR(?value)) < {int(str(count))}",
            )
        for count in self.graph.objects(prop, SH.maxLength):
            yield check(
                "value",
                "MaxLength",
                f"the value is longer than {int(str(count))} characters",
                test=f"isBlank(?value) || STRLEN(STR(?value)) > {int(str(count))}",
            )
        for value in self.graph.objects(prop, SH.hasValue):
            if isinstance(value, BNode):
                raise self.fail(prop, "a blank node as sh:hasValue")
            yield check(
                "has",
                "HasValue",
                f"{shown} does not have the value {self.show(value)}",
                test=value.n3(),
            )
        for shape in self.graph.objects(prop, SH.node):
            yield check(
                "node",
                "Node",
                f"the value does not conform to {self.show(shape)}",
                node=self.node_shape(shape),
            )
        for constraint in self.graph.objects(prop, SH.sparql):
            yield self.sparql(prop, constraint, severity, path)

    def sparql(
        self, shape: Node, constraint: Node, severity: Severity, path: URIRef | None
    ) -> _Check:
        for predicate in set(self.graph.predicates(constraint, None)) - _SPARQL_KEYS:
            raise self.fail(shape, f"{self.show(predicate)} on a SPARQL constraint")
        select = self.one(constraint, SH.select)
        if select is None:
            raise self.fail(shape, "a SPARQL constraint without sh:select")
        text = str(select)
        if re.search(r"[$?](shapesGraph|currentShape)\b", text):
            raise self.fail(shape, "$shapesGraph or $currentShape in a SPARQL constraint")
        if re.search(r"[$?]PATH\b", text):
            if path is None:
                raise self.fail(shape, "$PATH in the SPARQL constraint of a node shape")
            text = re.sub(r"[$?]PATH\b", f"<{path}>", text)
        prefixes = ""
        for source in self.graph.objects(constraint, SH.prefixes):
            for declaration in self.graph.objects(source, SH.declare):
                prefix = self.one(declaration, SH.prefix)
                namespace = self.one(declaration, SH.namespace)
                prefixes += f"PREFIX {prefix}: <{namespace}> "
        message = self.message(constraint) or self.message(shape)
        return _Check(
            "sparql",
            "SPARQLConstraintComponent",
            shape,
            self.severity(constraint, severity),
            path,
            message or f"the SPARQL constraint of {self.show(shape)} is not met",
            test=text,
            prefixes=prefixes,
        )


@cache
def compiled_shapes() -> tuple[_Shape, ...]:
    """The shapes file as queries, compiled once per process."""
    return _Compiler(shapes_graph()).shapes()


# --------------------------------------------------------------------------- running them

Run = Callable[[str], ox.QuerySolutions]


@dataclass(frozen=True, slots=True)
class _Focus:
    """Which nodes a shape is checked on, as a SPARQL subquery that binds one variable: the
    targets of a shape (within the subjects of ``graphs`` when given), the values of ``path``
    on the nodes of another focus (for sh:node), or the nodes listed (``nodes``, IRIs)."""

    targets: tuple[tuple[URIRef, Node], ...] = ()
    graphs: tuple[str, ...] | None = None
    outer: _Focus | None = None
    path: URIRef | None = None
    nodes: tuple[str, ...] | None = None
    also: tuple[str, ...] = ()  # with ``graphs``: these nodes (IRIs) are in scope too

    def unscoped(self) -> bool:
        """Whether the focus reaches every node of the store the shape targets."""
        if self.outer is not None:
            return self.outer.unscoped()
        return self.nodes is None and self.graphs is None

    def pattern(self, closure: Callable[[URIRef], list[str]], var: str = "this") -> str:
        if self.nodes is not None:
            return f"VALUES ?{var} {{ {' '.join(self.nodes)} }}"
        if self.outer is not None:
            via = var + "_"
            inner = f"{self.outer.pattern(closure, via)} ?{via} <{self.path}> ?{var} ."
        else:
            inner = " UNION ".join(
                f"{{ {_target(kind, term, var, closure)} }}" for kind, term in self.targets
            )
            if self.graphs is not None:
                names = " ".join(f"<{g}>" for g in self.graphs)
                scope = (
                    f"{{ VALUES ?{var}_g {{ {names} }} "
                    f"GRAPH ?{var}_g {{ ?{var} ?{var}_p ?{var}_o }} }}"
                )
                if self.also:
                    listed = " ".join(f"<{n}>" for n in self.also)
                    scope += f" UNION {{ VALUES ?{var} {{ {listed} }} }}"
                inner = f"{{ SELECT DISTINCT ?{var} WHERE {{ {scope} }} }} {{ {inner} }}"
        return f"{{ SELECT DISTINCT ?{var} WHERE {{ {inner} }} }}"


def _target(kind: URIRef, term: Node, var: str, closure: Callable[[URIRef], list[str]]) -> str:
    if kind == SH.targetClass:
        classes = " ".join(closure(term))  # type: ignore[arg-type]
        return f"VALUES ?{var}_c {{ {classes} }} ?{var} rdf:type ?{var}_c ."
    if kind == SH.targetNode:
        return f"VALUES ?{var} {{ {term.n3()} }}"
    if kind == SH.targetSubjectsOf:
        return f"?{var} <{term}> ?{var}_t"
    return f"?{var}_t <{term}> ?{var}"


_TRUE = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
_BINDING = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class _Run:
    """One validation: the checks of every shape against one store."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.classes: dict[URIRef, list[str]] = {}
        self.checked: dict[tuple[Node, _Focus], list[_Found]] = {}

    def closure(self, klass: URIRef) -> list[str]:
        """``klass`` and its subclasses as the data declares them (SHACL instances)."""
        if klass not in self.classes:
            rows = self.run(
                f"{_PREFIXES}SELECT DISTINCT ?c WHERE {{ ?c rdfs:subClassOf+ <{klass}> "
                "FILTER (isIRI(?c)) }"
            )
            self.classes[klass] = [f"<{klass}>", *sorted(str(row[0]) for row in rows)]
        return self.classes[klass]

    def shape(self, shape: _Shape, focus: _Focus) -> list[_Found]:
        """What ``shape`` finds on the nodes of ``focus`` (each shape and focus once)."""
        key = (shape.node, focus)
        if key not in self.checked:
            self.checked[key] = self._shape(shape, focus)
        return self.checked[key]

    def _shape(self, shape: _Shape, focus: _Focus) -> list[_Found]:
        found: list[_Found] = []
        pattern = focus.pattern(self.closure)
        for (_, kind), group in groupby(shape.checks, key=lambda c: (c.shape, c.kind)):
            checks = list(group)
            if kind == "count":
                found.extend(self.counts(checks, pattern))
            elif kind == "value":
                found.extend(self.values(checks, pattern))
            else:
                for check in checks:
                    found.extend(self.other(check, focus, pattern))
        return found

    def counts(self, checks: list[_Check], pattern: str) -> Iterator[_Found]:
        path = checks[0].path
        having = " || ".join(f"COUNT(DISTINCT ?value) {c.test} {c.bound}" for c in checks)
        rows = self.run(
            f"{_PREFIXES}SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE "
            f"{{ {pattern} OPTIONAL {{ ?this <{path}> ?value }} }} "
            f"GROUP BY ?this HAVING ({having})"
        )
        for row in rows:
            this, n = row["this"], int(row["n"].value)
            for c in checks:
                if (n < c.bound) if c.test == "<" else (n > c.bound):
                    yield _Found(c.severity, this, path, None, c.message, c.shape, c.component)

    def values(self, checks: list[_Check], pattern: str) -> Iterator[_Found]:
        path, tests = checks[0].path, []
        for i, c in enumerate(checks):
            test = c.test
            if c.klass is not None:
                classes = " ".join(self.closure(c.klass))
                test = f"NOT EXISTS {{ ?value rdf:type ?c{i} . VALUES ?c{i} {{ {classes} }} }}"
            tests.append(f"BIND (COALESCE({test}, false) AS ?f{i})")
        flags = [f"?f{i}" for i in range(len(checks))]
        rows = self.run(
            f"{_PREFIXES}SELECT DISTINCT ?this ?value {' '.join(flags)} WHERE "
            f"{{ {pattern} ?this <{path}> ?value . {' '.join(tests)} "
            f"FILTER ({' || '.join(flags)}) }}"
        )
        for row in rows:
            this, value = row["this"], row["value"]
            for i, c in enumerate(checks):
                if row[f"f{i}"] == _TRUE:
                    yield _Found(c.severity, this, path, value, c.message, c.shape, c.component)

    def other(self, check: _Check, focus: _Focus, pattern: str) -> Iterator[_Found]:
        if check.kind == "has":
            rows = self.run(
                f"{_PREFIXES}SELECT DISTINCT ?this WHERE {{ {pattern} FILTER NOT "
                f"EXISTS {{ ?this <{check.path}> {check.test} }} }}"
            )
            for row in rows:
                yield _Found(
                    check.severity,
                    row["this"],
                    check.path,
                    None,
                    check.message,
                    check.shape,
                    check.component,
                )
        elif check.kind == "node":
            yield from self.node(check, focus, pattern)
        else:
            yield from self.sparql(check, pattern, focus.nodes)

    def sparql(
        self, check: _Check, pattern: str, nodes: tuple[str, ...] | None = None
    ) -> Iterator[_Found]:
        """One result per solution; ``?path`` and ``?value`` say what failed when bound,
        else the shape's path and the focus node; the message takes ``{?name}`` bindings.

        When the focus nodes are listed (a scoped validation), they are bound inside the
        constraint's own query too, as SHACL pre-binds ``$this``: the store evaluates a
        sub-select on its own, so otherwise every constraint reads the whole store."""
        test = check.test
        if nodes is not None:
            listed = " ".join(nodes)  # N-Triples terms, as _listed gives them
            test = _WHERE.sub(lambda m: f"{m[0]} VALUES ?this {{ {listed} }}", test, count=1)
        rows = self.run(f"{_PREFIXES}{check.prefixes}SELECT * WHERE {{ {pattern} {{ {test} }} }}")
        names = {v.value for v in rows.variables}
        for row in rows:
            bound = {name: row[name] for name in names if row[name] is not None}
            message = _fill(check.message, bound)
            path = bound.get("path")
            yield _Found(
                check.severity,
                row["this"],
                URIRef(path.value) if isinstance(path, ox.NamedNode) else check.path,
                bound.get("value", row["this"]),
                message,
                check.shape,
                check.component,
            )

    def node(self, check: _Check, focus: _Focus, pattern: str) -> Iterator[_Found]:
        """sh:node: a value fails when the shape, checked on the values, finds anything
        (whatever the severity); what it found becomes the result's details."""
        assert check.node is not None
        inner = self.shape(check.node, self._values_focus(check, focus, pattern))
        details: dict[Term, list[_Found]] = {}
        for found in inner:
            details.setdefault(found.focus, []).append(found)
        if not details:
            return
        rows = self.run(
            f"{_PREFIXES}SELECT DISTINCT ?this ?value WHERE "
            f"{{ {pattern} ?this <{check.path}> ?value }}"
        )
        for row in rows:
            this, value = row["this"], row["value"]
            if value in details:
                yield _Found(
                    check.severity,
                    this,
                    check.path,
                    value,
                    check.message,
                    check.shape,
                    check.component,
                    tuple(details[value]),
                )

    def _values_focus(self, check: _Check, focus: _Focus, pattern: str) -> _Focus:
        """The nodes an sh:node shape is checked on: the values of the path, or, in a
        validation of the whole store where every value is an instance of the classes the
        node shape targets, the shape's own targets, which it is checked on anyway (the
        participations of every event were checked twice, a third of the validation)."""
        values = _Focus(outer=focus, path=check.path)
        shape = check.node
        assert shape is not None
        if not shape.targets or any(kind != SH.targetClass for kind, _ in shape.targets):
            return values
        if not focus.unscoped():
            return values
        own = _Focus(targets=shape.targets)
        classes = " ".join(c for _, term in shape.targets for c in self.closure(term))  # type: ignore[arg-type]
        outside = self.run(
            f"{_PREFIXES}SELECT ?value WHERE {{ {pattern} ?this <{check.path}> ?value "
            f"FILTER NOT EXISTS {{ VALUES ?class {{ {classes} }} ?value rdf:type ?class }} }} "
            "LIMIT 1"
        )
        return own if next(iter(outside), None) is None else values


def _listed(engine: _Run, focus: _Focus) -> _Focus:
    """The focus nodes of a scoped validation, found once per shape and then listed in each
    of its queries: finding them again in every query (a scan of the scope's graphs) cost
    more than checking the whole store. Blank nodes cannot be listed in a query, so a scope
    that holds any is left as a pattern."""
    rows = engine.run(f"{_PREFIXES}SELECT ?this WHERE {focus.pattern(engine.closure)}")
    nodes = [row["this"] for row in rows]
    if any(not isinstance(node, ox.NamedNode) for node in nodes):
        return focus
    return _Focus(nodes=tuple(str(node) for node in nodes))


def _fill(message: str, bound: dict[str, Term]) -> str:
    """``{?name}`` (or ``{$name}``) in a message, replaced by the value bound to ``name``."""
    return _BINDING.sub(lambda m: bound[m[1]].value if m[1] in bound else m[0], message)


def _validate(
    run: Run, graphs: Iterable[str] | None = None, nodes: Iterable[str] = ()
) -> ValidationReport:
    also = tuple(sorted(set(nodes)))
    scope = None if graphs is None and not also else tuple(sorted(set(graphs or ())))
    engine = _Run(run)
    top: dict[tuple[ValidationResult, str], _Found] = {}
    for shape in compiled_shapes():
        focus = _Focus(targets=shape.targets, graphs=scope, also=also)
        if scope is not None:
            focus = _listed(engine, focus)
            if focus.nodes == ():
                continue
        for found in engine.shape(shape, focus):
            top.setdefault((found.result(), found.component), found)
    # the details of sh:node results are results too, as pySHACL lists them; a node found
    # both through sh:node and through its own target is listed once
    results: dict[tuple[ValidationResult, str], None] = {}
    stack = list(top.values())
    while stack:
        found = stack.pop()
        results[found.result(), found.component] = None
        stack.extend(found.details)
    ordered = sorted(
        (r for r, _ in results),
        key=lambda r: (r.severity, r.focus, r.path or "", r.message, r.value or ""),
    )
    conforms = not any(r.severity == Severity.VIOLATION for r in ordered)
    return ValidationReport(conforms, tuple(ordered), tuple(top.values()))


def validate_store(
    store: GraphStore, graphs: Iterable[str] | None = None, nodes: Iterable[str] = ()
) -> ValidationReport:
    """Validate the union of the store's graphs against ``ontology/shapes.ttl``.

    With ``graphs`` (named graph IRIs) or ``nodes`` (IRIs), only the nodes described in those
    graphs (the subjects of their triples) and the nodes listed are checked, though each check
    still sees the whole store, so a claim's article, actors and places count wherever they
    are stated. A build that adds articles passes their graphs, and lists the canonical
    events it wrote and the shared nodes the articles describe: its validation then follows
    the new articles, not the store.
    """
    return _validate(lambda sparql: _select(store.query(sparql)), graphs, nodes)


def validate_graph(data: Graph) -> ValidationReport:
    """Validate one rdflib graph (or a dataset: the union of its graphs)."""
    store = ox.Store()
    if getattr(data, "context_aware", False):
        store.load(data.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    else:
        store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return _validate(lambda sparql: _select(store.query(sparql, use_default_graph_as_union=True)))


def _select(results: object) -> ox.QuerySolutions:
    assert isinstance(results, ox.QuerySolutions)  # every compiled query is a SELECT
    return results
