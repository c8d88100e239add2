"""`stagecore install --use-pre-commit-tool`: stagecore's hook ids in `.pre-commit-config.yaml`
(created when missing), plus `default_install_hook_types` so that `pre-commit install` activates
every stage; the user's layout and comments are kept where the file's layout allows.

The entry's `rev:` must name something in the hook repository, or every commit fails when the
framework clones it. Unless one is given (`--pre-commit-rev`), it is this stagecore's release tag
`v<version>` when the repository has it (asked with `git ls-remote`); when it does not, the commit
its default branch points to, as `pre-commit autoupdate` pins a repository without tags; when the
repository cannot be asked, nothing is written and the error says to pin a revision by hand."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import NamedTuple

from stagecore.errors import StagecoreError

PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"


class InstallError(StagecoreError):
    pass


class RevChoice(NamedTuple):
    rev: str
    how: str  # given | tag (this version's release tag) | commit (no such tag: the default branch's commit)


def resolve_rev(repo_url: str, version: str) -> RevChoice:
    """The `rev:` to write for `repo_url`: the tag `v<version>` when it has it, else the commit its
    HEAD names (as `pre-commit autoupdate` does without tags); InstallError when it cannot be asked."""
    tag = f"v{version}"
    out = _ls_remote(repo_url, "HEAD", f"refs/tags/{tag}")
    refs: dict[str, str] = {}
    for line in out.splitlines():
        oid, _, name = line.partition("\t")
        refs[name] = oid
    if f"refs/tags/{tag}" in refs:
        return RevChoice(tag, "tag")
    if "HEAD" in refs:
        return RevChoice(refs["HEAD"], "commit")
    raise InstallError(f"the hook repository {repo_url} has neither the tag {tag} nor a default branch",
                       hint="pin a revision it has: `stagecore install --use-pre-commit-tool --pre-commit-rev <tag or commit>`")


def _ls_remote(repo_url: str, *patterns: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"  # a repository that wants a password: an error, not a prompt
    hint = ("pin a revision it has: `stagecore install --use-pre-commit-tool --pre-commit-rev <tag or commit>` "
            "(or `--pre-commit-repo <url>` of a reachable copy)")
    try:
        proc = subprocess.run(["git", "ls-remote", repo_url, *patterns], capture_output=True, text=True,
                              env=env, timeout=30, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"cannot ask the hook repository {repo_url} for a revision: {exc}", hint=hint) from None
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"git ls-remote exited {proc.returncode}"])[-1]
        raise InstallError(f"cannot ask the hook repository {repo_url} for a revision: {reason}", hint=hint)
    return proc.stdout


def add_to_pre_commit_config(root: str, hooks: Sequence[str], repo_url: str, rev: str | None,
                             version: str = "") -> tuple[str, RevChoice]:
    """Add stagecore's hook ids to `.pre-commit-config.yaml` (created when missing) and the
    hook types to `default_install_hook_types`; refuse when stagecore is already listed.

    The file is edited as text where its layout allows (the usual case: `repos:` last, in
    block style), so the user's indentation and comments stay exactly as they were; otherwise
    it is rewritten through the round-trip YAML dumper (comments kept, indentation normalised).
    With `rev` None, it is resolved (`resolve_rev`) once the file is known to need the entry.
    """
    from stagecore.files.yamlio import dump_yaml, load_yaml_rt

    path = os.path.join(root, PRE_COMMIT_CONFIG)
    text = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    wanted_types = list(dict.fromkeys(["pre-commit", *hooks]))
    ids = [f"stagecore-{h}" for h in hooks]
    config = load_yaml_rt(text, PRE_COMMIT_CONFIG) if text.strip() else None
    if config is not None:
        _check_config(config)
    choice = RevChoice(rev, "given") if rev else resolve_rev(repo_url, version)
    rev = choice.rev
    if config is None:
        new_text = (
            f"default_install_hook_types: [{', '.join(wanted_types)}]\n"
            f"repos:\n  - repo: {_scalar(repo_url)}\n    rev: {_scalar(rev)}\n    hooks:\n"
            + "".join(f"      - id: {i}\n" for i in ids)
        )
    else:
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
    return path, choice


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
