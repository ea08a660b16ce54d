"""Entity tags (RFC 7232) for the annotation protocol: one strong tag per representation (JSON-LD and
Turtle of the same state differ: a strong tag names one representation, §2.3.3), and the conditional
headers read as the RFC says — a list of tags or `*`; `If-Match` compares strongly (a weak tag never
matches, §3.1), `If-None-Match` weakly (§3.2).

    >>> matches_strongly('"a", "b"', ['"b"'])
    True
    >>> matches_strongly('W/"b"', ['"b"'])
    False
"""

import hashlib
import json


def tag_of(body: dict) -> str:
    """A strong tag for a JSON body: the digest of its canonical JSON."""
    return '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32] + '"'


def variant(tag: str, name: str) -> str:
    """The tag of another representation of the same state: `"abc"` → `"abc-ttl"`."""
    return f'{tag[:-1]}-{name}"'


def listed(header: str) -> list[str]:
    """The entity tags of an If-Match or If-None-Match header (`*` stays `*`)."""
    tags, rest = [], header.strip()
    while rest:
        rest = rest.lstrip(", \t")
        if rest.startswith("*"):
            tags.append("*")
            rest = rest[1:]
            continue
        weak = rest.startswith("W/")
        start = rest.find('"')
        end = rest.find('"', start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            break
        tags.append(("W/" if weak else "") + rest[start : end + 1])
        rest = rest[end + 1 :]
    return tags


def matches_strongly(header: str, current: list[str]) -> bool:
    """If-Match: `*`, or one of the listed strong tags is a current one."""
    tags = listed(header)
    return "*" in tags or any(t in current for t in tags if not t.startswith("W/"))


def matches_weakly(header: str, current: list[str]) -> bool:
    """If-None-Match: `*`, or one of the listed tags, weak or not, is a current one."""
    tags = listed(header)
    return "*" in tags or any(t.removeprefix("W/") in current for t in tags)
