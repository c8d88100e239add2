"""Targets: a measured ratio or time against its target, PASS/MISS, printed and written as JSON."""

from __future__ import annotations

import json
import operator
import os
import platform
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass

from common import Ctx, Sizes

OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}


@dataclass
class Check:
    area: str
    label: str
    value: float | None  # a ratio (unit "x") or milliseconds (unit "ms"); None: not measured
    unit: str
    target: str  # "<= 1.5", "< 500", or "" for a value reported without a target
    status: str  # PASS, MISS, info, or n/a (a target whose timings are missing)
    detail: str = ""  # the medians behind a ratio

    def line(self) -> str:
        if self.value is None:
            value = "-"
        else:
            value = f"{self.value:8.2f}x" if self.unit == "x" else f"{self.value:6.0f} ms"
        target = f"[{self.target}{' ms' if self.unit == 'ms' else ''}]" if self.target else ""
        return f"  {self.area:9} {self.label:58} {value:>10} {target:>12}  {self.status}"


def _status(value: float, op: str, limit: float | None) -> tuple[str, str]:
    if limit is None:
        return "", "info"
    return f"{op} {limit:g}", "PASS" if OPS[op](value, limit) else "MISS"


def ratio(
    ctx: Ctx,
    area: str,
    label: str,
    num: tuple[str, str],
    den: tuple[str, str],
    op: str = "<=",
    limit: float | None = None,
) -> Check | None:
    """num / den paired by round (the median of the per-round ratios) against `op limit`.

    Seconds drift between rounds with the machine's load; a ratio of two timings taken in the
    same round does not. Rounds where only one side was timed (DVC's single runs) are left out.
    n/a (with a target) or None when no round has both.
    """
    a, b = ctx.by_round(*num), ctx.by_round(*den)
    paired = {rnd: a[rnd] / b[rnd] for rnd in sorted(a.keys() & b.keys()) if b[rnd] > 0}
    if not paired:
        return _not_measured(ctx, area, label, "x", op, limit, [num, den])
    value = statistics.median(paired.values())
    target, status = _status(value, op, limit)
    rounds = ", ".join(f"r{rnd + 1} {a[rnd] * 1000:.0f}/{b[rnd] * 1000:.0f} ms" for rnd in paired)
    detail = f"{num[0]} {num[1]} / {den[0]} {den[1]}: {rounds}"
    return Check(area, label, value, "x", target, status, detail)


def millis(
    ctx: Ctx, area: str, label: str, key: tuple[str, str], op: str = "<", limit_ms: float | None = None
) -> Check | None:
    """med(key) in milliseconds against `op limit_ms`; n/a (with a target) or None when not measured."""
    value = ctx.med(*key)
    if value is None:
        return _not_measured(ctx, area, label, "ms", op, limit_ms, [key])
    target, status = _status(value * 1000, op, limit_ms)
    runs = len(ctx.values(*key))
    return Check(area, label, value * 1000, "ms", target, status, f"{key[0]} {key[1]}, {runs} run(s)")


def _not_measured(
    ctx: Ctx, area: str, label: str, unit: str, op: str, limit: float | None, keys: list[tuple[str, str]]
) -> Check | None:
    """A target stays visible when its timings are missing (a failed command; DVC not installed)."""
    if limit is None:
        return None
    missing = ", ".join(f"{tool} {what}" for tool, what in keys if ctx.med(tool, what) is None)
    return Check(area, label, None, unit, f"{op} {limit:g}", "n/a", f"not measured: {missing}")


def print_medians(ctx: Ctx) -> None:
    print(f"\nmedians ({ctx.rounds} rounds; {ctx.sizes.describe()}):")
    for tool, what in sorted(ctx.times):
        values = ctx.values(tool, what)
        runs = f"({len(values)} run{'s' if len(values) > 1 else ''})"
        print(f"  {tool:10} {what:52} {statistics.median(values) * 1000:9.0f} ms  {runs}")


def print_summary(ctx: Ctx, checks: list[Check]) -> None:
    print("\nsummary (ratios measured side by side in this run; targets in brackets):")
    for check in checks:
        print(check.line())
    counts = {s: sum(c.status == s for c in checks) for s in ("PASS", "MISS", "n/a", "info")}
    print("  " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    if ctx.notes:
        print("notes:")
        for text, times in Counter(ctx.notes).items():
            again = f" ({times} times)" if times > 1 else ""
            print("  - " + text.replace("\n", "\n    ") + again)


def write_json(ctx: Ctx, checks: list[Check], path: str, parts: list[str]) -> None:
    """The checks, medians and every timing as [round, ms]; `load_json` reads it back."""
    doc = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": {"cpus": os.cpu_count(), "load": os.getloadavg(), "python": platform.python_version()},
        "rounds": ctx.rounds,
        "small": ctx.small,
        "parts": parts,
        "data": ctx.sizes.describe(),
        "tools": {k: v[0] for k, v in ctx.tools.items()},
        "checks": [asdict(c) for c in checks],
        "medians_ms": {
            f"{tool} | {what}": round(statistics.median(ctx.values(tool, what)) * 1000, 1)
            for tool, what in sorted(ctx.times)
        },
        "runs": {
            f"{tool} | {what}": [[rnd, round(took * 1000, 1)] for rnd, took in samples]
            for (tool, what), samples in sorted(ctx.times.items())
        },
        "notes": ctx.notes,
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fobj:
        json.dump(doc, fobj, indent=1)
        fobj.write("\n")


def load_json(path: str) -> tuple[Ctx, list[str]]:
    """A context holding the timings of a results.json, and the parts that run timed."""
    with open(path) as fobj:
        doc = json.load(fobj)
    small = bool(doc["small"])
    tools = {name: [exe] for name, exe in doc["tools"].items()}
    ctx = Ctx(
        small=small, rounds=doc["rounds"], sizes=Sizes.pick(small), tools=tools, env={}, notes=doc["notes"]
    )
    for key, samples in doc["runs"].items():
        tool, what = key.split(" | ", 1)
        ctx.times[(tool, what)] = [(int(rnd), ms / 1000) for rnd, ms in samples]
    return ctx, doc["parts"]
