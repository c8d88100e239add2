"""Exception hierarchy. Every error the library raises on purpose is a StagecoreError.

Exit codes follow DVC's so that scripts written for DVC keep working:
0 ok, 1 command failure, 251 config error, 253 not a repository,
254 usage error, 255 pipeline/checkout failure.
"""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_CONFIG = 251
EXIT_NOT_A_REPO = 253
EXIT_USAGE = 254
EXIT_PIPELINE = 255


class StagecoreError(Exception):
    """Base class: carries a one-line message, an optional hint and an exit code."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class NotARepoError(StagecoreError):
    exit_code = EXIT_NOT_A_REPO

    def __init__(self, where: str) -> None:
        super().__init__(
            f"you are not inside of a DVC repository (checked up from '{where}')",
            hint="run `stagecore init` at the root of your git repository",
        )


class ConfigError(StagecoreError):
    exit_code = EXIT_CONFIG


class FileFormatError(StagecoreError):
    """A dvc file, lock, manifest or params file that cannot be parsed or validated."""

    def __init__(self, path: str, problem: str, hint: str | None = None) -> None:
        super().__init__(f"'{path}' {problem}", hint=hint)
        self.path = path
        self.problem = problem


class PathOutsideRepoError(StagecoreError):
    def __init__(self, path: str, root: str) -> None:
        super().__init__(
            f"path '{path}' is outside of the repository '{root}'",
            hint="only paths inside the repository can be tracked",
        )


class TargetNotFoundError(StagecoreError):
    def __init__(self, target: str, hint: str | None = None) -> None:
        super().__init__(
            f"'{target}' does not exist or is not tracked",
            hint=hint or "give a path, a `.dvc` file or a stage name (`stagecore status` lists them)",
        )


class OutputTrackedByGitError(StagecoreError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"output '{path}' is already tracked by SCM (e.g. Git).",
            hint=f"stop tracking it with git first: git rm -r --cached '{path}'",
        )


class IgnoredByDvcignoreError(StagecoreError):
    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"Path '{path}' is ignored by {rule}")


class CacheError(StagecoreError):
    """A missing or corrupt cache object."""


class CheckoutError(StagecoreError):
    exit_code = EXIT_PIPELINE

    def __init__(self, paths: list[str], reason: str = "missing from the cache") -> None:
        listing = "\n".join(paths)
        super().__init__(
            f"Checkout failed for following targets ({reason}):\n{listing}",
            hint="fetch the data with `stagecore pull`, or save the workspace version with `stagecore commit -f`",
        )
        self.paths = paths


class StageError(StagecoreError):
    exit_code = EXIT_PIPELINE


class RemoteError(StagecoreError):
    pass


class UsageError(StagecoreError):
    exit_code = EXIT_USAGE
