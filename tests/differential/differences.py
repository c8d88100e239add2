"""The two lists of differences between stagecore and DVC that the differential suite knows about.

DELIBERATE: differences a DVC user would accept. A scenario naming one ignores exactly the listed
aspects (fnmatch patterns over runner aspects: `exit@N`, `file:PATH`, `ws:PATH`, `cache`,
`remote:NAME`, `status`) and still compares everything else. README.md's compatibility section lists
each key with its reason (a test checks that both lists agree).

KNOWN_DIVERGENCES: bugs not fixed yet. A scenario naming one must STILL diverge: when the bug is
fixed, its test fails until the entry (and the scenario's `differs`) is removed, so this list only
shrinks and nothing is hidden.
"""

from __future__ import annotations

from typing import NamedTuple


class Deliberate(NamedTuple):
    reason: str
    ignore: tuple[str, ...]  # aspects the scenario then does not compare


DELIBERATE: dict[str, Deliberate] = {
}

KNOWN_DIVERGENCES: dict[str, str] = {
}
