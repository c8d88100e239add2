"""Real servers on loopback for the remote tests: moto's S3 API server and OpenSSH's sshd.

Used by the session fixtures `s3_server` and `sshd_server` in `tests/conftest.py`.
"""

from __future__ import annotations

import getpass
import logging
import os
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass

SSHD = "/usr/sbin/sshd"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s") from None
            time.sleep(0.05)


@dataclass
class S3Server:
    """A running moto S3 server; every test should use its own bucket (`make_bucket`)."""

    endpoint_url: str
    _server: object

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name=AWS_ENV["AWS_DEFAULT_REGION"],
        )

    def make_bucket(self, prefix: str = "test") -> str:
        """Create a fresh bucket with a unique name and return the name."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        self._server.stop()  # type: ignore[attr-defined]


def start_s3_server() -> S3Server:
    from moto.server import ThreadedMotoServer

    for name in ("werkzeug", "moto"):
        logging.getLogger(name).setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return S3Server(endpoint_url=f"http://{host}:{port}", _server=server)


@dataclass
class SshServer:
    """A running sshd that accepts `user` with the private key at `key_path`."""

    host: str
    port: int
    user: str
    key_path: str
    root: str  # a writable directory for remotes
    _proc: subprocess.Popen
    _log: str

    def url(self, path: str) -> str:
        """`ssh://user@host:port/<abs path>` for a remote at `path` (absolute or under root)."""
        full = path if os.path.isabs(path) else os.path.join(self.root, path)
        return f"ssh://{self.user}@{self.host}:{self.port}{full}"

    def remote_conf(self, path: str) -> dict[str, str]:
        """A DVC remote section for a remote at `path`."""
        return {"url": self.url(path), "keyfile": self.key_path}

    def log(self) -> str:
        with open(self._log, encoding="utf-8", errors="replace") as fobj:
            return fobj.read()

    def stop(self) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def sshd_available() -> bool:
    return os.access(SSHD, os.X_OK) and shutil.which("ssh-keygen") is not None


def start_sshd(workdir: str) -> SshServer:
    """Start sshd on a free loopback port with fresh host and client keys under `workdir`."""
    os.makedirs(workdir, exist_ok=True)
    host_key = os.path.join(workdir, "hostkey")
    client_key = os.path.join(workdir, "clientkey")
    for key in (host_key, client_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    authorized = os.path.join(workdir, "authorized_keys")
    shutil.copyfile(client_key + ".pub", authorized)
    os.chmod(authorized, 0o600)
    port = free_port()
    config = os.path.join(workdir, "sshd_config")
    with open(config, "w", encoding="utf-8") as fobj:
        fobj.write(
            f"Port {port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {host_key}\n"
            f"PidFile {os.path.join(workdir, 'sshd.pid')}\n"
            f"AuthorizedKeysFile {authorized}\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "PermitRootLogin prohibit-password\n"
            "StrictModes no\n"
            "UsePAM no\n"
            "Subsystem sftp internal-sftp\n"
        )
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", exist_ok=True)
        os.chmod("/run/sshd", 0o755)
    root = os.path.join(workdir, "remotes")
    os.makedirs(root)
    log = os.path.join(workdir, "sshd.log")
    with open(log, "wb") as log_fobj:
        proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", config],
            stdout=log_fobj,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = SshServer("127.0.0.1", port, getpass.getuser(), client_key, root, proc, log)
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"sshd exited with {proc.returncode}:\n{server.log()}")
            try:
                wait_for_port("127.0.0.1", port, timeout=0.2)
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
    except BaseException:
        server.stop()
        raise
    return server
