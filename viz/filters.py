"""What a map shows: one set of filters shared by the map pages, their exports and `pic map`.

Filters travel in the query string so that a map can be shared by its link. Values may be full IRIs or
short forms under the instance base (`culture` for a theme, `actor/euralens` for an actor); either way
they end up as checked IRIs, bound as RDF terms, never pasted into a query.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pyoxigraph import NamedNode

METRICS = ("degree", "weighted_degree", "betweenness", "pagerank")
SHORT_FORMS = {
    "theme": "theme/",
    "territory": "territory/",
    "actor_type": "actor-type/",
    "ego": "",
    "path_from": "",
    "path_to": "",
}


class Filters(BaseModel):
    """The filters of one map. Field names are the query-string names (`from` and `until` for years)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    theme: str | None = Field(default=None, description="Theme IRI, or its short name (culture, tourisme, …)")
    territory: str | None = Field(
        default=None, description="Territory IRI or short form (commune/62498); sub-territories are included"
    )
    year_from: int | None = Field(default=None, alias="from", ge=1900, le=2100, description="First year")
    year_until: int | None = Field(default=None, alias="until", ge=1900, le=2100, description="Last year")
    actor_type: str | None = Field(default=None, description="Actor type IRI or short name (association, …)")
    relation: str | None = Field(
        default=None,
        max_length=40,
        description="Only ties of this relation (project, study, usage, derivation, a role …)",
    )
    min_weight: int = Field(default=1, ge=1, le=10_000, description="Smallest number of projects/studies behind a tie")
    ego: str | None = Field(default=None, description="Show only this actor's neighbourhood (IRI or actor/…)")
    depth: int = Field(default=1, ge=1, le=2, description="Depth of the ego network")
    path_from: str | None = Field(default=None, description="Show the shortest path from this actor …")
    path_to: str | None = Field(default=None, description="… to this one")
    colour: Literal["type", "community"] = Field(default="type", description="Colour nodes by actor type or community")
    size: Literal["degree", "weighted_degree", "betweenness", "pagerank"] = Field(
        default="weighted_degree", description="Size nodes by this metric"
    )
    cluster: Literal["type", "community"] | None = Field(
        default=None, description="Collapse each actor type or community into one node (double-click opens it)"
    )

    def expanded(self, base: str) -> "Filters":
        """The same filters with short forms turned into IRIs under `base`, each checked as an IRI."""
        values = {}
        for name, prefix in SHORT_FORMS.items():
            value = getattr(self, name)
            if value:
                iri = value if value.startswith(("http://", "https://")) else f"{base}{prefix}{value}"
                try:
                    NamedNode(iri)
                except ValueError:
                    raise ValueError(f"{name}: not an IRI: {value!r}") from None
                values[name] = iri
        return self.model_copy(update=values)

    def query_string(self, **changes) -> dict:
        """The filters as query-string parameters (only those that differ from the defaults)."""
        data = self.model_copy(update=changes).model_dump(by_alias=True, exclude_defaults=True)
        return {k: v for k, v in data.items() if v is not None}

    @field_validator("year_until")
    @classmethod
    def _period_in_order(cls, until, info):
        start = info.data.get("year_from")
        if until is not None and start is not None and until < start:
            raise ValueError("'until' is before 'from'")
        return until
