"""Accounts, API tokens and browser sessions, in SQLite beside the store — secrets never go into RDF.

Passwords are hashed with scrypt (hashlib), API tokens and session ids with SHA-256 (they are long
random values: a fast hash is enough, and a leaked database gives no usable token). Users belong to a
partner organisation (its slug, as in `graph/partner/{org}`) and have one role: partner, facilitator, admin.
"""

import hashlib
import hmac
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from pic.graph.access import User
from pic.graph.store.sqlite_db import transaction

ROLES = ("partner", "facilitator", "admin")
SESSION_SECONDS = 8 * 3600
SCHEMA = """
CREATE TABLE IF NOT EXISTS user (name TEXT PRIMARY KEY, org TEXT, role TEXT NOT NULL, password TEXT,
                                 disabled INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS token (hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES user (name),
                                  label TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS session (hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES user (name),
                                    csrf TEXT NOT NULL, expires REAL NOT NULL);
"""


class AccountError(ValueError):
    """A refused account operation (unknown user, bad role, duplicate name): says which."""


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def check_new_user(name: str, role: str, org: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "partner" and not org:
        raise AccountError("a partner belongs to an organisation: give --org")
    if not name or not name.replace("-", "").replace(".", "").replace("_", "").isalnum():
        raise AccountError(f"a user name is letters, digits, '-', '.', '_': {name!r}")
    if org is not None and not org.replace("-", "").isalnum():
        raise AccountError(f"an organisation slug is letters, digits and '-': {org!r}")


def password_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt, _digest = stored.split("$")
    return hmac.compare_digest(password_hash(password, bytes.fromhex(salt)), stored)


UNKNOWN_USER = password_hash("no user has this password", bytes(16))  # compared against for unknown names


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Accounts:
    def __init__(self, path: Path, keep_open: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.executescript(SCHEMA)
            # Readers never wait for a writer: the user is looked up on the event loop for every request.
            db.execute("PRAGMA journal_mode = WAL")
        # `keep_open` (the service): one connection held until `close`. SQLite deletes the WAL files when its
        # last connection closes and the next one creates them again, which fails on a full disk: every
        # token was then refused ("disk I/O error", 500), and not even an admin could ask /health why.
        self._keeper = None
        if keep_open:  # a connection opens the WAL files at its first read, and holds them from then on
            self._keeper = sqlite3.connect(self.path, check_same_thread=False)
            self._keeper.execute("SELECT COUNT(*) FROM user").fetchone()

    def connect(self):
        return transaction(self.path, "foreign_keys = ON")

    def close(self) -> None:
        if self._keeper is not None:
            self._keeper.close()

    def add(self, name: str, role: str, org: str | None, password: str | None = None) -> None:
        check_new_user(name, role, org)
        with self.connect() as db:
            try:
                db.execute(
                    "INSERT INTO user (name, org, role, password, created) VALUES (?, ?, ?, ?, ?)",
                    (name, org, role, password_hash(password) if password else None, time.time()),
                )
            except sqlite3.IntegrityError:
                raise AccountError(f"there is already a user {name!r}") from None

    def users(self) -> list[dict]:
        with self.connect() as db:
            rows = db.execute(
                "SELECT name, org, role, disabled, created, (SELECT COUNT(*) FROM token t "
                "WHERE t.user = u.name) FROM user u ORDER BY name"
            ).fetchall()
        return [
            {"name": n, "org": o, "role": r, "disabled": bool(d), "created": c, "tokens": t}
            for n, o, r, d, c, t in rows
        ]

    def organisations(self) -> set[str]:
        """The organisations users belong to (disabled ones' included: an organisation stays one): their
        actors `actor/{org}` are theirs alone (`graph/writes/minted.py`), even before anything describes them."""
        with self.connect() as db:
            return {org for (org,) in db.execute("SELECT DISTINCT org FROM user WHERE org IS NOT NULL")}

    def disable(self, name: str) -> None:
        with self.connect() as db:
            if db.execute("UPDATE user SET disabled = 1 WHERE name = ?", (name,)).rowcount == 0:
                raise AccountError(f"no user {name!r}")
            db.execute("DELETE FROM session WHERE user = ?", (name,))

    def erase(self, name: str) -> dict:
        """Delete an account, its tokens and sessions (issue 20 §4), and rewrite the file, where SQLite keeps
        deleted rows in free pages; what it was (its organisation), for the caller's record."""
        with self.connect() as db:
            row = db.execute("SELECT org, role FROM user WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise AccountError(f"no user {name!r}")
            db.execute("DELETE FROM session WHERE user = ?", (name,))
            db.execute("DELETE FROM token WHERE user = ?", (name,))
            db.execute("DELETE FROM user WHERE name = ?", (name,))
        with self.connect() as db:
            db.execute("VACUUM")
        return {"org": row[0], "role": row[1]}

    def new_token(self, name: str, label: str = "") -> str:
        """A new API token for a user, shown once: only its hash is kept."""
        token = "pic_" + secrets.token_urlsafe(32)
        with self.connect() as db:
            if db.execute("SELECT 1 FROM user WHERE name = ? AND disabled = 0", (name,)).fetchone() is None:
                raise AccountError(f"no active user {name!r}")
            db.execute("INSERT INTO token VALUES (?, ?, ?, ?)", (secret_hash(token), name, label, time.time()))
        return token

    def _user(self, db, name: str) -> User | None:
        row = db.execute("SELECT name, role, org FROM user WHERE name = ? AND disabled = 0", (name,)).fetchone()
        return User(row[0], role=row[1], org=row[2]) if row else None

    def by_token(self, token: str) -> User | None:
        with self.connect() as db:
            row = db.execute("SELECT user FROM token WHERE hash = ?", (secret_hash(token),)).fetchone()
            return self._user(db, row[0]) if row else None

    def login(self, name: str, password: str) -> tuple[str, Session] | None:
        """A new session (its id, to put in the cookie) when the password is right."""
        with self.connect() as db:
            row = db.execute("SELECT password FROM user WHERE name = ? AND disabled = 0", (name,)).fetchone()
            # One scrypt hash whether or not the user exists, so timing does not tell user names apart.
            if not password_matches(password, row[0] if row else UNKNOWN_USER) or row is None:
                return None
            session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
            db.execute("DELETE FROM session WHERE expires < ?", (time.time(),))
            db.execute(
                "INSERT INTO session VALUES (?, ?, ?, ?)",
                (secret_hash(session_id), name, csrf, time.time() + SESSION_SECONDS),
            )
            user = self._user(db, name)
            assert user is not None  # the password of this enabled user matched, in this transaction
            return session_id, Session(user, csrf)

    def session(self, session_id: str) -> Session | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT user, csrf FROM session WHERE hash = ? AND expires > ?", (secret_hash(session_id), time.time())
            ).fetchone()
            if row is None:
                return None
            user = self._user(db, row[0])
            return Session(user, row[1]) if user else None

    def logout(self, session_id: str) -> None:
        with self.connect() as db:
            db.execute("DELETE FROM session WHERE hash = ?", (secret_hash(session_id),))
