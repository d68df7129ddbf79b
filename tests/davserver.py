"""A private Radicale CardDAV/CalDAV server for the sync tests, run as a subprocess.

Storage in a temporary folder, one user in a plain htpasswd file, listening on 127.0.0.1 at a
free port. Radicale comes from PyPI (the ``dev`` extra).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

USER = "ada"
PASSWORD = "dav secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Radicale:
    """One private Radicale; :meth:`request` talks to it as the user (for setting up data)."""

    def __init__(self) -> None:
        try:
            import httpx
            import radicale  # noqa: F401
        except ImportError:
            if os.environ.get("CI"):
                pytest.fail("the DAV sync tests need radicale and httpx (the dev extra)")
            pytest.skip("radicale or httpx is not installed (pip install -e '.[dev]')")
        self.root = Path(tempfile.mkdtemp(prefix="weakties-radicale-"))
        self.port = _free_port()
        (self.root / "users").write_text(f"{USER}:{PASSWORD}\n")
        (self.root / "config").write_text(
            f"""[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {self.root}/users
htpasswd_encryption = plain
delay = 0
[storage]
filesystem_folder = {self.root}/collections
[logging]
level = warning
"""
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(self.root / "config")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.http = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}", auth=(USER, PASSWORD), timeout=10
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"radicale did not start: {err[-2000:]}")
            try:
                self.http.request("PROPFIND", f"/{USER}/", headers={"Depth": "0"})
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("radicale did not answer in 20 s")

    def url(self, scheme: str, path: str = "") -> str:
        return f"{scheme}://{USER}@127.0.0.1:{self.port}{path}"

    def make_addressbook(self, name: str) -> None:
        body = (
            '<?xml version="1.0"?><mkcol xmlns="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:carddav"><set><prop><resourcetype>'
            f"<collection/><C:addressbook/></resourcetype><displayname>{name}</displayname>"
            "</prop></set></mkcol>"
        )
        response = self.http.request("MKCOL", f"/{USER}/{name}/", content=body)
        assert response.status_code == 201, response.text

    def make_calendar(self, name: str) -> None:
        response = self.http.request("MKCALENDAR", f"/{USER}/{name}/")
        assert response.status_code == 201, response.text

    def put(self, path: str, body: str, content_type: str) -> None:
        response = self.http.put(
            path, content=body.encode(), headers={"Content-Type": content_type}
        )
        assert response.status_code in (201, 204), response.text

    def delete(self, path: str) -> None:
        response = self.http.delete(path)
        assert response.status_code in (200, 204), response.text

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)


def card(uid: str, name: str, email: str, org: str | None = None) -> str:
    family, given = name.split()[-1], name.split()[0]
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"UID:{uid}",
        f"FN:{name}",
        f"N:{family};{given};;;",
        f"EMAIL;TYPE=INTERNET:{email}",
    ]
    if org:
        lines.append(f"ORG:{org}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def event(uid: str, day: int, attendees: list[str], organizer: str = "ada@example.com") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//example//weakties tests//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:202503{day:02d}T090000Z",
        f"DTSTART:202503{day:02d}T100000Z",
        f"DTEND:202503{day:02d}T110000Z",
        "SUMMARY:private meeting title",
        f"ORGANIZER:mailto:{organizer}",
    ]
    lines += [f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}" for a in attendees]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"
