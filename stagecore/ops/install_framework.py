"""`stagecore install --use-pre-commit-tool`: stagecore's hook ids in `.pre-commit-config.yaml`
(created when missing), plus `default_install_hook_types` so that `pre-commit install` activates
every stage; the user's layout and comments are kept where the file's layout allows."""

from __future__ import annotations

import os
from collections.abc import Sequence

from stagecore.errors import StagecoreError

PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"


class InstallError(StagecoreError):
    pass


def add_to_pre_commit_config(root: str, hooks: Sequence[str], repo_url: str, rev: str) -> str:
    """Add stagecore's hook ids to `.pre-commit-config.yaml` (created when missing) and the
    hook types to `default_install_hook_types`; refuse when stagecore is already listed.

    The file is edited as text where its layout allows (the usual case: `repos:` last, in
    block style), so the user's indentation and comments stay exactly as they were; otherwise
    it is rewritten through the round-trip YAML dumper (comments kept, indentation normalised).
    """
    from stagecore.yamlio import dump_yaml, load_yaml_rt

    path = os.path.join(root, PRE_COMMIT_CONFIG)
    text = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    wanted_types = list(dict.fromkeys(["pre-commit", *hooks]))
    ids = [f"stagecore-{h}" for h in hooks]
    if not text.strip():
        new_text = (
            f"default_install_hook_types: [{', '.join(wanted_types)}]\n"
            f"repos:\n  - repo: {_scalar(repo_url)}\n    rev: {_scalar(rev)}\n    hooks:\n"
            + "".join(f"      - id: {i}\n" for i in ids)
        )
    else:
        config = load_yaml_rt(text, PRE_COMMIT_CONFIG)
        _check_config(config)
        edited = _edit_text(text, config, wanted_types, ids, repo_url, rev)
        if edited is not None and _has_entry(load_yaml_rt(edited, PRE_COMMIT_CONFIG), ids, wanted_types):
            new_text = edited
        else:
            types = config.get("default_install_hook_types")
            if types is None:
                config.insert(0, "default_install_hook_types", wanted_types)
            else:
                types.extend(t for t in wanted_types if t not in types)
            config["repos"].append({"repo": repo_url, "rev": rev, "hooks": [{"id": i} for i in ids]})
            new_text = dump_yaml(config)
    tmp = f"{path}.stagecore-tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(new_text)
    os.replace(tmp, path)
    return path


def _check_config(config) -> None:
    if not hasattr(config, "get") or not isinstance(config.get("repos"), list):
        raise InstallError(
            f"'{PRE_COMMIT_CONFIG}' is not a pre-commit configuration (no `repos:` list)",
            hint="fix the file, or install native hooks with `stagecore install`",
        )
    listed = [
        str(hook.get("id"))
        for repo in config["repos"]
        if hasattr(repo, "get")
        for hook in (repo.get("hooks") or [])
        if hasattr(hook, "get") and str(hook.get("id", "")).startswith("stagecore-")
    ]
    if listed:
        raise InstallError(
            f"'{PRE_COMMIT_CONFIG}' already lists stagecore's hooks ({', '.join(listed)}); nothing changed",
            hint="run `pre-commit install` to activate them",
        )


def _has_entry(config, ids: list[str], wanted_types: list[str]) -> bool:
    try:
        found = [h["id"] for r in config["repos"] for h in (r.get("hooks") or [])]
        return set(ids) <= set(found) and set(wanted_types) <= set(config["default_install_hook_types"])
    except (KeyError, TypeError, AttributeError):
        return False


def _edit_text(
    text: str, config, wanted_types: list[str], ids: list[str], repo_url: str, rev: str
) -> str | None:
    """Append the repo entry after the last line and merge the hook types, in the file's own
    indentation; None when the layout is not the simple one (the caller re-dumps instead)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    keys, repos = list(config.keys()), config["repos"]
    if keys[-1] != "repos" or not repos or repos.fa.flow_style():
        return None
    line, col = repos.lc.item(0)
    dash = lines[line].find("-")
    if not 0 <= dash < col:
        return None
    gap = " " * (col - dash - 1)
    sub_dash, sub_gap = col + 2, " "
    hooks0 = repos[0].get("hooks") if hasattr(repos[0], "get") else None
    if hooks0 and not hooks0.fa.flow_style():
        sub_line, sub_col = hooks0.lc.item(0)
        found = lines[sub_line].find("-")
        if 0 <= found < sub_col:
            sub_dash, sub_gap = found, " " * (sub_col - found - 1)
    pad = " " * col
    block = [
        f"{' ' * dash}-{gap}repo: {_scalar(repo_url)}\n",
        f"{pad}rev: {_scalar(rev)}\n",
        f"{pad}hooks:\n",
    ]
    block += [f"{' ' * sub_dash}-{sub_gap}id: {i}\n" for i in ids]
    types = config.get("default_install_hook_types")
    if types is None:
        first_line = config.lc.key(keys[0])[0]
        lines.insert(first_line, f"default_install_hook_types: [{', '.join(wanted_types)}]\n")
    else:
        missing = [t for t in wanted_types if t not in types]
        key_line = config.lc.key("default_install_hook_types")[0]
        if missing:
            if not types.fa.flow_style() or "]" not in lines[key_line]:
                return None
            head, _, rest = lines[key_line].partition("[")
            _, _, tail = rest.partition("]")
            lines[key_line] = f"{head}[{', '.join([*map(str, types), *missing])}]{tail}"
    return "".join(lines + block)


def _scalar(value: str) -> str:
    if value and all(c.isalnum() or c in "_./:@~+-" for c in value) and not value.startswith(("-", ":")):
        return value
    return "'" + value.replace("'", "''") + "'"
