"""A stage: a `.dvc` file or one stage of a `dvc.yaml` with its lock entry (pure)."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from stagecore.core.entry import Entry, resolve

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(path: str) -> bool:
    """A dependency with a scheme (`http://`, `s3://`, `remote://`, ...): not a local path."""
    return _SCHEME.match(path) is not None


def is_external(path: str) -> bool:
    """A dependency outside the repository: a URL or an absolute path (what `import-url` writes)."""
    return is_url(path) or path.startswith("/")


def is_offline(dep: Entry) -> bool:
    """A dependency that cannot be checked without the network: a URL, or a path in another
    git repository (`dvc import` writes `repo: {url, rev_lock}`; pinned, so DVC finds it unchanged)."""
    return is_url(dep.path) or "repo" in dep.extra


def is_external_dep(dep: Entry) -> bool:
    """A dependency that is not a path of this repository (never joins two stages)."""
    return is_offline(dep) or is_external(dep.path)


@dataclass
class Stage:
    """`dvcfile` is repo-relative (`data.txt.dvc`, `sub/dvc.yaml`); `name` is None for `.dvc`."""

    dvcfile: str
    name: str | None = None
    cmd: str | list[str] | None = None
    wdir: str = ""  # repo-relative posix directory the paths are relative to
    deps: list[Entry] = field(default_factory=list)
    outs: list[Entry] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # file -> list of keys / None
    frozen: bool = False
    always_changed: bool = False
    desc: str | None = None
    md5: str | None = None  # top-level md5 of old single-stage `.dvc` files
    raw: dict[str, Any] = field(default_factory=dict)  # the stage as written, for rewrites
    lock: dict[str, Any] | None = None  # the stage's dvc.lock entry (pipeline stages)

    @property
    def is_dvcfile(self) -> bool:
        return self.name is None

    @property
    def addressing(self) -> str:
        if self.name is None:
            return self.dvcfile
        if posixpath.basename(self.dvcfile) == "dvc.yaml" and posixpath.dirname(self.dvcfile) == "":
            return self.name
        return f"{self.dvcfile}:{self.name}"

    def out_path(self, out: Entry) -> str:
        return resolve(self.wdir, out.path)

    def dep_path(self, dep: Entry) -> str:
        """Repo-relative path of a local dependency; an external one (URL, absolute) as written."""
        return dep.path if is_external_dep(dep) else resolve(self.wdir, dep.path)

    @property
    def is_import(self) -> bool:
        """DVC's import stage: no command, one dependency, one output (`import-url`, `import`)."""
        return not self.cmd and len(self.deps) == 1 and len(self.outs) == 1

    @property
    def is_callback(self) -> bool:
        return self.cmd is not None and not self.deps and not self.params and not self.outs  # params are deps

    def __hash__(self) -> int:
        return hash((self.dvcfile, self.name))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stage) and (self.dvcfile, self.name) == (other.dvcfile, other.name)


_MD5_DROP = {
    "metric", "persist", "size", "nfiles", "isexec", "frozen", "locked", "checkpoint",
    "desc", "type", "labels", "meta", "md5_top",
}


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in _MD5_DROP}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def dvcfile_md5(data: dict[str, Any]) -> str:
    """The top-level `md5` of a single-stage file, computed as DVC 0.x/1.x computed it."""
    d = {k: v for k, v in data.items() if k not in ("md5", "meta", "desc")}
    if d.get("wdir") == ".":
        del d["wdir"]
    return hashlib.md5(json.dumps(_strip(d), sort_keys=True).encode()).hexdigest()


def _dumpd_like(data: dict[str, Any]) -> dict[str, Any]:
    """`data` as DVC 3 serializes the stage it loaded from it (`Stage.dumpd`): an output's
    default `cache: true` is not written back, so it does not count in the stage md5."""
    out = dict(data)
    if isinstance(out.get("outs"), list):
        out["outs"] = [{k: v for k, v in o.items() if not (k == "cache" and v is True)} if isinstance(o, dict) else o
                       for o in out["outs"]]
    return out


def checksum_changed(stage: Stage) -> bool:
    """DVC's "changed checksum" of a `.dvc` file (`Stage.changed_stage`).

    DVC 3 computes a stage md5 only for import stages (`compute_md5`); for data added with
    `add` it computes none, so a top-level `md5` left by DVC 0.x/1.x always differs. A file
    with `cmd` (a 0.x/1.x single-stage file, which DVC 3 refuses to load) is judged as DVC
    1.x judged it: the md5 of the file as written."""
    if stage.name is not None:
        return False
    if stage.cmd is not None:
        return stage.md5 is not None and dvcfile_md5(stage.raw) != stage.md5
    if not stage.is_import:
        return stage.md5 is not None
    return dvcfile_md5(_dumpd_like(stage.raw)) != stage.md5

