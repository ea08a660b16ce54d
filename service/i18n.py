"""French first, English too: the UI's strings and how a request chooses its language."""

from fastapi import Request

from pic.viz.catalogues import strings

STRINGS = strings("pic.service", "messages")  # {language: {key: words}}, from the gettext catalogues


def language(request: Request) -> str:
    """`?lang=en` wins, then the `lang` cookie; French otherwise."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "fr"
    return lang if lang in STRINGS else "fr"
