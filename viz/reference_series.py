"""Which series the annual report reads for an indicator, when several measure it.

The report shows one figure per indicator and territory. Any organisation may publish a series of its own
for an indicator (`qb:DataSet` with `pic:measuresIndicator`); the report took whichever came last, and an
outside tester's `aula-ds` replaced the Lens unemployment figure and the section's source (fifth outside
re-test, finding 5). The reference series is the one the indicator's owner publishes, else one the curators
or the platform publish, else the first by IRI; the others stay on their own pages and in the query behind
each figure (`indicator-figures` lists every series).
"""

from pic.graph import claims
from pic.graph.names import Names
from pic.graph.writes import ownership


def reference_series(select, names: Names, measured: dict[str, set[str]], org: str | None = None) -> dict[str, str]:
    """{indicator: its reference data set}, from {indicator: the data sets measuring it}; `select` runs a
    SELECT on what the reader may read (`networks.run`)."""
    several = {i: sets for i, sets in measured.items() if len(sets) > 1}
    asked = sorted({x for i, sets in several.items() for x in (i, *sets)})
    owners = claims.owners_of(select, names, asked, org) if asked else {}
    trusted = names.curators | {ownership.PLATFORM}
    chosen = {}
    for indicator, sets in measured.items():
        ordered = sorted(sets)
        chosen[indicator] = next(
            (d for d in ordered if owners.get(d, set()) & owners.get(indicator, set())),
            next((d for d in ordered if owners.get(d, set()) & trusted), ordered[0]),
        )
    return chosen
