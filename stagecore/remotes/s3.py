"""An S3 (or S3-compatible) remote: the one owner of boto3.

URL `s3://bucket/prefix`; config keys as DVC names them (endpointurl, region, profile,
access_key_id, secret_access_key, session_token, use_ssl, ssl_verify, connect_timeout,
read_timeout). One boto3 client is shared by all worker threads (clients are thread-safe);
botocore's "standard" retry mode handles throttling, 5xx and dropped connections.
A single PUT, like a completed multipart upload, is atomic: no reader sees half an object.

Longer than ~300 lines: one class, the S3 adapter, whose methods share a client, its retry
policy and the error translation; splitting it would split one protocol.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from stagecore.errors import RemoteError
from stagecore.files.config import as_bool
from stagecore.remotes.base import (
    Remote,
    RemoteObjectNotFound,
    check_key,
    group_by_parent,
    prefer_listing,
    retry,
    unlink_quiet,
)
from stagecore.remotes.extras import install_hint

MULTIPART_THRESHOLD = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
_DENIED = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
    "AllAccessDisabled",
    "403",
}


def _import_sdk():
    try:
        import boto3
        import botocore.config
        import botocore.exceptions
        import botocore.session
    except ImportError:
        raise RemoteError(
            "S3 remotes need boto3, which is not installed", hint=install_hint("s3")
        ) from None
    return boto3, botocore


class S3Remote(Remote):
    kind = "s3"

    def __init__(self, name: str, url: str, conf: dict, jobs: int) -> None:
        super().__init__(name, url, jobs)
        boto3, botocore = _import_sdk()
        self._exc = botocore.exceptions
        parts = urlsplit(url)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        if not self.bucket:
            raise RemoteError(
                f"remote '{name}' has no bucket in its url '{url}'", hint="use s3://<bucket>/<path>"
            )
        self.endpoint = conf.get("endpointurl") or None
        self._bucket_checked = False
        self._lock = threading.Lock()
        try:
            core = botocore.session.Session()
            if conf.get("credentialpath"):
                core.set_config_variable("credentials_file", conf["credentialpath"])
            if conf.get("configpath"):
                core.set_config_variable("config_file", conf["configpath"])
            session = boto3.session.Session(
                botocore_session=core,
                profile_name=conf.get("profile") or None,
                aws_access_key_id=conf.get("access_key_id") or None,
                aws_secret_access_key=conf.get("secret_access_key") or None,
                aws_session_token=conf.get("session_token") or None,
                region_name=conf.get("region") or None,
            )
            client_conf = botocore.config.Config(
                max_pool_connections=max(10, jobs + 2),
                retries={"mode": "standard", "max_attempts": 4},
                connect_timeout=float(conf.get("connect_timeout") or 10),
                read_timeout=float(conf.get("read_timeout") or 60),
                # S3-compatible servers vary in their support of the newer flexible checksums;
                # downloads are verified against the md5 in the key by the caller anyway.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            ssl_verify = conf.get("ssl_verify")
            verify: bool | str | None = None
            if ssl_verify not in (None, ""):
                text = str(ssl_verify)
                verify = as_bool(text) if text.lower() in ("true", "false", "1", "0", "yes", "no") else text
            self.client = session.client(
                "s3",
                endpoint_url=self.endpoint,
                use_ssl=as_bool(conf.get("use_ssl", True)),
                verify=verify,
                config=client_conf,
            )
        except botocore.exceptions.ProfileNotFound as exc:
            raise RemoteError(
                f"remote '{name}': {exc}",
                hint="fix the profile: stagecore remote modify --local NAME profile P",
            ) from None
        except (botocore.exceptions.BotoCoreError, ValueError) as exc:
            raise RemoteError(f"remote '{name}' cannot be set up: {exc}") from None

    # -- helpers ---------------------------------------------------------------------------------
    def _full(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _where(self) -> str:
        return f"s3://{self.bucket}" + (f" at {self.endpoint}" if self.endpoint else "")

    def _error(self, exc: BaseException, key: str | None = None) -> RemoteError:
        """Translate a boto3/botocore failure into one line naming the remote, with a fix."""
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, self._exc.ClientError) and cause.__cause__:
            cause = cause.__cause__
        exc = cause or exc
        name = self.name
        if isinstance(exc, self._exc.ClientError):
            err = exc.response.get("Error", {})
            code = str(err.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "NoSuchBucket":
                return RemoteError(
                    f"bucket '{self.bucket}' of remote '{name}' does not exist",
                    hint=f"create the bucket, or fix the url: stagecore remote modify {name} url s3://<bucket>/<path>",
                )
            if key is not None and (code in ("NoSuchKey", "404") or status == 404):
                return RemoteObjectNotFound(name, key)
            if code in _DENIED or status == 403:
                return RemoteError(
                    f"access denied to {self._where()} for remote '{name}' ({code or status})",
                    hint=f"check the credentials: AWS_PROFILE / AWS_ACCESS_KEY_ID, or "
                    f"stagecore remote modify --local {name} access_key_id|secret_access_key|profile ...",
                )
            message = err.get("Message") or str(exc)
            return RemoteError(f"S3 error on remote '{name}' ({code or status}): {message}")
        if isinstance(exc, self._exc.NoCredentialsError | self._exc.PartialCredentialsError):
            return RemoteError(
                f"no usable AWS credentials for remote '{name}': {exc}",
                hint=f"set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                f"stagecore remote modify --local {name} profile <profile>",
            )
        if isinstance(exc, self._exc.SSLError):
            return RemoteError(
                f"TLS error talking to {self._where()} for remote '{name}': {exc}",
                hint=f"check the certificate, or stagecore remote modify {name} ssl_verify <ca-bundle>",
            )
        if isinstance(exc, self._exc.EndpointConnectionError | self._exc.ConnectionError):
            target = self.endpoint or "the S3 endpoint"
            return RemoteError(
                f"cannot reach {target} for remote '{name}'",
                hint=f"check the network and the endpoint: stagecore remote modify {name} endpointurl <url>",
            )
        return RemoteError(f"S3 error on remote '{name}': {exc}")

    def _guard(self, func, key: str | None = None):
        try:
            return func()
        except (self._exc.BotoCoreError, self._exc.ClientError) as exc:
            raise self._error(exc, key) from None

    def _check_bucket(self) -> None:
        if self._bucket_checked:
            return
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except self._exc.ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                exc.response.setdefault("Error", {})["Code"] = "NoSuchBucket"
            raise self._error(exc) from None
        except self._exc.BotoCoreError as exc:
            raise self._error(exc) from None
        with self._lock:
            self._bucket_checked = True

    def _list_prefix(self, full_prefix: str) -> Iterator[str]:
        return (item["Key"] for item in self._list_items(full_prefix))

    def _list_items(self, full_prefix: str, limit: int | None = None) -> Iterator[dict]:
        paginator = self.client.get_paginator("list_objects_v2")
        extra = {"PaginationConfig": {"MaxItems": limit}} if limit else {}
        pages = paginator.paginate(Bucket=self.bucket, Prefix=full_prefix, **extra)
        try:
            for page in pages:
                yield from page.get("Contents", ())
        except (self._exc.BotoCoreError, self._exc.ClientError) as exc:
            raise self._error(exc) from None

    def _root(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    # -- the interface -----------------------------------------------------------------------------
    def exists_many(self, keys: list[str]) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return set()
        groups = group_by_parent(wanted)
        if prefer_listing(wanted, groups):

            def listed(parent: str) -> set[str]:
                full = self._full(parent) + "/" if parent else self._root()
                root = self._root()
                return {k[len(root) :] for k in self._list_prefix(full)}

            found: set[str] = set()
            with ThreadPoolExecutor(max_workers=min(self.jobs, len(groups))) as pool:
                for names in pool.map(listed, list(groups)):
                    found |= names
            return found & set(wanted)

        self._check_bucket()

        def head(key: str) -> bool:
            try:
                self.client.head_object(Bucket=self.bucket, Key=self._full(key))
                return True
            except self._exc.ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    return False
                raise self._error(exc) from None
            except self._exc.BotoCoreError as exc:
                raise self._error(exc) from None

        with ThreadPoolExecutor(max_workers=min(self.jobs, len(wanted))) as pool:
            return {key for key, ok in zip(wanted, pool.map(head, wanted), strict=True) if ok}

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        root = self._root()
        for full in self._list_prefix(root + prefix):
            yield full[len(root) :]

    def upload(self, local_path: str, key: str) -> None:
        full = self._full(key)
        with open(local_path, "rb") as fobj:  # local-side failures stay the caller's OSError
            size = os.fstat(fobj.fileno()).st_size
            if size < MULTIPART_THRESHOLD:
                self._guard(lambda: self.client.put_object(Bucket=self.bucket, Key=full, Body=fobj))
                return
            from boto3.s3.transfer import TransferConfig

            config = TransferConfig(
                multipart_threshold=MULTIPART_THRESHOLD,
                multipart_chunksize=MULTIPART_THRESHOLD,
                use_threads=False,
            )
            self._guard(lambda: self.client.upload_fileobj(fobj, self.bucket, full, Config=config))

    def download(self, key: str, local_path: str) -> None:
        full = self._full(key)

        def attempt() -> None:
            response = self._guard(lambda: self.client.get_object(Bucket=self.bucket, Key=full), key)
            body = response["Body"]
            try:
                with open(local_path, "wb") as fdst:
                    for chunk in body.iter_chunks(_CHUNK):
                        fdst.write(chunk)
            except BaseException:
                unlink_quiet(local_path)
                raise
            finally:
                body.close()

        def transient(exc: BaseException) -> bool:
            return isinstance(
                exc,
                self._exc.ReadTimeoutError
                | self._exc.IncompleteReadError
                | self._exc.ResponseStreamingError
                | ConnectionError,
            )

        try:
            retry(attempt, transient)
        except self._exc.BotoCoreError as exc:
            raise self._error(exc, key) from None

    # -- one source of import-url: info, listing and content as s3fs gives them to DVC ------------
    def info(self, key: str) -> dict | None:
        full = self._full(key)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=full)
            return {"type": "file", "size": head.get("ContentLength"), "etag": _etag(head)}
        except self._exc.ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
                raise self._error(exc) from None
        except self._exc.BotoCoreError as exc:
            raise self._error(exc) from None
        for _item in self._list_items(full + "/", limit=1):  # a "directory": keys under `key/`
            return {"type": "directory", "size": None, "etag": None}
        return None

    def walk_files(self, key: str) -> Iterator[tuple[str, int | None, str | None]]:
        prefix = self._full(key) + "/"
        for item in self._list_items(prefix):
            rel = item["Key"][len(prefix) :]
            if rel and not rel.endswith("/"):  # `dir/` placeholder objects are no files (as DVC)
                yield rel, item.get("Size"), _etag(item)

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        full = self._full(key)
        body = self._guard(lambda: self.client.get_object(Bucket=self.bucket, Key=full), key)["Body"]
        try:
            yield from body.iter_chunks(_CHUNK)
        except self._exc.BotoCoreError as exc:
            raise self._error(exc, key) from None
        finally:
            body.close()

    def delete(self, key: str) -> None:
        full = self._full(key)
        self._guard(lambda: self.client.delete_object(Bucket=self.bucket, Key=full))

    def delete_many(self, keys: Iterable[str]) -> None:
        fulls = [self._full(key) for key in keys]
        for start in range(0, len(fulls), 1000):
            batch = [{"Key": key} for key in fulls[start : start + 1000]]
            response = self._guard(
                lambda batch=batch: self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            )
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise RemoteError(
                    f"{len(errors)} objects could not be deleted from remote '{self.name}': "
                    f"{first.get('Key')}: {first.get('Code')} {first.get('Message', '')}".rstrip()
                )

    def close(self) -> None:
        self.client.close()


def _etag(item: dict) -> str | None:
    """S3's ETag without its quotes, as DVC records it (`abc…` or `abc…-N` for multipart)."""
    return str(item.get("ETag") or "").strip('"') or None
