"""What the graph layer says to a user, in English for API clients and the CLI, and in the page's language
for a person (issue 21, 1: a French form answered "a year is four digits (2024), not '20x4'").

A message is a `Said`: a `str` (its English words, so every caller that logs, joins or returns it as
text is unchanged) that keeps its template and values. `in_language` says it again in French from the
gettext catalogue `graph/locale/fr/LC_MESSAGES/problems.po`, whose message ids are the English templates
(gettext's own convention: the source text is the key). Babel extracts the templates from the code (the
keyword `Said`), so a test finds every one without a translation. A message with both languages at hand
(a SHACL shape's `sh:message@fr`) carries its French words itself.

    >>> m = Said("a year is four digits (2024), not {value!r}", value="20x4")
    >>> m
    "a year is four digits (2024), not '20x4'"
    >>> in_language(m, "fr")
    "une année s'écrit avec quatre chiffres (2024), pas '20x4'"
"""

from functools import cache
from importlib import resources

from babel.messages.pofile import read_po


class Said(str):
    """English words that a page can say in French."""

    template: str
    values: dict[str, object]
    french: str | None

    def __new__(cls, template: str, /, french: str | None = None, **values: object) -> "Said":
        said = super().__new__(cls, template.format(**values) if values else template)
        said.template, said.values, said.french = template, values, french
        return said


@cache
def french_templates() -> dict[str, str]:
    """{English template: French template} of the catalogue; an empty translation is none."""
    with resources.files("pic.graph").joinpath("locale", "fr", "LC_MESSAGES", "problems.po").open("rb") as f:
        catalog = read_po(f, locale="fr", domain="problems")
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def in_language(message: str, lang: str) -> str:
    """`message` in `lang` (fr or en). Text that is not a `Said`, or that the catalogue has not yet, stays
    as it is: English words beat none."""
    if lang != "fr" or not isinstance(message, Said):
        return str(message)
    if message.french is not None:
        return message.french
    french = french_templates().get(message.template)
    return french.format(**message.values) if french else str(message)


def message_of(e: Exception) -> str:
    """An exception's message, still a `Said` when the graph layer said it (`str(e)` is only its English)."""
    return e.args[0] if e.args and isinstance(e.args[0], Said) else str(e)
