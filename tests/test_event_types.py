"""Checks on the SKOS concept scheme of event types (ontology/event-types.ttl).

The codes are those of ../shared/eval/TYPES.md. They are embedded below so that the tests
run without the shared directory; when the file is present, the embedded table is also
compared against it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

REPO = Path(__file__).parent.parent
TTL = REPO / "ontology" / "event-types.ttl"
TYPES_MD = REPO.parent / "shared" / "eval" / "TYPES.md"

ET = Namespace("https://w3id.org/conflict-kg/event-type/")
ACLED = Namespace("https://w3id.org/conflict-kg/acled/")
MUC4 = Namespace("https://w3id.org/conflict-kg/muc4/")
PLOVER = Namespace("https://w3id.org/conflict-kg/plover/")
CAMEO = Namespace("https://w3id.org/conflict-kg/cameo/")
SCHEME = URIRef(str(ET))
EXTERNAL_SCHEMES = {URIRef(str(ns)) for ns in (ACLED, MUC4, PLOVER, CAMEO)}

EXACT_OR_CLOSE = frozenset({SKOS.exactMatch, SKOS.closeMatch})
BROAD = frozenset({SKOS.broadMatch})
MAPPING_PROPERTIES = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)

# code -> (ACLED column: slug of the sub-event, or of the event type when TYPES.md names no
#          sub-event; MUC-4 column: slug of the incident type). None where TYPES.md has none.
CODES: dict[str, tuple[str | None, str | None]] = {
    "armed-clash": ("armed-clash", "attack"),
    "government-regains-territory": ("government-regains-territory", None),
    "non-state-actor-overtakes-territory": ("non-state-actor-overtakes-territory", None),
    "attack": ("attack", "attack"),
    "abduction": ("abduction-forced-disappearance", "kidnapping"),
    "sexual-violence": ("sexual-violence", None),
    "bombing": ("explosions-remote-violence", "bombing"),
    "remote-explosive": ("remote-explosive-landmine-ied", "bombing"),
    "suicide-bomb": ("suicide-bomb", "bombing"),
    "grenade": ("grenade", "bombing"),
    "air-drone-strike": ("air-drone-strike", None),
    "shelling": ("shelling-artillery-missile-attack", None),
    "chemical-weapon": ("chemical-weapon", None),
    "arson": ("looting-property-destruction", "arson"),
    "robbery": ("looting-property-destruction", "robbery"),
    "looting-property-destruction": ("looting-property-destruction", None),
    "materiel-capture": (None, None),
    "disrupted-weapons-use": ("disrupted-weapons-use", None),
    "arrests": ("arrests", None),
    "agreement": ("agreement", None),
    "headquarters-or-base-established": ("headquarters-or-base-established", None),
    "change-to-group-activity": ("change-to-group-activity", None),
    "non-violent-transfer-of-territory": ("non-violent-transfer-of-territory", None),
    "peaceful-protest": ("peaceful-protest", None),
    "protest-with-intervention": ("protest-with-intervention", None),
    "excessive-force-against-protesters": ("excessive-force-against-protesters", None),
    "violent-demonstration": ("violent-demonstration", None),
    "mob-violence": ("mob-violence", None),
    "forced-work-stoppage": (None, "forced-work-stoppage"),
}
CODE_LIST: tuple[str, ...] = tuple(CODES)

# Rows where our code is a narrower slice of the external concept ("(by fire)", "(theft)",
# "any of the four below when unspecified", or an ACLED device sub-event read as MUC-4
# BOMBING): the mapping must be skos:broadMatch there, exact or close everywhere else.
ACLED_BROAD = {"bombing", "arson", "robbery"}
MUC4_BROAD = {"remote-explosive", "suicide-bomb", "grenade"}

GROUPINGS = {
    "battles": "battles",
    "explosions-remote-violence": "explosions-remote-violence",
    "violence-against-civilians": "violence-against-civilians",
    "protests": "protests",
    "riots": "riots",
    "strategic-developments": "strategic-developments",
    "other-coercion": None,
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.fixture(scope="module")
def g() -> Graph:
    graph = Graph()
    graph.parse(TTL, format="turtle")
    return graph


def concepts_in(g: Graph, scheme: URIRef) -> set[URIRef]:
    return {c for c in g.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)}


def code_concepts(g: Graph) -> set[URIRef]:
    return set(g.objects(ET["scorer-codes"], SKOS.member))


def notation(g: Graph, c: URIRef) -> str:
    values = list(g.objects(c, SKOS.notation))
    assert len(values) == 1, f"{c} has {len(values)} notations"
    return str(values[0])


def parse_types_md(text: str) -> dict[str, tuple[str | None, str | None]]:
    """Read the table of TYPES.md into code -> (ACLED slug, MUC-4 slug)."""
    rows: dict[str, tuple[str | None, str | None]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0] == "code":
            continue
        if not re.fullmatch(r"[a-z][a-z0-9-]*", cells[0]):
            continue
        code, acled_cell, muc_cell = cells[0], cells[1], cells[2]
        acled_cell = re.sub(r"\s*\(.*\)\s*$", "", acled_cell).strip()
        if not acled_cell or acled_cell in {"-", "–"}:
            acled = None
        else:
            acled = slug(acled_cell.split(" / ", 1)[-1])
        muc = re.match(r"[A-Z][A-Z ]*[A-Z]", muc_cell)
        rows[code] = (acled, slug(muc.group(0)) if muc else None)
    return rows


# --- the codes ---------------------------------------------------------------------------------


def test_turtle_parses_and_declares_the_scheme(g: Graph) -> None:
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in g
    for prop in (SKOS.prefLabel, DCTERMS.title, DCTERMS.description, RDFS.comment):
        assert g.value(SCHEME, prop) is not None, f"scheme lacks {prop}"
    assert len(set(g.objects(SCHEME, DCTERMS.source))) >= 5


def test_code_notations_equal_embedded_list(g: Graph) -> None:
    codes = code_concepts(g)
    assert codes <= concepts_in(g, SCHEME)
    notations = [notation(g, c) for c in codes]
    assert len(notations) == len(set(notations))
    assert set(notations) == set(CODE_LIST)
    for c in codes:
        assert c == ET[notation(g, c)], f"{c} is not et:<notation>"


def test_embedded_list_matches_types_md_when_present() -> None:
    # No skip: without ../shared the embedded table is the reference on its own.
    assert len(CODE_LIST) == len(set(CODE_LIST)) == 29
    if TYPES_MD.exists():
        table = parse_types_md(TYPES_MD.read_text(encoding="utf-8"))
        assert set(table) == set(CODE_LIST)
        assert table == CODES


def test_concepts_are_codes_or_groupings(g: Graph) -> None:
    codes = code_concepts(g)
    groupings = set(g.objects(ET["grouping-concepts"], SKOS.member))
    assert not codes & groupings
    assert codes | groupings == concepts_in(g, SCHEME)
    assert {notation(g, c) for c in groupings} == set(GROUPINGS)
    assert not {notation(g, c) for c in groupings} & set(CODE_LIST)
    for c in codes | groupings:
        assert (c, RDF.type, SKOS.Concept) in g


# --- labels and definitions --------------------------------------------------------------------


@pytest.mark.parametrize("scheme", [SCHEME, *sorted(EXTERNAL_SCHEMES)])
def test_every_concept_has_one_english_label_and_a_description(g: Graph, scheme: URIRef) -> None:
    concepts = concepts_in(g, scheme)
    assert concepts
    for c in concepts:
        assert (c, RDF.type, SKOS.Concept) in g, c
        en = [lbl for lbl in g.objects(c, SKOS.prefLabel) if lbl.language == "en"]
        assert len(en) == 1, f"{c}: {len(en)} English prefLabels"
        if scheme == SCHEME:
            defs = [d for d in g.objects(c, SKOS.definition) if d.language == "en"]
            assert len(defs) == 1, f"{c}: needs one English skos:definition"
        else:
            assert g.value(c, RDFS.comment) or g.value(c, SKOS.definition), c


def test_external_schemes_are_labelled_as_representations(g: Graph) -> None:
    for scheme in EXTERNAL_SCHEMES:
        assert (scheme, RDF.type, SKOS.ConceptScheme) in g
        assert "representation" in str(g.value(scheme, SKOS.prefLabel))
        assert g.value(scheme, RDFS.comment) is not None
        assert g.value(scheme, DCTERMS.source) is not None


def test_acled_scheme_has_6_types_and_25_sub_events(g: Graph) -> None:
    acled_scheme = URIRef(str(ACLED))
    tops = set(g.objects(acled_scheme, SKOS.hasTopConcept))
    assert len(tops) == 6
    subs = {c for c in concepts_in(g, acled_scheme) if c not in tops}
    assert len(subs) == 25
    for c in subs:
        assert g.value(c, SKOS.broader) in tops
    for c in tops | subs:
        assert str(c) == str(ACLED) + slug(str(g.value(c, SKOS.prefLabel)))


# --- hierarchy ---------------------------------------------------------------------------------


def test_top_concepts_are_declared_both_ways(g: Graph) -> None:
    for scheme in (SCHEME, *EXTERNAL_SCHEMES):
        has_top = set(g.objects(scheme, SKOS.hasTopConcept))
        top_of = set(g.subjects(SKOS.topConceptOf, scheme))
        assert has_top == top_of, scheme
        for t in has_top:
            assert (t, SKOS.inScheme, scheme) in g
            assert g.value(t, SKOS.broader) is None, f"top concept {t} has a broader"


def test_hierarchy_is_acyclic_and_reaches_a_top_concept(g: Graph) -> None:
    concepts = concepts_in(g, SCHEME)
    tops = set(g.objects(SCHEME, SKOS.hasTopConcept))
    for c in concepts:
        seen = [c]
        node = c
        while node not in tops:
            parents = list(g.objects(node, SKOS.broader))
            assert len(parents) == 1, f"{node} has {len(parents)} broader concepts"
            node = parents[0]
            assert node in concepts, f"{node} (broader of {seen[-1]}) is not in the scheme"
            assert node not in seen, f"cycle: {[*seen, node]}"
            seen.append(node)


def test_device_types_are_narrower_than_bombing(g: Graph) -> None:
    for code in ("remote-explosive", "suicide-bomb", "grenade"):
        assert (ET[code], SKOS.broader, ET.bombing) in g


def top_of(g: Graph, c: URIRef) -> URIRef:
    tops = set(g.objects(SCHEME, SKOS.hasTopConcept))
    while c not in tops:
        c = g.value(c, SKOS.broader)
    return c


def test_codes_sit_under_their_acled_event_type(g: Graph) -> None:
    tops = set(g.objects(SCHEME, SKOS.hasTopConcept))
    for top in tops:
        if top in set(g.objects(ET["grouping-concepts"], SKOS.member)):
            expected = GROUPINGS[notation(g, top)]
            matches = set(g.objects(top, SKOS.exactMatch))
            assert matches == ({ACLED[expected]} if expected else set()), top
    for code, (acled, _) in CODES.items():
        if acled is None:
            continue
        acled_type = g.value(ACLED[acled], SKOS.broader) or ACLED[acled]
        assert (top_of(g, ET[code]), SKOS.exactMatch, acled_type) in g, code


# --- mappings ----------------------------------------------------------------------------------


def mapping_props(g: Graph, s: URIRef, o: URIRef) -> set[URIRef]:
    return {p for p in MAPPING_PROPERTIES if (s, p, o) in g}


@pytest.mark.parametrize("code", CODE_LIST)
def test_code_maps_to_its_acled_concept(g: Graph, code: str) -> None:
    acled, _ = CODES[code]
    if acled is None:
        assert not any(str(o).startswith(str(ACLED)) for o in g.objects(ET[code], SKOS.exactMatch))
        return
    props = mapping_props(g, ET[code], ACLED[acled])
    allowed = BROAD if code in ACLED_BROAD else EXACT_OR_CLOSE
    assert props and props <= allowed, f"{code} -> acled:{acled}: {props}"


@pytest.mark.parametrize("code", CODE_LIST)
def test_code_maps_to_its_muc4_concept(g: Graph, code: str) -> None:
    _, muc = CODES[code]
    if muc is None:
        assert not any(
            str(o).startswith(str(MUC4)) for p in MAPPING_PROPERTIES for o in g.objects(ET[code], p)
        )
        return
    props = mapping_props(g, ET[code], MUC4[muc])
    allowed = BROAD if code in MUC4_BROAD else EXACT_OR_CLOSE
    assert props and props <= allowed, f"{code} -> muc4:{muc}: {props}"


def test_mapping_targets_are_declared_external_concepts(g: Graph) -> None:
    external = set().union(*(concepts_in(g, s) for s in EXTERNAL_SCHEMES))
    for s in concepts_in(g, SCHEME):
        for p in MAPPING_PROPERTIES:
            for o in g.objects(s, p):
                assert o in external, f"{s} {p} {o}: target not declared"


def test_mapping_integrity(g: Graph) -> None:
    # SKOS S46 (exactMatch disjoint with broadMatch and relatedMatch) and the project rule
    # that a concept is never both exact and close to one target.
    for s in concepts_in(g, SCHEME):
        for o in set(g.objects(s, SKOS.exactMatch)):
            assert (s, SKOS.closeMatch, o) not in g, (s, o)
            assert (s, SKOS.broadMatch, o) not in g, (s, o)
            assert (s, SKOS.narrowMatch, o) not in g, (s, o)
            assert (s, SKOS.relatedMatch, o) not in g, (s, o)
        for o in set(g.objects(s, SKOS.broadMatch)):
            assert (s, SKOS.narrowMatch, o) not in g, (s, o)
            assert (s, SKOS.closeMatch, o) not in g, (s, o)


def test_each_external_concept_is_exact_for_at_most_one_code(g: Graph) -> None:
    seen: dict[URIRef, URIRef] = {}
    for s in code_concepts(g):
        for o in g.objects(s, SKOS.exactMatch):
            assert o not in seen, f"{o} is exactMatch of both {seen[o]} and {s}"
            seen[o] = s
