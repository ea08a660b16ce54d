"""HTML to PDF with Debian's Chromium, headless: the browser that renders the report on screen prints it,
so the PDF has the same figures, fonts and charts. Nothing is fetched: the report is self-contained."""

import os
import shutil
import signal
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
        # In a session of its own: past the time limit the whole browser goes, its renderers included — a
        # report that took longer left ten of them behind and answered 500 (thirteenth outside re-test).
        browser = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={pdf}", page.as_uri()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, errors = browser.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.communicate()
            raise PdfUnavailable(f"Chromium did not print the report within {timeout:g} s") from None
        if not pdf.exists() or pdf.stat().st_size == 0:
            raise PdfUnavailable(f"Chromium did not print the PDF: {errors.strip()[-500:]}")
        return pdf.read_bytes()
