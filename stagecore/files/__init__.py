"""DVC's files: `.dvc` files, `dvc.yaml` / `dvc.lock`, params files, `.dvc/config`, `.dvcignore`,
`.gitignore` entries, the YAML reader and writer, and the index of a project's dvc files."""
