"""Thirteenth outside re-test: a report whose printing took past the time limit answered 500 after 120 s
(the timeout was not handled) and left Chromium's renderers behind, ten after a few requests."""

import subprocess
import time

import pytest

from pic.viz.pdf import PdfUnavailable, html_to_pdf


def printing() -> list[str]:
    """The command lines of the processes printing a report (their profile is in a `pic-pdf-` folder)."""
    out = subprocess.run(["ps", "-eo", "stat=,args="], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if "pic-pdf-" in line and not line.startswith("Z")]


def test_a_print_past_its_limit_is_a_clear_refusal_and_leaves_no_browser():
    with pytest.raises(PdfUnavailable, match="within 0.5 s"):
        html_to_pdf("<html><body>" + "<p>x</p>" * 50_000 + "</body></html>", timeout=0.5)
    deadline = time.monotonic() + 5
    while printing() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert printing() == []
