"""A pool of SFTP sessions over as few SSH connections as sshd's MaxSessions allows (paramiko).

paramiko's SFTP client is not thread-safe, so each worker borrows a session (one SFTP
channel) for one operation and gives it back. A session whose connection died is dropped
and replaced on the next borrow. Host keys: a key in ~/.ssh/known_hosts must match; an
unknown host is accepted without being recorded (as DVC does).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from stagecore.errors import RemoteError
from stagecore.remotes.extras import install_hint


def import_paramiko():
    try:
        import paramiko
    except ImportError:
        raise RemoteError(
            "SSH remotes need paramiko, which is not installed", hint=install_hint("ssh")
        ) from None
    return paramiko


@dataclass
class Login:
    remote: str  # the remote's name, for messages
    host: str
    port: int
    user: str
    keyfile: str | None
    password: str | None
    passphrase: str | None
    allow_agent: bool
    timeout: float

    def where(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


class _Session:
    """One SFTP channel on a shared SSH connection."""

    def __init__(self, conn: _Connection, sftp) -> None:
        self.conn = conn
        self.sftp = sftp

    def alive(self) -> bool:
        return self.conn.transport.is_active() and not self.sftp.sock.closed


class _Connection:
    def __init__(self, client) -> None:
        self.client = client
        self.transport = client.get_transport()
        self.channels = 0


class SftpPool:
    def __init__(self, login: Login, max_sessions: int) -> None:
        self.login = login
        self.max_sessions = max_sessions
        self._paramiko = import_paramiko()
        self._lock = threading.Lock()
        self._idle: list[_Session] = []
        self.connections: list[_Connection] = []
        self._closed = False

    def _connect(self) -> _Connection:
        paramiko, login = self._paramiko, self.login
        client = paramiko.SSHClient()
        with contextlib.suppress(OSError):
            client.load_system_host_keys()
        client.set_missing_host_key_policy(paramiko.MissingHostKeyPolicy())  # accept, do not record
        try:
            client.connect(
                login.host,
                port=login.port,
                username=login.user,
                password=login.password,
                passphrase=login.passphrase,
                key_filename=login.keyfile,
                look_for_keys=login.keyfile is None and login.password is None,
                allow_agent=login.allow_agent,
                timeout=login.timeout,
                banner_timeout=login.timeout,
                auth_timeout=login.timeout,
            )
        except paramiko.BadHostKeyException:
            client.close()
            raise RemoteError(
                f"host key of {login.host} does not match ~/.ssh/known_hosts (remote '{login.remote}')",
                hint="if the server's key really changed, remove the old entry: ssh-keygen -R <host>",
            ) from None
        except paramiko.AuthenticationException as exc:
            client.close()
            raise RemoteError(
                f"authentication failed for {login.where()} (remote '{login.remote}'): {exc}",
                hint=f"set a key: stagecore remote modify --local {login.remote} keyfile <path> "
                "(or user / password)",
            ) from None
        except (OSError, paramiko.SSHException, EOFError) as exc:
            client.close()
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise RemoteError(
                f"cannot connect to {login.where()} for remote '{login.remote}': {reason}",
                hint="check the host, port and network (ssh -p PORT USER@HOST should work)",
            ) from None
        return _Connection(client)

    def _open_session(self) -> _Session:
        login = self.login
        with self._lock:
            if self._closed:
                raise RemoteError(f"remote '{login.remote}' is closed")
            self.connections = [c for c in self.connections if c.transport.is_active()]
            conn = next((c for c in self.connections if c.channels < self.max_sessions), None)
            if conn is None:
                conn = self._connect()
                self.connections.append(conn)
            conn.channels += 1
        try:
            sftp = conn.client.open_sftp()
        except (OSError, self._paramiko.SSHException, EOFError) as exc:
            with self._lock:
                conn.channels -= 1
            raise RemoteError(
                f"cannot open an SFTP session on {login.where()} (remote '{login.remote}'): {exc}",
                hint="the server must allow the sftp subsystem",
            ) from None
        return _Session(conn, sftp)

    def _drop(self, session: _Session) -> None:
        with contextlib.suppress(Exception):
            session.sftp.close()
        with self._lock:
            session.conn.channels -= 1
            if not session.conn.transport.is_active() and session.conn in self.connections:
                self.connections.remove(session.conn)

    @contextlib.contextmanager
    def session(self) -> Iterator[_Session]:
        """Borrow a live session for one operation."""
        with self._lock:
            session = self._idle.pop() if self._idle else None
        if session is not None and not session.alive():
            self._drop(session)
            session = None
        if session is None:
            session = self._open_session()
        try:
            yield session
        except BaseException:
            if not session.alive():
                self._drop(session)
            else:
                with self._lock:
                    self._idle.append(session)
            raise
        with self._lock:
            self._idle.append(session)

    def is_transient(self, exc: BaseException) -> bool:
        """A dropped connection or timeout: worth retrying on a fresh session."""
        return isinstance(exc, EOFError | ConnectionError | socket.timeout | self._paramiko.SSHException) or (
            isinstance(exc, OSError) and exc.errno is None and "closed" in str(exc).lower()
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            connections, self.connections = self.connections, []
        for session in idle:
            with contextlib.suppress(Exception):
                session.sftp.close()
        for conn in connections:
            with contextlib.suppress(Exception):
                conn.client.close()
