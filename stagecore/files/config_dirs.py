"""Where DVC keeps its global and system config: the rules of DVC 3.x (`dvc/dirs.py`), which asks
platformdirs for `user_config_dir("dvc", "iterative")` / `site_config_dir(...)`, overridden by
`DVC_GLOBAL_CONFIG_DIR` / `DVC_SYSTEM_CONFIG_DIR`. The same rules without the dependency:

=========  ==============================================  ==========================================
platform   global                                          system
=========  ==============================================  ==========================================
Linux      `$XDG_CONFIG_HOME/dvc` (absolute), `~/.config/dvc`  first absolute `$XDG_CONFIG_DIRS` entry
                                                           `/dvc`, else `/etc/xdg/dvc`
macOS      as Linux's `$XDG_CONFIG_HOME` when set, else    as Linux's `$XDG_CONFIG_DIRS` when set,
           `~/Library/Application Support/dvc`             else `/Library/Application Support/dvc`
Windows    `%LOCALAPPDATA%\\iterative\\dvc` (platformdirs'   `%PROGRAMDATA%\\iterative\\dvc`
           non-roaming user dir, as DVC asks for it)
=========  ==============================================  ==========================================

Pure functions of (platform, environment, home) so that every row is unit-tested on any machine.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import sys
from collections.abc import Mapping

APPNAME = "dvc"
APPAUTHOR = "iterative"


def global_config_dir(platform: str | None = None, env: Mapping[str, str] | None = None,
                      home: str | None = None) -> str:
    env = os.environ if env is None else env
    if env.get("DVC_GLOBAL_CONFIG_DIR"):
        return env["DVC_GLOBAL_CONFIG_DIR"]
    platform = sys.platform if platform is None else platform
    home = os.path.expanduser("~") if home is None else home
    if platform == "win32":
        base = env.get("LOCALAPPDATA") or ntpath.join(home, "AppData", "Local")
        return ntpath.join(base, APPAUTHOR, APPNAME)
    xdg = env.get("XDG_CONFIG_HOME", "")
    if posixpath.isabs(xdg):
        return posixpath.join(xdg, APPNAME)
    if platform == "darwin":
        return posixpath.join(home, "Library", "Application Support", APPNAME)
    return posixpath.join(home, ".config", APPNAME)


def system_config_dir(platform: str | None = None, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if env.get("DVC_SYSTEM_CONFIG_DIR"):
        return env["DVC_SYSTEM_CONFIG_DIR"]
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        base = env.get("PROGRAMDATA") or env.get("ALLUSERSPROFILE") or "C:\\ProgramData"
        return ntpath.join(base, APPAUTHOR, APPNAME)
    dirs = [d for d in env.get("XDG_CONFIG_DIRS", "").split(os.pathsep) if posixpath.isabs(d)]
    if dirs:
        return posixpath.join(dirs[0], APPNAME)
    if platform == "darwin":
        return posixpath.join("/Library", "Application Support", APPNAME)
    return posixpath.join("/etc/xdg", APPNAME)


def user_config_base(platform: str | None = None, env: Mapping[str, str] | None = None,
                     home: str | None = None) -> str:
    """The per-user config directory that holds `dvc/` (where stagecore keeps its own files, such as
    the git template of `install --global`): the global dir's parent, without DVC's override."""
    env = dict(os.environ if env is None else env)
    env.pop("DVC_GLOBAL_CONFIG_DIR", None)
    path = global_config_dir(platform, env, home)
    return (ntpath if (platform or sys.platform) == "win32" else posixpath).dirname(path)
