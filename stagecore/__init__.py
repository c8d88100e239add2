"""stagecore: DVC-compatible data versioning and pipeline stages, automated by git hooks."""

__version__ = "0.1.0"
