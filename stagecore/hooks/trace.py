"""Where a hook's time goes: STAGECORE_TRACE=1 adds one stderr line per hook run."""

from __future__ import annotations

import sys
import time

_HEAVY = ("pygit2", "git", "yaml", "ruamel.yaml")


class Trace:
    """Per-phase wall time in ms, from the moment the entry point started."""

    def __init__(self, hook: str, enabled: bool, start: float | None = None) -> None:
        self.hook = hook
        self.enabled = enabled
        self.start = time.perf_counter() if start is None else start
        self._last = self.start
        self.phases: list[tuple[str, float]] = []

    def mark(self, phase: str) -> None:
        """Close the phase that ran since the previous mark."""
        now = time.perf_counter()
        if self.enabled:
            self.phases.append((phase, (now - self._last) * 1000.0))
        self._last = now

    def lines(self, verdict: str) -> tuple[str, ...]:
        if not self.enabled:
            return ()
        total = (time.perf_counter() - self.start) * 1000.0
        phases = ", ".join(f"{name} {ms:.1f}" for name, ms in self.phases)
        heavy = [name for name in _HEAVY if name in sys.modules] or ["none"]
        return (
            f"stagecore trace {self.hook}: {verdict}; {phases or 'no phases'}; "
            f"total {total:.1f} ms; heavy imports: {', '.join(heavy)}",
        )
