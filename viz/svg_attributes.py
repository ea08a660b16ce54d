"""Matplotlib's SVG without CSS: its `style="…"` attributes and its `<style>` element become SVG presentation
attributes (`fill="…"`, `stroke-width="…"`), which draw the same.

The pages' Content Security Policy allows no inline style (`style-src 'self'`), and the charts and network
drawings are inlined in entity pages and the report: with `style="…"` they would lose their colours and
every chart would be a violation. Presentation attributes are not styles, so no policy applies to them.
"""

import xml.etree.ElementTree as ET

from matplotlib import rc_context

from pic.ontology.namespaces import PREFIXES

SVG = "http://www.w3.org/2000/svg"
NAMESPACES = {
    "": SVG,
    "xlink": "http://www.w3.org/1999/xlink",
    "rdf": PREFIXES["rdf"],
    "dc": PREFIXES["dc"],
    "cc": PREFIXES["cc"],
}
PRESENTATION = {  # the CSS properties that SVG 1.1 also takes as attributes (those matplotlib writes and more)
    "alignment-baseline",
    "baseline-shift",
    "clip-path",
    "clip-rule",
    "color",
    "display",
    "dominant-baseline",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "font-family",
    "font-size",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "letter-spacing",
    "marker-end",
    "marker-mid",
    "marker-start",
    "mask",
    "opacity",
    "overflow",
    "paint-order",
    "shape-rendering",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "text-anchor",
    "text-decoration",
    "text-rendering",
    "visibility",
    "word-spacing",
    "writing-mode",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)  # inline SVG in HTML needs no `svg:` prefix and `xlink:` spelled so


def svg_saving():
    """How every SVG is saved, set at each save (never in matplotlib's global settings, which made a map's
    labels text or paths depending on whether the report's charts had been imported first): text stays
    text, searchable and read by screen readers; ids are stable, the same data giving the same file."""
    return rc_context({"svg.fonttype": "none", "svg.hashsalt": "pic"})


def declarations(text: str) -> dict[str, str]:
    """`fill: #fff; stroke-width: 0.8` → {"fill": "#fff", "stroke-width": "0.8"}."""
    found = {}
    for part in text.split(";"):
        if part.strip():
            name, _, value = part.partition(":")
            name = name.strip().lower()
            if name not in PRESENTATION:
                raise ValueError(f"no SVG presentation attribute for the CSS property {name!r}")
            found[name] = value.strip()
    return found


def universal_rules(style: ET.Element) -> dict[str, str]:
    """Matplotlib's one rule, `*{stroke-linejoin: round; stroke-linecap: butt}`; anything else is refused."""
    text = (style.text or "").strip()
    if not (text.startswith("*{") and text.endswith("}") and text.count("{") == 1):
        raise ValueError(f"unexpected stylesheet in the SVG: {text[:80]!r}")
    return declarations(text[2:-1])


def without_style(svg: str) -> str:
    """The same drawing with presentation attributes instead of CSS; `svg` starts at its `<svg` tag."""
    root = ET.fromstring(svg)
    defaults: dict[str, str] = {}
    for parent in list(root.iter()):
        for style in parent.findall(f"{{{SVG}}}style"):
            defaults.update(universal_rules(style))
            parent.remove(style)
    convert(root, defaults, {})
    return ET.tostring(root, encoding="unicode")


def convert(element: ET.Element, defaults: dict[str, str], inherited: dict[str, str]) -> None:
    """`*{…}` sets its properties on every element unless the element's own style does; as attributes,
    they are written only where the value inherited from the parent differs (those properties inherit)."""
    if not element.tag.startswith(f"{{{SVG}}}"):
        return  # the metadata's RDF
    own = declarations(element.attrib.pop("style", ""))
    effective = {name: own.get(name, value) for name, value in defaults.items()}
    for name, value in effective.items():
        if inherited.get(name) != value:
            element.set(name, value)
    for name, value in own.items():
        element.set(name, value)
    for child in element:
        convert(child, defaults, effective)
