"""French first, English too: the UI's strings and how a request chooses its language."""

from fastapi import Request

from pic.service.negotiation import accepted  # its q-values ranking fits any Accept-* header
from pic.viz.catalogues import strings

STRINGS = strings("pic.service", "messages")  # {language: {key: words}}, from the gettext catalogues


def language(request: Request) -> str:
    """`?lang=en` wins, then the `lang` cookie; French otherwise."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "fr"
    return lang if lang in STRINGS else "fr"


def answer_language(request: Request) -> str:
    """The language of an error's words. A browser's page is in the page's language (`language`); a JSON
    answer in the one its client asked with `?lang=`, the `lang` cookie or `Accept-Language` (the
    site's scripts send their page's: `fr-FR,fr;q=0.9` is French), else English, as the API always
    answered."""
    from pic.service.error_pages import wants_page  # which imports this module

    if wants_page(request) or request.query_params.get("lang") or request.cookies.get("lang"):
        return language(request)
    ranked = (tag.split("-")[0].lower() for tag in accepted(request.headers.get("accept-language")))
    return next((tag for tag in ranked if tag in STRINGS), "en")
