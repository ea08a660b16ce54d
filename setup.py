"""The build finds the packages: every folder under the five top-level ones becomes `pic.<path>`, data
folders included (a hand-written list missed `pic.service.routers`, and the installed `pic serve` died on
import). Everything else about the build is in pyproject.toml."""

from setuptools import find_namespace_packages, setup

ROOTS = ("ontology", "graph", "queries", "service", "viz")

setup(
    packages=[
        f"pic.{name}"
        for root in ROOTS
        for name in find_namespace_packages(".", include=[root, f"{root}.*"], exclude=["*__pycache__*"])
    ],
    package_dir={f"pic.{root}": root for root in ROOTS},
)
