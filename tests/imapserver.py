"""A private Dovecot IMAP server for the sync tests: Debian's dovecot-imapd, run as a process.

Its own configuration in a temporary folder: plain-text login on 127.0.0.1 at a free port, one
user in a passwd-file, Maildir storage there, and Sent/Junk/Drafts folders with their
SPECIAL-USE flags (RFC 6154). Under root the mail belongs to Debian's ``dovecot`` user (Dovecot
refuses UID 0 for mail). Without Dovecot the tests are skipped, except in CI (``CI`` set),
where a missing server is a failure: ``.ci/run`` installs it.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

USER = "ada@example.com"
PASSWORD = "correct horse"
DOVECOT = "/usr/sbin/dovecot"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dovecot:
    """One private Dovecot; :meth:`kill` drops every connection at once, :meth:`start` again
    brings it back on the same port with the same mail."""

    def __init__(self) -> None:
        binary = shutil.which("dovecot") or (DOVECOT if os.path.exists(DOVECOT) else None)
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("the sync tests need Dovecot in CI: .ci/run installs dovecot-imapd")
            pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="weakties-dovecot-"))
        self.root.chmod(0o755)
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            mail = pwd.getpwnam("dovecot")
            internal, login = "dovecot", "dovenull"
        else:
            mail = pwd.getpwuid(os.geteuid())
            internal = login = mail.pw_name
        for sub in ("mail", "home"):
            (self.root / sub).mkdir()
            os.chown(self.root / sub, mail.pw_uid, mail.pw_gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        r = self.root
        (r / "dovecot.conf").write_text(
            f"""
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{r}/mail/%u:LAYOUT=fs
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = username_format=%u {r}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={r}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
  mailbox Junk {{
    special_use = \\Junk
    auto = create
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        )
        self.start()

    @property
    def url(self) -> str:
        return f"imap://{USER}@127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                log = (
                    (self.root / "dovecot.log").read_text()
                    if (self.root / "dovecot.log").exists()
                    else ""
                )
                raise RuntimeError(f"dovecot did not start: {err} {log[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not answer in 15 s")

    def kill(self) -> None:
        """Kill the server and all its processes: open connections drop mid-command."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # the imap and login processes are in the same session; wait until the port is free
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.05)
            except OSError:
                break
        self.process = None

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(USER, PASSWORD)
        return imap

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def message(
    number: int,
    *,
    sender: str = "bob@example.com",
    to: str = USER,
    extra: str = "",
) -> bytes:
    """A synthetic message with a body the sync must never read."""
    day = 1 + number % 28
    return (
        f"From: Person {number % 7} <{sender}>\r\n"
        f"To: {to}\r\n"
        f"Date: Mon, {day:02d} Jun 2025 10:{number % 60:02d}:00 +0000\r\n"
        f"Message-ID: <m{number}@example.com>\r\n"
        f"Subject: secret subject {number}\r\n"
        f"{extra}"
        f"\r\n"
        f"BODY-SECRET line of message {number}\r\n"
    ).encode()


def append(imap: imaplib.IMAP4, folder: str, messages: list[bytes]) -> None:
    for raw in messages:
        typ, data = imap.append(f'"{folder}"', None, None, raw)
        assert typ == "OK", data
