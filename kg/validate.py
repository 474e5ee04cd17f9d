"""SHACL validation with pySHACL; the report is data, not a string.

Warnings (sources disagree) and infos (an event with no place) never make a graph
non-conforming; violations (broken data) do. Nothing is dropped for failing a shape: the
report is a worklist.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import cache

from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from kg.resources import ontology_file

SH = Namespace("http://www.w3.org/ns/shacl#")


class Severity(StrEnum):
    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


@dataclass(frozen=True, slots=True)
class ValidationResult:
    severity: Severity
    focus: str
    path: str | None
    message: str
    value: str | None
    shape: str | None


@dataclass(frozen=True, slots=True)
class ValidationReport:
    conforms: bool
    results: tuple[ValidationResult, ...]
    report_graph: Graph

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity == severity)

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


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    with ontology_file("shapes.ttl").open("rb") as handle:
        graph.parse(handle, format="turtle")
    return graph


def _short(term: object) -> str | None:
    if term is None:
        return None
    return str(term)


def validate_graph(data: Graph) -> ValidationReport:
    """Validate one graph (the union of a dataset's graphs) against ``ontology/shapes.ttl``."""
    import pyshacl  # imported lazily: it is slow to import and only validation needs it

    conforms, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        abort_on_first=False,
    )
    results = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(node, SH.resultSeverity)
        results.append(
            ValidationResult(
                severity=Severity(str(severity).rsplit("#", 1)[-1]),
                focus=str(report_graph.value(node, SH.focusNode)),
                path=_short(report_graph.value(node, SH.resultPath)),
                message=str(report_graph.value(node, SH.resultMessage) or "constraint not met"),
                value=_short(report_graph.value(node, SH.value)),
                shape=_short(report_graph.value(node, SH.sourceShape)),
            )
        )
    results.sort(key=lambda r: (r.severity, r.focus, r.path or "", r.message))
    conforms = not any(r.severity == Severity.VIOLATION for r in results)
    return ValidationReport(bool(conforms), tuple(results), report_graph)
