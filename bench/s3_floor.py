"""The S3 floor: plain boto3 `put_object` of the given files with N threads, nothing else.

    python bench/s3_floor.py ENDPOINT BUCKET PREFIX JOBS LISTFILE

Run as its own process by s3.py (the moto server lives in the benchmark's process, so a
client there would share its GIL), and timed whole, interpreter start and boto3 import
included, like a CLI push.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config


def main() -> int:
    endpoint, bucket, prefix, jobs_arg, listfile = sys.argv[1:]
    jobs = int(jobs_arg)
    with open(listfile) as fobj:
        paths = fobj.read().split("\n")
    config = botocore.config.Config(max_pool_connections=max(10, jobs + 2))
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config)

    def put(item: tuple[int, str]) -> None:
        index, path = item
        with open(path, "rb") as fobj:
            client.put_object(Bucket=bucket, Key=f"{prefix}/files/md5/{index:05d}", Body=fobj.read())

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(put, enumerate(paths)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
