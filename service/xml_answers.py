"""An XML answer (RDF/XML, SPARQL results XML) that would hold a character XML 1.0 cannot carry is refused
(406) with a JSON error saying which formats can, rather than sent as a document no XML parser reads.

Why: a literal may hold control characters (U+0001–U+0008, U+000B, U+000C, U+000E–U+001F) and the
noncharacters U+FFFE and U+FFFF: Turtle, N-Triples and JSON escape them, but XML 1.0 has no way to write
them at all, not even as a character reference, and pyoxigraph writes them as they are (thirteenth
outside re-test, L5). The check is made once, here, on every XML answer of every route (entity pages,
the Graph Store, SPARQL results and graphs), rather than at each of the places that serialise. Such
answers are held whole before they are sent, which the other answers are not.
"""

import json
from xml.parsers.expat import ExpatError, ParserCreate

from pic.graph.store.formats import BY_KEY, NOT_IN_XML
from pic.service.errors import body

XML_MEDIA = {m.encode() for m in BY_KEY["rdfxml"].accepted} | {b"application/sparql-results+xml", b"application/xml"}
FORMATS_THAT_CAN = "JSON, Turtle or N-Triples (SPARQL results: JSON, CSV or TSV)"


def _media(headers: list[tuple[bytes, bytes]]) -> bytes:
    value = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    return value.split(b";")[0].strip().lower()


def _not_xml(document: bytes) -> str | None:
    """Why the document is no XML, or None: it is read once by expat, namespaces read as RDF/XML needs them.
    Beside the characters (`formats.NOT_IN_XML`, named in the answer when one is the cause): RDF/XML names
    a predicate by splitting its IRI into a namespace and a local name, and one with no local name XML
    allows (`<urn:x:123>`, `<http://example.org/x/>`) came out as `<oxprefix:>`, answered 200 (sixteenth
    outside re-test)."""
    try:
        ParserCreate(namespace_separator=" ").Parse(document, True)
    except ExpatError as e:
        found = NOT_IN_XML.search(document.decode("utf-8", "replace"))
        if found is not None:
            return f"this answer holds a character XML 1.0 cannot carry (U+{ord(found.group()):04X})"
        return (
            f"this answer cannot be written as XML (line {e.lineno}, column {e.offset}: "
            "in RDF/XML, a predicate IRI that ends with no XML name, such as urn:x:123)"
        )
    return None


class XmlAnswers:
    """Pure ASGI middleware: holds XML answers until their last byte, then sends them or a 406."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: dict = {}
        chunks: list[bytes] = []

        async def checked(message):
            if message["type"] == "http.response.start":
                if _media(list(message.get("headers", []))) in XML_MEDIA:
                    held["start"] = message
                    return
                await send(message)
                return
            if "start" not in held or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            document = b"".join(chunks)
            why = _not_xml(document)
            if why is None:
                await send(held["start"])
                await send({"type": "http.response.body", "body": document})
                return
            refusal = json.dumps(body(406, f"{why}: ask for {FORMATS_THAT_CAN}")).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(refusal)).encode()),
                *((k, v) for k, v in held["start"].get("headers", []) if k.lower() == b"vary"),
            ]
            await send({"type": "http.response.start", "status": 406, "headers": headers})
            await send({"type": "http.response.body", "body": refusal})

        await self.app(scope, receive, checked)
