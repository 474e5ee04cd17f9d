"""Named questions: the analysts' questions of DESIGN.md as documented SPARQL files.

Each question is a ``.rq`` file in ``kg/queries/`` (shipped inside the package) that starts
with comment lines::

    # title: Captured weapons by capturer, origin and loser
    # description: What the question answers and how to read the result.
    # question: 1
    # param year: year — only events dated in this year — any year
    # param km: number — radius in kilometres — `50`
    # param include_coarse: boolean — also events placed only in a region — `false`

(the default is a value in backticks, ``required``, or words saying what leaving the
parameter out means) and holds a ``# @params`` line inside each ``WHERE`` group that reads the
parameters (the outermost, or a sub-select's when the question computes in stages; one in each
branch of a ``UNION`` whose branches read them, as a group cannot see the values of another).
Binding replaces each such line with a ``VALUES`` block built from typed RDF terms (``pyoxigraph``
literals, whose serialisation escapes quotes, backslashes and new lines), so a value is always
one term and never text spliced into the query. A parameter left out is ``UNDEF``: the query reads
``!BOUND(?year)`` as "any year". Every value is checked against its declared type first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyoxigraph as ox

from kg.errors import QueryError

PARAMS_MARKER = "# @params"
_HEADER = re.compile(r"^#\s*(title|description|question):\s*(.*)$")
_PARAM = re.compile(r"^#\s*param\s+([a-z][a-z0-9_]*)\s*:\s*(.+)$")
_SEPARATOR = re.compile(r"\s+[—–]\s+|\s+--\s+")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_STRING = 200

# the type names a ``# param`` line may use, with what a value must look like
PARAM_TYPES = {
    "country": "an ISO 3166-1 alpha-2 code such as BF",
    "year": "a year such as 2024",
    "number": "a number such as 50 or 2.5 (not negative)",
    "latitude": "a latitude in degrees, -90 to 90",
    "longitude": "a longitude in degrees, -180 to 180",
    "string": f"text of at most {MAX_STRING} characters",
    "boolean": "true or false (also yes/no, 1/0)",
}
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    meaning: str
    default: str | None  # a value, or None: the parameter is left unbound ("any")
    required: bool
    default_text: str  # the default as the file words it ("any year", "50", "required")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    title: str
    description: str
    question: int | None
    params: tuple[Param, ...]
    text: str

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"{self.name}: no parameter {name!r} (parameters: {known})")

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "question": self.question,
            "params": [{"name": p.name, "type": p.type, "meaning": p.meaning,
                        "default": p.default, "required": p.required,
                        "default_text": p.default_text, "expects": PARAM_TYPES[p.type]}
                       for p in self.params],
        }


def _default(param_type: str, text: str, where: str) -> tuple[str | None, bool]:
    """Read the default column: a value in backticks (`50`), 'required', or words that say
    what an unbound parameter means ("any year")."""
    if text.lower() == "required":
        return None, True
    if len(text) > 2 and text.startswith("`") and text.endswith("`"):
        value = text[1:-1]
        try:
            _term(param_type, value)
        except QueryError as error:
            raise QueryError(f"{where}: default {text}: {error}") from None
        return value, False
    return None, False


def parse(name: str, text: str) -> NamedQuery:
    """Read the header of a named question; raises QueryError when it is malformed."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("#"):
            if line:
                break  # the header ends at the first line of SPARQL
            continue
        if found := _HEADER.match(line):
            fields[found.group(1)] = found.group(2).strip()
        elif found := _PARAM.match(line):
            parts = _SEPARATOR.split(found.group(2).strip())
            if len(parts) != 3:
                raise QueryError(
                    f"{name}.rq: a param line needs 'type — meaning — default': {line}")
            param_type, meaning, default_text = (p.strip() for p in parts)
            if param_type not in PARAM_TYPES:
                raise QueryError(f"{name}.rq: unknown parameter type {param_type!r}")
            default, required = _default(param_type, default_text, f"{name}.rq")
            params.append(Param(found.group(1), param_type, meaning, default, required,
                                default_text))
    for key in ("title", "description"):
        if key not in fields:
            raise QueryError(f"{name}.rq: no '# {key}:' line")
    markers = sum(1 for line in text.splitlines() if line.strip() == PARAMS_MARKER)
    if params and not markers:
        raise QueryError(f"{name}.rq: has parameters but no '{PARAMS_MARKER}' line")
    if markers and not params:
        raise QueryError(f"{name}.rq: a '{PARAMS_MARKER}' line but no parameters")
    question = fields.get("question")
    return NamedQuery(name=name, title=fields["title"], description=fields["description"],
                      question=int(question) if question and question.isdigit() else None,
                      params=tuple(params), text=text)


