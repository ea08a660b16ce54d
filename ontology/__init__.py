"""The PIC ontology, its SHACL shapes and SKOS schemes, and the reference and demo data, as package data.

Files are found through importlib.resources so that an installed wheel works from any directory.
"""

from importlib import resources
from importlib.resources.abc import Traversable

# (file, graph kind) in load order: what `pic init` puts in the store.
ONTOLOGY_FILES = ("pic.ttl", "structure.ttl", "schemes.ttl", "shapes.ttl")
TERRITORY_FILES = ("territories.ttl",)
DEMO_FILES = ("demo/demo.trig",)


def data_file(name: str) -> Traversable:
    """A file shipped in the pic.ontology package, e.g. `data_file("shapes.ttl")`."""
    path = resources.files("pic.ontology").joinpath(name)
    if not path.is_file():
        raise FileNotFoundError(f"pic.ontology has no data file {name!r}")
    return path


def read_bytes(name: str) -> bytes:
    return data_file(name).read_bytes()
