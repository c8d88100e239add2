"""Targets: a measured ratio or time against its target, PASS/MISS, printed and written as JSON."""

from __future__ import annotations

import json
import operator
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass

from common import Ctx

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
    """med(num) / med(den) against `op limit`; n/a (with a target) or None when not measured."""
    a, b = ctx.med(*num), ctx.med(*den)
    if a is None or b is None or b <= 0:
        return _not_measured(ctx, area, label, "x", op, limit, [num, den])
    target, status = _status(a / b, op, limit)
    detail = f"{num[0]} {num[1]} {a * 1000:.0f} ms / {den[0]} {den[1]} {b * 1000:.0f} ms"
    return Check(area, label, a / b, "x", target, status, detail)


def millis(
    ctx: Ctx, area: str, label: str, key: tuple[str, str], op: str = "<", limit_ms: float | None = None
) -> Check | None:
    """med(key) in milliseconds against `op limit_ms`; n/a (with a target) or None when not measured."""
    value = ctx.med(*key)
    if value is None:
        return _not_measured(ctx, area, label, "ms", op, limit_ms, [key])
    target, status = _status(value * 1000, op, limit_ms)
    runs = len(ctx.times[key])
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
    for (tool, what), values in sorted(ctx.times.items()):
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
        for text in ctx.notes:
            print("  - " + text.replace("\n", "\n    "))


def write_json(ctx: Ctx, checks: list[Check], path: str) -> None:
    doc = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": {"cpus": os.cpu_count(), "load": os.getloadavg(), "python": platform.python_version()},
        "rounds": ctx.rounds,
        "small": ctx.small,
        "data": ctx.sizes.describe(),
        "tools": {k: v[0] for k, v in ctx.tools.items()},
        "checks": [asdict(c) for c in checks],
        "medians_ms": {
            f"{tool} | {what}": round(statistics.median(values) * 1000, 1)
            for (tool, what), values in sorted(ctx.times.items())
        },
        "runs": {
            f"{tool} | {what}": [round(v * 1000, 1) for v in values]
            for (tool, what), values in sorted(ctx.times.items())
        },
        "notes": ctx.notes,
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fobj:
        json.dump(doc, fobj, indent=1)
        fobj.write("\n")