@cache
def _load_all() -> dict[str, NamedQuery]:
    folder = resources.files("kg") / "queries"
    found: dict[str, NamedQuery] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".rq"):
            name = entry.name[: -len(".rq")]
            found[name] = parse(name, entry.read_text(encoding="utf-8"))
    return found


def list_queries() -> list[NamedQuery]:
    """Every named question, in the order of DESIGN.md's list."""
    return sorted(_load_all().values(), key=lambda q: (q.question or 99, q.name))


def get_query(name: str) -> NamedQuery:
    try:
        return _load_all()[name]
    except KeyError:
        known = ", ".join(q.name for q in list_queries())
        raise QueryError(f"no named question {name!r} (known: {known})") from None


# -- binding ----------------------------------------------------------------------------------
def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise QueryError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise QueryError(f"{text!r} is not a finite number")
    return value


def _term(param_type: str, raw: str) -> ox.Literal:
    """The RDF term for one checked value; anything else raises QueryError."""
    text = raw.strip()
    if param_type == "country":
        code = text.upper()
        if not _COUNTRY.match(code):
            raise QueryError(f"{raw!r} is not a two-letter country code (such as BF)")
        return ox.Literal(code)
    if param_type == "year":
        if not re.fullmatch(r"[0-9]{4}", text):
            raise QueryError(f"{raw!r} is not a year (four digits)")
        return ox.Literal(int(text))
    if param_type in {"number", "latitude", "longitude"}:
        value = _number(text)
        limit = {"latitude": 90.0, "longitude": 180.0}.get(param_type)
        if limit is not None and not -limit <= value <= limit:
            raise QueryError(f"{raw!r} is not a {param_type} (-{limit:g} to {limit:g})")
        if limit is None and value < 0:
            raise QueryError(f"{raw!r} is negative")
        return ox.Literal(value)
    if param_type == "boolean":
        if text.lower() not in _TRUE | _FALSE:
            raise QueryError(f"{raw!r} is not true or false")
        return ox.Literal(text.lower() in _TRUE)
    if param_type == "string":
        if not text:
            raise QueryError("an empty value")
        if len(text) > MAX_STRING or _CONTROL.search(text):
            raise QueryError(
                f"a value longer than {MAX_STRING} characters or with control characters")
        return ox.Literal(text)
    raise QueryError(f"unknown parameter type {param_type!r}")


def bind_values(query: NamedQuery, values: Mapping[str, str]) -> dict[str, ox.Literal | None]:
    """Check ``values`` against the declared parameters; None means unbound (UNDEF)."""
    for name in values:
        query.param(name)  # raises for an unknown name
    bound: dict[str, ox.Literal | None] = {}
    for param in query.params:
        raw = values.get(param.name)
        if raw is None or raw.strip() == "":
            if param.required:
                raise QueryError(f"{query.name}: parameter {param.name!r} is required "
                                 f"({param.meaning}; {PARAM_TYPES[param.type]})")
            raw = param.default
        if raw is None:
            bound[param.name] = None
            continue
        try:
            bound[param.name] = _term(param.type, raw)
        except QueryError as error:
            raise QueryError(f"{query.name}: parameter {param.name!r}: {error}; "
                             f"expected {PARAM_TYPES[param.type]}") from None
    return bound


def values_block(bound: Mapping[str, ox.Literal | None]) -> str:
    """``VALUES (?a ?b) { (term UNDEF) }`` from checked terms (N-Triples syntax is SPARQL)."""
    if not bound:
        return ""
    names = " ".join(f"?{name}" for name in bound)
    row = " ".join("UNDEF" if term is None else str(term) for term in bound.values())
    return f"VALUES ({names}) {{ ({row}) }}"


def bind(name_or_query: str | NamedQuery, values: Mapping[str, str] | None = None) -> str:
    """The text of a named question with its parameters bound, ready to run."""
    query = name_or_query if isinstance(name_or_query, NamedQuery) else get_query(name_or_query)
    block = values_block(bind_values(query, values or {}))
    if not query.params:
        return query.text
    lines = [
        line.replace(PARAMS_MARKER, block) if line.strip() == PARAMS_MARKER else line
        for line in query.text.splitlines()
    ]
    return "\n".join(lines) + "\n"


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``["country=BF", "year=2024"]`` -> a dict; the CLI's ``--param key=value``."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {pair!r}: write it as name=value")
        values[key.strip()] = value
    return values


def run_named(store, name: str, values: Mapping[str, str] | None = None):
    """Run a named question over ``store`` (a GraphStore); returns pyoxigraph results."""
    return store.query(bind(name, values))
