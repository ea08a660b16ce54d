"""The demo's study documents, generated at first start: clearly fictional, made from the invented
studies' abstracts, in the formats partners upload (PDF, DOCX). Nothing here is a real report."""

import io
from datetime import UTC, datetime
from pathlib import Path

from pic.ontology.demo.facts import ABSTRACTS, INVENTED_STUDIES

WARNING = (
    "Document fictif, généré pour la démonstration de la plateforme PIC Euralens. "
    "Les chiffres et constats qu'il contient sont inventés."
)
SECTIONS = [
    (
        "Contexte",
        "Depuis l'ouverture du Louvre-Lens en décembre 2012, les partenaires de la Plateforme "
        "d'Intelligence Collective suivent ensemble les transformations du territoire. {abstract}",
    ),
    (
        "Méthode",
        "L'étude croise des données publiques, des entretiens avec les acteurs du territoire et une "
        "enquête de terrain. Les valeurs présentées ici sont illustratives.",
    ),
    (
        "Premiers constats",
        "Les résultats attendus porteront sur l'évolution depuis 2012, à l'échelle des "
        "communes de la communauté d'agglomération de Lens-Liévin et du Pôle métropolitain "
        "de l'Artois. Ce paragraphe peut être surligné et annoté par les partenaires.",
    ),
]
DOCUMENTS = [
    ("frequentation-habitants-louvre-lens", "pdf"),
    ("emplois-induits-louvre-lens", "pdf"),
    ("diagnostic-habitat-minier-renove", "docx"),
]


def title_of(slug: str) -> str:
    return next(fr for s, fr, *_ in INVENTED_STUDIES if s == slug)


def paragraphs(slug: str) -> list[tuple[str, str]]:
    abstract = ABSTRACTS[slug][0]
    return [(heading, text.format(abstract=abstract)) for heading, text in SECTIONS]


def pdf(slug: str) -> bytes:
    import matplotlib
    from fpdf import FPDF

    doc = FPDF()
    doc.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))  # the same bytes at every start
    doc.add_font("DejaVu", fname=str(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf"))
    doc.add_page()
    doc.set_font("DejaVu", size=16)
    doc.multi_cell(0, 8, title_of(slug), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", size=9)
    doc.multi_cell(0, 5, WARNING, new_x="LMARGIN", new_y="NEXT")
    for heading, text in paragraphs(slug):
        doc.ln(4)
        doc.set_font("DejaVu", size=12)
        doc.multi_cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", size=10)
        doc.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def docx(slug: str) -> bytes:
    import docx as word

    doc = word.Document()
    doc.core_properties.created = datetime(2026, 1, 1)
    doc.add_heading(title_of(slug), level=1)
    doc.add_paragraph(WARNING)
    for heading, text in paragraphs(slug):
        doc.add_heading(heading, level=2)
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build() -> list[tuple[str, str, bytes]]:
    """(study slug, file name, bytes) of each demo document."""
    makers = {"pdf": pdf, "docx": docx}
    return [(slug, f"{slug}-fictif.{kind}", makers[kind](slug)) for slug, kind in DOCUMENTS]
