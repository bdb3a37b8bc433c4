"""A throw-away PostgreSQL server for the database tests, started and stopped by the tests themselves.

``initdb`` makes a cluster in a temporary folder, ``pg_ctl`` starts it on a free port of 127.0.0.1
with its Unix socket in that folder, and it is stopped and removed at the end of the session.
PostgreSQL refuses to run as root, so under root (as in CI containers) the server runs as the
unprivileged user ``nobody``. The server binaries are found on PATH, in ``GRIDIMPACT_PG_BIN``, or
in Debian's /usr/lib/postgresql/<version>/bin.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "gridimpact_test"
PASSWORD = "s3cret-Pa55word"
"""Host connections need this password (scram-sha-256), so that the tests can check that no message
ever shows it."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    base: Path

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@{self.host}:{self.port}/{database}"


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    candidates = [os.environ.get("GRIDIMPACT_PG_BIN", "")]
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).parent))
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                    if Path(p).parent.name.isdigit() else 0)
    candidates += reversed(debian)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _runner():
    """(subprocess keyword arguments, uid, gid) to run the server as an unprivileged user."""
    if os.geteuid() != 0:
        return {}, None, None
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid}, nobody.pw_uid, nobody.pw_gid


def start(binaries: Path) -> Server:
    base = Path(tempfile.mkdtemp(prefix="gridimpact-pg-"))
    run_as, uid, gid = _runner()
    if uid is not None:
        os.chown(base, uid, gid)
    data, sockets, log = base / "data", base / "sockets", base / "server.log"
    password_file = base / "password"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    sockets.mkdir()
    if uid is not None:
        for path in (password_file, sockets):
            os.chown(path, uid, gid)
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "HOME": str(base)}
    options = {"check": True, "capture_output": True, "env": env, "cwd": base, **run_as}
    subprocess.run([str(binaries / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={password_file}",
                    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"],
                   **options)
    port = _free_port()
    server_options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", server_options,
                    "-w", "-t", "60", "start"], **options)
    return Server("127.0.0.1", port, base)


def stop(binaries: Path, server: Server) -> None:
    run_as, _, _ = _runner()
    subprocess.run([str(binaries / "pg_ctl"), "-D", str(server.base / "data"), "-m", "fast", "-w", "stop"],
                   capture_output=True, env={"PATH": os.environ.get("PATH", "")}, cwd=server.base, **run_as)
    shutil.rmtree(server.base, ignore_errors=True)
