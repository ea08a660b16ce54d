"""The Content Security Policy of a standalone file (a map's `.html`, the report's `.html` and PDF): it
must work opened from a disk, so its scripts and styles are inlined, and its `<meta>` policy allows
exactly those, by their SHA-256 hashes. Nothing else runs: not a script that user text might become,
not an event handler, not a `javascript:` URL; and the file loads nothing (images only as data: URIs).
For example `meta_policy(scripts=["alert(1)"], styles=[])` allows only the script whose text is
`alert(1)`: `script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='`.
"""

import base64
import hashlib


def as_parsed(text: str) -> str:
    """The text as the browser's HTML parser hands it to the script or style element, whose hash it
    checks: line breaks normalised (vis-network's build has carriage returns). Inline this, not `text`."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def meta_policy(scripts: list[str], styles: list[str]) -> str:
    """A policy for a `<meta http-equiv="Content-Security-Policy">` tag (frame-ancestors is ignored there)."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + (" ".join(map(source_hash, scripts)) or "'none'"),
            "style-src " + (" ".join(map(source_hash, styles)) or "'none'"),
            "img-src data:",  # vis-network's stylesheet draws its buttons as data: URIs
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
