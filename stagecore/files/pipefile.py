"""`dvc.yaml` + `dvc.lock`: loading stages (validated, interpolated, expanded, joined with
their lock entries) and the format-preserving writes: lock entries, new stages, removals.

Reads use the fast loader; every write re-parses the file with ruamel round-trip so
comments, key order and quoting of everything not touched survive, as DVC does it.

Longer than ~300 lines: the read side and the three round-trip writes share one parse of the
two files and one set of addressing rules (stage names, foreach keys, wdir); split, each half
would re-derive them.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any, NamedTuple

from stagecore.core.bounds import MAX_TEXT_BYTES
from stagecore.core.expand import Generated, expand_stages, load_file, load_vars
from stagecore.core.interpolate import Context, InterpolationError, Walk, has_interpolation
from stagecore.core.pipeline import build_stage, lock_data
from stagecore.core.pipeschema import Problem, validate_lock, validate_pipeline, validate_resolved
from stagecore.core.safepath import check_stage
from stagecore.core.stage import Stage
from stagecore.errors import FileFormatError, StagecoreError
from stagecore.files.yamlio import dump_yaml, load_yaml, load_yaml_rt, locate
from stagecore.storage.fsutil import atomic_write_text

PIPELINE_FILE = "dvc.yaml"
LOCK_FILE = "dvc.lock"


class LockWrite(NamedTuple):
    relpath: str
    created: bool  # the lock file did not exist (DVC: "Generating lock file")
    changed: bool  # the stage's entry changed (DVC: "Updating lock file")


def lock_path_of(dvcfile: str) -> str:
    return posixpath.join(posixpath.dirname(dvcfile), LOCK_FILE)


def _read(root: str, relpath: str) -> str | None:
    try:
        with open(os.path.join(root, relpath), encoding="utf-8") as fobj:
            text = fobj.read(MAX_TEXT_BYTES + 1)  # a 16 GB file of zeros is 16 MB in git
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(relpath, f"cannot be read: {exc}") from None
    if len(text) > MAX_TEXT_BYTES:
        problem = f"is larger than {MAX_TEXT_BYTES:,} characters: too large for a pipeline file"
        raise FileFormatError(relpath, problem)
    return text


def _locate(text: str, relpath: str, keys: tuple) -> str:
    """`, line L, column C` of `keys` in the document (the deepest key found), or ''."""
    return _where_text(locate(text, [keys])[0])


def _where_text(pos: tuple[int, int] | None) -> str:
    return f", line {pos[0] + 1}, column {pos[1] + 1}" if pos else ""


_SHOWN_PROBLEMS = 10  # a hostile file can have 100,000 problems: name the first few


def _raise_problems(text: str, relpath: str, problems: list[Problem], hint: str | None = None) -> None:
    if not problems:
        return
    if problems[0][0] == () and len(problems) == 1:
        raise FileFormatError(relpath, f"validation failed: {problems[0][1]}")
    shown = problems[:_SHOWN_PROBLEMS]
    positions = locate(text, [keys for keys, _message in shown])  # one parse for all of them
    parts = []
    for (keys, message), pos in zip(shown, positions, strict=True):
        where = " -> ".join(str(k) for k in keys)
        parts.append(f"{message}, in {where}{_where_text(pos)}" if where else message)
    if len(problems) > len(shown):
        parts.append(f"and {len(problems) - len(shown)} more")
    head = "validation failed: " if len(problems) == 1 else f"validation failed: {len(problems)} errors: "
    raise FileFormatError(relpath, head + "; ".join(parts), hint=hint or "fix the file by hand")


def load_lock(repo, relpath: str) -> dict[str, Any]:
    """The `stages` of a lock file ({} when absent); a 1.x lock without `schema` is accepted."""
    text = _read(repo.root, relpath)
    if text is None or not text.strip():
        return {}
    stages, problems = validate_lock(load_yaml(text, relpath))
    _raise_problems(text, relpath, problems, hint="fix it by hand, or delete it and run `stagecore repro`")
    return stages


def _vars_loader(repo, base: str, read=None):
    """Loads `vars` files relative to `base`; `read(rel)`: a file's data or MISSING (default: the workspace)."""
    from stagecore.files.params import MISSING, read_params

    def load(path: str, keys: list[str] | None) -> dict:
        rel = posixpath.normpath(posixpath.join(base, path))
        data = read(rel) if read is not None else read_params(repo.root, rel)
        if data is MISSING:
            raise InterpolationError(f"'{rel}' does not exist")
        if not isinstance(data, dict):
            raise InterpolationError(f"expected a dictionary, got '{type(data).__name__}' in file '{rel}'")
        if keys:
            missing = [k for k in keys if k not in data]
            if missing:
                raise InterpolationError(f"could not find '{missing[0]}' in '{rel}'")
            data = {k: data[k] for k in keys}
        return data

    return load


