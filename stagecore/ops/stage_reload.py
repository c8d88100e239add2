"""The stages as their dvc files are now, read again under the repository lock: what `commit`
and `checkout` work on once they hold it (another command, or git before a hook, may have
rewritten the files meanwhile). Below both, so that neither operation imports the other.
"""

from __future__ import annotations

from stagecore.core.stage import Stage


def reload_stages(repo, stages: list[Stage]) -> list[Stage]:
    """The stages as their dvc files are now: another command (or git, before a hook) may have
    rewritten them while we waited for the lock. Only files changed since this process started
    are read again; a stage that is gone is dropped."""
    import os

    from stagecore.files.dvcfile import load_dvcfile
    from stagecore.files.index import check_outs_inside
    from stagecore.files.pipefile import load_pipeline

    since = _process_start()
    fresh: dict[tuple[str, str | None], Stage] = {}
    for dvcfile in dict.fromkeys(s.dvcfile for s in stages):
        full = os.path.join(repo.root, dvcfile)
        named = any(s.dvcfile == dvcfile and s.name is not None for s in stages)
        files = [full, os.path.join(os.path.dirname(full), "dvc.lock")] if named else [full]
        try:
            changed = max(os.stat(f).st_mtime for f in files if f == full or os.path.exists(f))
        except FileNotFoundError:
            continue
        if since is not None and changed < since - 2:  # older than us: what we read is what is there
            fresh.update(((s.dvcfile, s.name), s) for s in stages if s.dvcfile == dvcfile)
            continue
        for stage in load_pipeline(repo, dvcfile) if named else [load_dvcfile(repo.root, dvcfile)]:
            check_outs_inside(stage)
            fresh[(stage.dvcfile, stage.name)] = stage
    return [fresh[key] for key in ((s.dvcfile, s.name) for s in stages) if key in fresh]


def _process_start() -> float | None:
    """When this process started (seconds since the epoch, to about 1 s), from /proc; None elsewhere."""
    import os

    try:
        with open("/proc/self/stat", "rb") as fobj:
            fields = fobj.read().rpartition(b")")[2].split()
        with open("/proc/stat", "rb") as fobj:
            btime = next(int(line.split()[1]) for line in fobj if line.startswith(b"btime "))
        return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None
