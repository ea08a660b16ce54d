"""Run HermiT (owlready2) and owlrl on rdflib graphs, for the inference and consistency tests."""

import tempfile
from pathlib import Path

import owlready2
import owlrl
from rdflib import Graph


def hermit_world(graphs: list[Graph]) -> owlready2.World:
    """A fresh owlready2 world holding the graphs, after HermiT has run (property values inferred)."""
    merged = Graph()
    for g in graphs:
        merged += g
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        merged.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        with onto:
            owlready2.sync_reasoner_hermit(
                world, infer_property_values=True, debug=0, ignore_unsupported_datatypes=True
            )
    return world


def hermit_pairs(world: owlready2.World, prop_iri: str) -> set[tuple[str, str]]:
    """Asserted and inferred (subject, object) pairs of an object property in the world."""
    prop = world[prop_iri]
    if prop is None:
        return set()
    return {(s.iri, o.iri) for s, o in prop.get_relations() if hasattr(o, "iri")}


def owlrl_closure(graphs: list[Graph]) -> Graph:
    merged = Graph()
    for g in graphs:
        merged += g
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(merged)
    return merged