def pipeline_context(repo, relpath: str, data: dict, read=None) -> Context:
    """The variables of a dvc.yaml: its dir's `params.yaml` (when present), then `vars`."""
    from stagecore.files.params import MISSING

    base = posixpath.dirname(relpath)
    loader = _vars_loader(repo, base, read)
    ctx = Context()
    default = posixpath.join(base, "params.yaml")
    if os.path.exists(os.path.join(repo.root, default)) if read is None else read(default) is not MISSING:
        load_file(ctx, "params.yaml", None, loader)
    items = data.get("vars") or []
    if has_interpolation(items):
        raise InterpolationError("failed to parse 'vars': interpolating is not allowed")
    load_vars(ctx, items, loader)
    return ctx


def load_data(repo, relpath: str) -> tuple[dict, str]:
    text = _read(repo.root, relpath)
    if text is None:
        raise FileFormatError(relpath, "does not exist", hint="create a stage with `stagecore stage add`")
    data = load_yaml(text, relpath) if text.strip() else None
    _raise_problems(text, relpath, validate_pipeline(data))
    return data or {}, text


def load_pipeline(repo, relpath: str) -> list[Stage]:
    data, text = load_data(repo, relpath)
    stages_data = data.get("stages") or {}
    if not stages_data:
        return []
    lock_rel = lock_path_of(relpath)
    locked = load_lock(repo, lock_rel)
    generated = resolve_pipeline(repo, relpath, data, text)
    problems = [  # interpolation can change types (`cmd: ${n}`); one per template, not per stage
        problem for gen in generated
        for problem in validate_resolved(gen.definition, _template_keys(gen, stages_data))
    ]
    _raise_problems(text, relpath, list(dict.fromkeys(problems)))
    stages = []
    for gen in generated:
        raw = stages_data[gen.group or gen.name]
        lock = locked.get(gen.name)
        wdir = gen.definition.get("wdir")
        if wdir is not None and (not isinstance(wdir, str) or "\0" in wdir):
            where = f"stages -> {gen.name} -> wdir"
            raise FileFormatError(relpath, f"validation failed: expected a path, in {where}")
        stage = build_stage(relpath, gen.name, gen.definition, lock if isinstance(lock, dict) else None, raw)
        check_stage(stage)  # the gate: output paths (joined with wdir), lock hash values, dependency paths
        stages.append(stage)
    return stages


def resolve_pipeline(repo, relpath: str, data: dict, text: str, read=None) -> list[Generated]:
    """The stages of a validated dvc.yaml, interpolated and expanded (`read`: see `_vars_loader`)."""
    walk = Walk()
    parsing = repo.conf.get("parsing")
    walk.parsing = parsing if isinstance(parsing, dict) else {}
    try:
        ctx = pipeline_context(repo, relpath, data, read)
        loader = _vars_loader(repo, posixpath.dirname(relpath), read)
        return expand_stages(data.get("stages") or {}, ctx, loader, walk)
    except InterpolationError as exc:
        where = _locate(text, relpath, exc.keys) if exc.keys else ""
        hint = exc.hint or "define the variable in params.yaml or under `vars`"
        raise FileFormatError(relpath, f"{exc}{where}", hint=hint) from None


def _template_keys(gen, stages_data: dict) -> tuple:
    if gen.group is None:
        return ("stages", gen.name)
    return ("stages", gen.group, "do") if "foreach" in stages_data[gen.group] else ("stages", gen.group)


def is_parametrized(stage: Stage) -> bool:
    raw = stage.raw or {}
    return bool({"foreach", "matrix", "vars"} & set(raw)) or has_interpolation(raw)


# ---------------------------------------------------------------- writes


def write_lock(repo, stage: Stage) -> str:
    return update_lock(repo, stage).relpath


def update_lock(repo, stage: Stage, params: dict | None = None) -> LockWrite:
    """Write the stage's entry into its dvc.lock (current params values unless given)."""
    from stagecore.files.params import lock_values

    entry = lock_data(stage, lock_values(repo, stage) if params is None else params)
    relpath = lock_path_of(stage.dvcfile)
    text = _read(repo.root, relpath)
    if text and text.strip():
        from stagecore.files.lockedit import splice

        fast = splice(text, stage.name or "", entry)  # canonical file: only this entry is dumped
        if fast is not None:
            if fast[0] != text:
                atomic_write_text(os.path.join(repo.root, relpath), fast[0])
            stage.lock = entry
            return LockWrite(relpath, False, fast[1])
    data: Any
    if text is None or not text.strip():
        created, data = True, {"schema": "2.0", "stages": {}}
    else:
        created, data = False, load_yaml_rt(text, relpath)
        if not isinstance(data, dict):
            raise FileFormatError(relpath, "validation failed: expected a dictionary.")
        if "schema" not in data:  # a DVC 1.x lock: upgrade to the 2.0 layout
            data = {"schema": "2.0", "stages": dict(data)}
        if not isinstance(data.get("stages"), dict):
            data["stages"] = {}
    stages = data["stages"]
    changed = stages.get(stage.name) != entry
    stages[stage.name] = entry
    new_text = dump_yaml(data)
    if new_text != text:
        atomic_write_text(os.path.join(repo.root, relpath), new_text)
    stage.lock = entry
    return LockWrite(relpath, created, changed)


