"""The words the rules' workspace uses to say who says what (`inference_facts.speakers`) and whose word a
hop of a chain of flows rests on (`inference.hops`). They are no premise of any rule and never leave the
workspace. Kept apart so that both modules name them without importing each other: `inference_facts`
reaches `inference` through the write path's ownership rules."""

from pyoxigraph import NamedNode

SAID_BY, SPEAKS_AS, TRUSTED = (NamedNode(f"urn:pic:inference:{n}") for n in ("saidBy", "speaksAs", "Trusted"))
HOP_FROM, HOP_TO, HOP_NEUTRAL = (f"urn:pic:inference:{n}" for n in ("hopOnSourceWord", "hopOnTargetWord", "hop"))
