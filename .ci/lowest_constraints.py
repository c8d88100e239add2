"""Print pip constraints pinning every dependency of pyproject.toml (and the s3, ssh extras) to
its lower bound: `make test-lowest` installs them, so a bound that is too low fails CI."""

import re
import sys

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

with open(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml", "rb") as fobj:
    project = tomllib.load(fobj)["project"]
wanted = list(project["dependencies"])
for extra in ("s3", "ssh"):
    wanted += project["optional-dependencies"][extra]
for spec in wanted:
    requirement, _, marker = spec.partition(";")
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([0-9][^,\s]*)\s*", requirement)
    if match is None:
        sys.exit(f"{spec!r}: no lower bound (name>=version) to pin")
    name = re.sub(r"\[.*\]", "", match.group(1))
    print(f"{name}=={match.group(2)}" + (f"; {marker.strip()}" if marker.strip() else ""))
