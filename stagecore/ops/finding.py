"""What the hooks' operations report: one finding (a message, a hint, whether it blocks), and
whether a data remote is at hand to say where missing data could come from (shared by the
gate, the follow-up checkout and the unpulled-data judgement)."""

from __future__ import annotations

from typing import NamedTuple


class Finding(NamedTuple):
    message: str
    hint: str | None = None
    blocking: bool = True


def has_remote(repo, name: str | None) -> bool:
    """A data remote is named (`name`, or core.remote) and some remote is configured."""
    conf = repo.conf
    return bool(name or conf.get("core", {}).get("remote")) and bool(conf.get("remote"))
