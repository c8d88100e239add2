"""Reading an http(s) source in full, for `import-url`, `update` and `repro` of an import stage
(ops/import_url.py, ops/import_sync.py): how long a silent server is waited for, and a body
cut short refused rather than kept as the data.
"""

from __future__ import annotations

from stagecore.errors import StagecoreError
from stagecore.ops.cache_ingest import read_chunks

FETCH_TIMEOUT = 60  # seconds without progress before an http import gives up


def whole_body(resp, url: str):
    """The chunks of an http response body; StagecoreError when the server closes the connection
    before the Content-Length it announced (http.client then just ends the body: a truncated file
    would be imported as the data)."""
    expected = resp.headers.get("Content-Length")
    got = 0
    for chunk in read_chunks(resp):
        got += len(chunk)
        yield chunk
    if expected is not None and expected.isdigit() and got != int(expected):
        raise StagecoreError(
            f"failed to import '{url}': the server sent {got} of the {int(expected)} bytes it announced",
            hint="check the URL and the network, then try again",
        )
