"""Headless Chromium (Debian's package) driven by Playwright, with every request beyond the server
blocked and recorded, so that a test can check that nothing leaves for another host, and every Content
Security Policy violation recorded, so that no browser test passes on a page the policy breaks."""

import shutil
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Runs in every document before its own scripts: each violation goes to the test as it happens (the
# binding survives navigations) and stays in `window.__cspViolations` for a test that asks the page.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => {
  const v = {url: document.location.href, directive: e.effectiveDirective, blocked: e.blockedURI,
             source: e.sourceFile, line: e.lineNumber, sample: e.sample};
  window.__cspViolations.push(v);
  window.__picCspViolation(v);
});
"""


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is not installed (make test installs it)"
    return path


def csp_violations(page) -> list:
    """The violations seen so far in this page's documents (the event and the console's report of it)."""
    return page.csp_violations


@contextmanager
def offline_page(server_url: str):
    """A page whose requests to any host but the server (or the disk) are aborted; yields (page, blocked URLs).
    Leaving the block normally fails the test if any document broke the Content Security Policy."""
    from playwright.sync_api import sync_playwright

    allowed = urlsplit(server_url).netloc
    blocked: list[str] = []
    violations: list = []

    def guard(route):
        url = urlsplit(route.request.url)
        if url.netloc == allowed or url.scheme == "file":  # a downloaded file opened from the disk
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        context = browser.new_context(accept_downloads=True)
        context.route("**/*", guard)
        context.expose_binding("__picCspViolation", lambda _source, v: violations.append(v))
        context.add_init_script(LISTEN_FOR_VIOLATIONS)
        page = context.new_page()
        page.on("console", console)
        page.csp_violations = violations
        try:
            yield page, blocked
            page.wait_for_timeout(50)  # a violation's event is queued after the blocked action
            assert violations == [], f"Content Security Policy violations: {violations}"
        finally:
            context.close()
            browser.close()


def wait_for(page, expression: str, seconds: float = 30) -> None:
    """Wait until `expression` is true in the page. Playwright's `wait_for_function` polls with `eval`
    inside the page, which the Content Security Policy refuses ('unsafe-eval'); this asks from outside."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(50)


def sign_in(page, server_url: str, name: str) -> None:
    """Sign in through the login form as `name` (password `{name}-password`, as `pic_server` sets it)."""
    page.goto(f"{server_url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", f"{name}-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/account")


def study_form(page, server_url: str, name: str, key: str, title: str, status: str, year: str) -> None:
    """`name` signed in, on the new study form, its id, French title, status and year filled."""
    sign_in(page, server_url, name)
    page.goto(f"{server_url}/contribute/study")
    page.fill("input[name=id]", key)
    page.fill("input[name=title_fr]", title)
    page.select_option("select[name=status]", status)
    page.fill("input[name=year]", year)
