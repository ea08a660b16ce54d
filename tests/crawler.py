"""A crawler of the site as one user sees it: from the home page, every local link followed to a depth,
each page read as a browser reads it (its links, their text, its visible words), for tests that ask what
no page may show (issue 21: links to the instance's IRIs, empty links, identifiers as text, 404s)."""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

HIDDEN = {"script", "style", "template", "title", "metadata", "datalist", "option", "textarea", "code", "pre"}
EMPTY = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr", "area", "base"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@dataclass
class Link:
    href: str
    text: str
    hreflang: str | None


@dataclass
class Figure:
    """A number a page shows from the data: `<data value>` or an element with `data-value`."""

    value: str
    text: str = ""
    node: str | None = None  # the node it comes from (`data-node`, `data-observation`)
    badge: bool = False  # its table row says it is illustrative


@dataclass
class Page:
    path: str
    links: list[Link] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # visible text (not in code, pre or form fields)
    framed: bool = False  # in the site's frame (not the API's Swagger UI page)
    lang: str = ""
    figures: list[Figure] = field(default_factory=list)


class Reader(HTMLParser):
    """Links with the text a screen reader would say for them (text, aria-label, an image's alt), and
    the text a reader sees: not in scripts, styles, SVG metadata, nor in code blocks, which show
    identifiers on purpose (an entity's IRI under its title, the workbench's query)."""

    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page, self.hidden, self.open_links = page, [], []
        self.figure: tuple[str, Figure] | None = None  # the figure being read, and its tag
        self.row: list[Figure] = []  # the figures of the table row being read
        self.row_badge = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.page.lang = a.get("lang") or ""
        if tag == "header":
            self.page.framed = True
        if tag == "tr":
            self.row, self.row_badge = [], False
        if "illustrative" in (a.get("class") or "").split():
            self.row_badge = True
        value = a.get("data-value") if a.get("data-value") is not None else a.get("value") if tag == "data" else None
        if value is not None and self.figure is None:
            self.figure = (tag, Figure(value, node=a.get("data-node") or a.get("data-observation")))
        if tag in HIDDEN or "hidden" in a or self.hidden and tag not in EMPTY:
            self.hidden.append(tag)
        if tag == "a" and a.get("href") is not None:
            self.open_links.append([a["href"], a.get("aria-label") or "", a.get("hreflang")])
        if tag == "img" and self.open_links:
            self.open_links[-1][1] += a.get("alt") or ""

    def handle_endtag(self, tag):
        if self.hidden and tag not in EMPTY:
            self.hidden.pop()
        if self.figure and tag == self.figure[0]:
            self.page.figures.append(self.figure[1])
            self.row.append(self.figure[1])
            self.figure = None
        if tag == "tr":
            for figure in self.row:
                figure.badge = self.row_badge
        if tag == "a" and self.open_links:
            href, text, lang = self.open_links.pop()
            self.page.links.append(Link(href, " ".join(text.split()), lang))

    def handle_data(self, data):
        if self.figure:
            self.figure[1].text += data
        if self.open_links:
            self.open_links[-1][1] += data
        if not self.hidden and data.strip():
            self.page.words.append(data.strip())


def kind_of(path: str) -> str:
    """Pages of one kind are crawled a few times, not each: `/id/actor/x` and `/id/actor/y` are one."""
    bare = urlsplit(path).path
    parts = bare.split("/")
    if bare.startswith("/id/") and len(parts) > 3:
        return "/".join(parts[:3]) + ("/*.ext" if "." in parts[-1] else "/*")
    if bare.startswith(("/reports/", "/maps/")) and len(parts) > 2:
        return "/".join(parts[:2]) + ("/*.ext" if "." in parts[-1] else "/*")
    return bare


def crawl(client, headers: dict, start: str = "/", depth: int = 3, per_kind: int = 3):
    """Yield (page or None, status, path, the page that linked it) for every local link reached. Not
    followed: sign-out, the static files, and each kind of page beyond `per_kind` of it."""
    seen = {start: (0, None)}
    counts: Counter = Counter()
    queue = deque([start])
    while queue:
        path = queue.popleft()
        level, came_from = seen[path]
        r = client.get(path, headers={**BROWSER, **headers})
        if not r.headers.get("content-type", "").startswith("text/html") or r.status_code >= 300:
            yield None, r.status_code, path, came_from
            continue
        page = Page(local(path, str(r.url)) or path)  # where a redirect landed (/account → /login)
        Reader(page).feed(r.text)
        yield page, r.status_code, path, came_from
        for link in page.links:
            target = local(path, link.href)
            if target is None or target in seen or level >= depth:
                continue
            if target.startswith(("/logout", "/static/", "/maps/static/", "/vendor/")) or target.endswith(".pdf"):
                continue
            counts[kind_of(target)] += 1
            if counts[kind_of(target)] <= per_kind:
                seen[target] = (level + 1, path)
                queue.append(target)


def local(here: str, href: str) -> str | None:
    """The path and query a link leads to on this site, or None for another site (and a fragment)."""
    url = urlsplit(urljoin(f"http://testserver{here}", href))
    if url.netloc != "testserver" or url.scheme not in ("http", "https"):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def without_lang(path: str) -> tuple[str, list]:
    url = urlsplit(path)
    return url.path, sorted((k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k != "lang")


# Identifiers no visible text may be: a minted node's slug (`project--actor--role`), a prefixed or full
# IRI (`prov#Organization`, `https://…`), a qualified name.
IDENTIFIER = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)*--[a-z0-9]|\b[a-z]+#[A-Za-z]\w*|\bhttps?://\S+")
