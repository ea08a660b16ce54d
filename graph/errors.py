"""What goes wrong in the graph layer, by kind, with no HTTP in it (issue 19): `service/errors.py` maps each
kind to its status once, the CLI prints the message. A kind says what happened, not how to answer it."""

from dataclasses import dataclass, field


@dataclass
class Problems(Exception):
    """Something asked of the graph that cannot be done, with where each problem is: (field, message)."""

    items: list[tuple[str | None, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{f}: {m}" if f else m for f, m in self.items)


class InvalidFields(Problems):
    """Fields that say what cannot be written: a wrong value, a field the kind has not."""


class Unknown(Problems):
    """Nothing known by that name to the one who asks (another organisation's private entity included)."""


class AlreadyThere(Problems):
    """What would be created exists: edit it instead; or what was set once stays."""


class NotTheirs(Problems):
    """What the one who asks may not change: another organisation's, another author's."""


class Malformed(Problems):
    """Input that does not follow its format (an annotation's JSON-LD, a moderation's reason)."""


class NotPublic(Problems):
    """A public statement about what is not public: it must stay private."""
