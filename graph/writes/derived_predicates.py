"""The ontology's derived-only predicates are the inference rules' to state, never an organisation's.

`pic:cooperatesWith`, `pic:informs`, `pic:informsViaDerivation` and `pic:informsTransitively` are
concluded by the rules in `graph/reasoning/rules/` from the projects' roles, the studies' uses and derivations
(the ontology: "Derived, never entered"); the inferred graphs hold them, as private as their least
public premise. Written by hand into an organisation's graph, `actor/aula pic:cooperatesWith
actor/louvre-lens` would be aula's word about louvre-lens dressed as the platform's conclusion: shown in
"Cité par" of louvre-lens's page, and outliving the project it would have come from (issue 16, outside
re-test #3, finding 4). So a write stating one of them is refused (403) for partners and facilitators;
admins may still repair a graph, as for the platform's entities (`platform_entities.py`).

Which predicates they are is read from the rules themselves: what a rule's CONSTRUCT template concludes
and no rule reads as entered data (`inference.INPUT_PREDICATES`: `prov:wasAssociatedWith` and
`pic:withinTerritory` are concluded and entered both — the territories state their inclusions). The
demo, the forms, the imports and the moderation's accepted links write none of them.
"""

from functools import cache

from pyoxigraph import NamedNode, Quad
from rdflib.plugins.sparql import prepareQuery

from pic.graph.access import NotAllowed, User
from pic.graph.reasoning import inference
from pic.ontology.namespaces import sparql_prefixes


@cache
def derived_only() -> frozenset[NamedNode]:
    """The predicates the rules conclude and read from no entered data (parsed by rdflib's SPARQL
    parser: a rule is a CONSTRUCT query, its template the triples it concludes)."""
    concluded = {
        str(t[1]) for _, text in inference.rules() for t in prepareQuery(sparql_prefixes() + text).algebra["template"]
    }
    return frozenset(NamedNode(p) for p in concluded - set(inference.INPUT_PREDICATES))


def check(user: User, new: list[Quad]) -> None:
    """Raise NotAllowed when a partner's or facilitator's write states a derived-only predicate."""
    if user.role == "admin":
        return
    derived = derived_only()
    stated = next((q for q in new if q.predicate in derived), None)
    if stated is not None:
        raise NotAllowed(
            f"{stated.predicate.value} is concluded by the inference rules (graph/reasoning/rules/) from the "
            "projects' roles and the studies' uses, never written: state the association or the "
            "use it comes from"
        )
