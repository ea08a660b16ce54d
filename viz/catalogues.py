"""The interface's words in both languages, from gettext catalogues: `{package}/locale/{fr,en}/LC_MESSAGES/
{domain}.po`, read by Babel. A translator edits a `.po` file with any gettext tool; the code reads the
words by key (`t["kinds"]["actor"]`, `t.kinds.actor` in a template), as it read the three dictionaries
the catalogues replace (issue 19). A key `a.b` is `b` in the group `a`."""

from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

LANGUAGES = ("fr", "en")


@cache
def strings(package: str, domain: str) -> dict[str, dict]:
    """{language: {key: text, or a group of keys}} of `package`'s catalogue `domain`, in its order."""
    out: dict[str, dict] = {}
    for lang in LANGUAGES:
        with resources.files(package).joinpath("locale", lang, "LC_MESSAGES", f"{domain}.po").open("rb") as f:
            catalog = read_po(f, locale=lang, domain=domain)
        tree: dict = {}
        for message in catalog:
            if not message.id:  # the catalogue's header
                continue
            assert isinstance(message.id, str)  # no plural messages in these catalogues
            *groups, key = message.id.split(".")
            node = tree
            for group in groups:
                node = node.setdefault(group, {})
            node[key] = message.string
        out[lang] = tree
    return out
