"""Global and system config locations (issue 12): DVC's platform rules and overrides, every
platform's row as a pure function, and Linux's against real DVC 3.67.1 in twin runs (the home
directory faked by the autouse fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagecore.files.config_dirs import global_config_dir, system_config_dir
from tests.helpers import ok, run_dvc

HOME = "/home/u"


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {}, "/home/u/.config/dvc"),
        ("linux", {"XDG_CONFIG_HOME": "/x/conf"}, "/x/conf/dvc"),
        ("linux", {"XDG_CONFIG_HOME": "relative"}, "/home/u/.config/dvc"),  # not absolute: ignored
        ("linux", {"XDG_CONFIG_HOME": "/x", "DVC_GLOBAL_CONFIG_DIR": "/o"}, "/o"),
        ("darwin", {}, "/home/u/Library/Application Support/dvc"),
        ("darwin", {"XDG_CONFIG_HOME": "/x/conf"}, "/x/conf/dvc"),
        ("win32", {"LOCALAPPDATA": "C:\\Users\\u\\AppData\\Local", "APPDATA": "C:\\R"},
         "C:\\Users\\u\\AppData\\Local\\iterative\\dvc"),
        ("win32", {"DVC_GLOBAL_CONFIG_DIR": "D:\\conf"}, "D:\\conf"),
    ],
)
def test_global_config_dir_by_platform(platform: str, env: dict[str, str], expected: str) -> None:
    assert global_config_dir(platform, env, HOME) == expected


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {}, "/etc/xdg/dvc"),
        ("linux", {"XDG_CONFIG_DIRS": "/a:/b"}, "/a/dvc"),
        ("linux", {"XDG_CONFIG_DIRS": "rel:/b"}, "/b/dvc"),
        ("linux", {"DVC_SYSTEM_CONFIG_DIR": "/s"}, "/s"),
        ("darwin", {}, "/Library/Application Support/dvc"),
        ("win32", {"PROGRAMDATA": "C:\\ProgramData"}, "C:\\ProgramData\\iterative\\dvc"),
    ],
)
def test_system_config_dir_by_platform(platform: str, env: dict[str, str], expected: str) -> None:
    assert system_config_dir(platform, env) == expected


def _written(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("config") if p.is_file())


@pytest.mark.parametrize(
    ("level", "env"),
    [
        ("--global", {}),  # XDG_CONFIG_HOME unset: ~/.config/dvc
        ("--global", {"XDG_CONFIG_HOME": "{tmp}/xdg"}),
        ("--global", {"XDG_CONFIG_HOME": "relative/xdg"}),
        ("--global", {"DVC_GLOBAL_CONFIG_DIR": "{tmp}/dvc-global"}),
        ("--system", {"XDG_CONFIG_DIRS": "{tmp}/sys1:{tmp}/sys2"}),
        ("--system", {"DVC_SYSTEM_CONFIG_DIR": "{tmp}/dvc-system"}),
    ],
)
def test_config_level_files_where_dvc_writes_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  isolated_env: Path, dvc_bin: Path, level: str,
                                                  env: dict[str, str]) -> None:
    """`config LEVEL core.remote NAME` writes the same file for DVC and for stagecore, and each
    then reads the other's value back (`config LEVEL core.remote`)."""
    home = Path.home()
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_DIRS", raising=False)
    monkeypatch.delenv("DVC_SYSTEM_CONFIG_DIR", raising=False)  # the fixture's empty one
    for key, value in env.items():
        monkeypatch.setenv(key, value.replace("{tmp}", str(tmp_path)))
    work = tmp_path / "work"
    work.mkdir()

    run = run_dvc("config", level, "core.remote", "by-dvc", cwd=work)
    assert run.returncode == 0, run.stdout + run.stderr
    by_dvc = _written(tmp_path) + _written(home)
    assert len(by_dvc) == 1, by_dvc
    assert ok("config", level, "core.remote", cwd=work).stdout == "by-dvc\n"

    for path in [*tmp_path.rglob("config"), *home.rglob("config")]:
        if path.is_file() and path.parent.name != ".git":
            path.unlink()
    ok("config", level, "core.remote", "by-stagecore", cwd=work)
    assert _written(tmp_path) + _written(home) == by_dvc
    assert run_dvc("config", level, "core.remote", cwd=work).stdout == "by-stagecore\n"