def _refuse_parametrized(stage: Stage, action: str) -> None:
    if is_parametrized(stage):
        raise StagecoreError(
            f"cannot {action} a parametrized stage '{stage.addressing}'",
            hint=f"edit '{stage.dvcfile}' by hand",
        )


def remove_stage(repo, stage: Stage) -> list[str]:
    """Delete the stage from its dvc.yaml and dvc.lock (files left empty are deleted)."""
    _refuse_parametrized(stage, "remove")
    touched = []
    lock_rel = lock_path_of(stage.dvcfile)
    for relpath, where in ((lock_rel, "stages"), (stage.dvcfile, "stages")):
        text = _read(repo.root, relpath)
        if not text or not text.strip():
            continue
        data = load_yaml_rt(text, relpath)
        container: Any = None
        if relpath == lock_rel and isinstance(data, dict) and "schema" not in data:
            container = data
        elif isinstance(data, dict):
            container = data.get(where)
        if not isinstance(container, dict) or stage.name not in container:
            continue
        del container[stage.name]
        rest = [k for k in data if k not in ("stages", "vars", "schema")] if container is not data else []
        full = os.path.join(repo.root, relpath)
        if not container and not rest:
            os.unlink(full)
        else:
            atomic_write_text(full, dump_yaml(data))
        touched.append(relpath)
    return touched


def _same_container(a: Any, b: Any) -> bool:
    return isinstance(a, dict) and isinstance(b, dict) or isinstance(a, list) and isinstance(b, list)


def apply_diff(src: Any, dest: Any) -> None:
    """Make `dest` (a ruamel round-trip node) equal to `src`, keeping its formatting (DVC's)."""
    if isinstance(src, dict) and isinstance(dest, dict):
        for key, value in src.items():
            if key in dest and _same_container(value, dest[key]):
                apply_diff(value, dest[key])
            elif key not in dest or value != dest[key]:
                dest[key] = value
        for key in [k for k in dest if k not in src]:
            del dest[key]
    elif isinstance(src, list) and isinstance(dest, list):
        if len(src) != len(dest):
            dest[:] = src
            return
        for i, value in enumerate(src):
            if _same_container(value, dest[i]):
                apply_diff(value, dest[i])
            elif value != dest[i]:
                dest[i] = value


def write_stage(repo, dvcfile: str, name: str, definition: dict, *, force: bool = False) -> tuple[bool, bool]:
    """Add (or with `force` replace) a stage in `dvcfile`: (file created, stage existed)."""
    text = _read(repo.root, dvcfile)
    created = text is None or not text.strip()
    data: Any = load_yaml_rt(text, dvcfile) if text and text.strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FileFormatError(dvcfile, "validation failed: expected a dictionary.")
    if not isinstance(data.get("stages"), dict):
        data["stages"] = {}
    stages = data["stages"]
    existed = name in stages
    if existed and not force:
        raise StagecoreError(
            f"Stage '{name}' already exists in '{dvcfile}'.", hint="use '--force' to overwrite it"
        )
    if existed:  # a foreach/matrix/templated stage is replaced too, as DVC does
        apply_diff(definition, stages[name])
    else:
        stages[name] = definition
    full = os.path.join(repo.root, dvcfile)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    atomic_write_text(full, dump_yaml(data))
    return created, existed


def set_frozen(repo, stage: Stage, frozen: bool) -> bool:
    """Write or drop `frozen: true` on the stage in its dvc.yaml; True when the file changed."""
    _refuse_parametrized(stage, "freeze" if frozen else "unfreeze")
    text = _read(repo.root, stage.dvcfile) or ""
    data = load_yaml_rt(text, stage.dvcfile)
    definition = data["stages"][stage.name]
    if frozen and definition.get("frozen") is not True:
        definition["frozen"] = True
    elif not frozen and "frozen" in definition:
        del definition["frozen"]
    else:
        return False
    atomic_write_text(os.path.join(repo.root, stage.dvcfile), dump_yaml(data))
    stage.frozen = frozen
    return True
