"""Sign-in resists guessing (issue 16, finding 7): failed attempts are throttled per account and per
address (past the limit even the right password is refused until the window passes), and a wrong
password costs the same work whether or not the user exists, so timing does not reveal user names."""

import hashlib

from pic.service import accounts
from tests.conftest import app_client
from tests.test_accounts import sign_in


def test_guessing_is_stopped_even_when_the_guess_is_right(tmp_path):
    with app_client(tmp_path / "data", sign_in_attempts=3) as client:
        for _ in range(3):
            _, r = sign_in(client, "alice", "wrong")
            assert r.status_code == 401
        _, r = sign_in(client, "alice", "alice-password")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0, r.text
        _, other = sign_in(client, "bruno", "bruno-password")  # another account from the same address
        assert other.status_code == 303


def test_an_address_guessing_many_accounts_is_stopped(tmp_path):
    with app_client(tmp_path / "data", sign_in_attempts=2) as client:
        for i in range(8):  # four times the per-account limit, spread over accounts
            _, r = sign_in(client, f"nobody-{i}", "wrong")
            assert r.status_code == 401
        _, r = sign_in(client, "alice", "alice-password")
        assert r.status_code == 429


def test_a_wrong_password_costs_one_hash_whether_the_user_exists_or_not(tmp_path, monkeypatch):
    calls = []
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    with app_client(tmp_path / "data", users=[("alice", "partner", "aula")]) as client:
        store = client.app.state.accounts
        monkeypatch.setattr(accounts.hashlib, "scrypt", counted)
        assert store.login("alice", "wrong") is None
        existing = len(calls)
        calls.clear()
        assert store.login("no-such-user", "wrong") is None
        assert existing == len(calls) == 1


def test_a_forwarded_for_header_does_not_escape_the_address_limit(tmp_path):
    """An outside test changed `X-Forwarded-For` at each guess from 127.0.0.1: uvicorn believed it, and the
    per-address limit never applied. No proxy is trusted unless the operator names it."""
    import httpx

    from tests.conftest import pic_server

    with pic_server(tmp_path / "data", []) as (url, _), httpx.Client(base_url=url, timeout=30) as c:
        statuses = []
        for i in range(21):  # the per-address limit is 4 x 5 failures
            page = c.get("/login")
            csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
            r = c.post(
                "/login",
                data={"name": f"nobody-{i}", "password": "wrong", "csrf": csrf},
                headers={"X-Forwarded-For": f"10.0.0.{i}"},
            )
            statuses.append(r.status_code)
        assert statuses[-1] == 429, statuses
