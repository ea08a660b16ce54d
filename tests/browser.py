"""Headless Chromium (Debian's package) driven by Playwright, with every request beyond the server
blocked and recorded, so that a test can check that nothing leaves for another host."""

import shutil
from contextlib import contextmanager
from urllib.parse import urlsplit

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is not installed (make test installs it)"
    return path


@contextmanager
def offline_page(server_url: str):
    """A page whose requests to any host but the server are aborted; yields (page, blocked URLs)."""
    from playwright.sync_api import sync_playwright

    allowed = urlsplit(server_url).netloc
    blocked: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).netloc == allowed:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        context = browser.new_context(accept_downloads=True)
        context.route("**/*", guard)
        page = context.new_page()
        try:
            yield page, blocked
        finally:
            context.close()
            browser.close()


def sign_in(page, server_url: str, name: str) -> None:
    """Sign in through the login form as `name` (password `{name}-password`, as `pic_server` sets it)."""
    page.goto(f"{server_url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", f"{name}-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/account")
