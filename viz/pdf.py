"""HTML to PDF with Debian's Chromium, headless: the browser that renders the report on screen prints it,
so the PDF has the same figures, fonts and charts. Nothing is fetched: the report is self-contained."""

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]


class PdfUnavailable(RuntimeError):
    """No Chromium here to print with (`make serve` and `make test` install Debian's)."""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise PdfUnavailable("printing to PDF needs Chromium: install Debian's chromium package")
    return path


def html_to_pdf(html: str, timeout: float = 120) -> bytes:
    with tempfile.TemporaryDirectory(prefix="pic-pdf-") as tmp:
        page, pdf = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        result = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={pdf}", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if not pdf.exists() or pdf.stat().st_size == 0:
            raise PdfUnavailable(f"Chromium did not print the PDF: {result.stderr.strip()[-500:]}")
        return pdf.read_bytes()
