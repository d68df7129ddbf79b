"""Encryption at rest with real SQLCipher: an encrypted database is made, filled and read through
the CLI, its file holds no plaintext, a wrong key is one line and changes nothing, encrypt and
decrypt give back the same database (compared as a logical dump), backups stay encrypted and
restore, and the key comes from the environment, the keyring or a prompt on a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from weakties.store import encryption
from weakties.store.database import SQLITE_MAGIC, graph_cache_folder

pytest.importorskip("sqlcipher3")

GOLDEN = Path(__file__).parents[1] / "importers" / "golden"
KEY = "correct horse 'battery' staple"


@pytest.fixture(autouse=True)
def no_key_from_outside(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test says where its key comes from: no variable, no typed key, a null keyring."""
    import keyring
    from keyring.backends import null

    monkeypatch.delenv(encryption.KEY_ENV, raising=False)
    monkeypatch.delenv(encryption.NEW_KEY_ENV, raising=False)
    before = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    encryption.forget_typed_keys()
    yield
    encryption.forget_typed_keys()
    keyring.set_keyring(before)


def raw(db: Path) -> bytes:
    """Every byte weakties keeps on disk for ``db``: the file, its WAL and journal, caches."""
    data = b""
    for path in sorted(db.parent.iterdir()):
        if path.name.startswith(db.name) and path.is_file():
            data += path.read_bytes()
        elif path.name.startswith(db.name) and path.is_dir():
            data += b"".join(p.read_bytes() for p in path.rglob("*") if p.is_file())
    return data


def dump(path: Path, key: str | None = None) -> list[str]:
    """The database as SQL statements (``iterdump``), read through SQLCipher when ``key`` is
    given: sqlcipher3's connections have no ``iterdump`` method, so the standard library's
    dump function runs on them (it only executes queries)."""
    from sqlite3.dump import _iterdump

    with closing(encryption.connect(path, key)) as conn:
        return list(conn.iterdump() if key is None else _iterdump(conn))


def secrets_of(path: Path) -> set[bytes]:
    """The names and addresses stored in a plaintext database, as they would sit in its file."""
    with closing(sqlite3.connect(path)) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM person")}
        values = {row[0] for row in conn.execute("SELECT value FROM identity")}
    return {text.encode() for text in names | values if text and len(text) >= 6}


def secrets_of_encrypted(path: Path, key: str) -> set[bytes]:
    with closing(encryption.connect(path, key)) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM person")}
        values = {row[0] for row in conn.execute("SELECT value FROM identity")}
    return {text.encode() for text in names | values if text and len(text) >= 6}


def fill(cli: Cli) -> Cli:
    cli.ok("init", "--name", "Alex Doe", "--email", "alex@example.com")
    cli.ok("import", str(GOLDEN / "email" / "gmail.mbox"))
    cli.ok("add", "person", "Nora Khan", "--email", "nora@example.org")
    return cli


def one_error_line(result: Any) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return str(lines[0])


def test_an_encrypted_database_is_made_filled_and_read_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = fill(Cli(tmp_path / "plain.db"))  # the same data, unencrypted, for comparison
    secrets = secrets_of(plain.db)
    assert b"Nora Khan" in secrets and b"nora@example.org" in secrets
    assert all(s in raw(plain.db) for s in secrets)  # the check below can see them

    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    cli = Cli(tmp_path / "secret.db")
    made = cli.ok("encrypt")
    assert "created an encrypted database" in made.output
    fill(cli)
    listed = cli.ok("people", "--json")
    assert "Nora Khan" in {p["name"] for p in json.loads(listed.output)}

    data = raw(cli.db)
    assert cli.db.read_bytes()[:16] != SQLITE_MAGIC
    assert b"SQLite format 3" not in data
    leaked = sorted(s for s in secrets if s in data)
    assert not leaked, f"plaintext in the encrypted file: {leaked}"
    assert secrets_of_encrypted(cli.db, KEY) == secrets  # all there, behind the key


def test_a_wrong_or_missing_key_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    cli = Cli(tmp_path / "secret.db")
    cli.ok("encrypt")
    fill(cli)
    cli.ok("people")  # leaves the WAL checkpointed and closed
    before = raw(cli.db)

    monkeypatch.setenv(encryption.KEY_ENV, "not the key")
    for args in (("people",), ("add", "person", "Eve Intruder"), ("decrypt",)):
        line = one_error_line(cli(*args))
        assert f"cannot open {cli.db}: wrong key or not a weakties database" in line
    refused = cli("backup", str(tmp_path / "copy.db"))
    assert "wrong key" in one_error_line(refused)
    assert not (tmp_path / "copy.db").exists()

    monkeypatch.delenv(encryption.KEY_ENV)  # no key at all, and no terminal to ask on
    line = one_error_line(cli("people"))
    assert "is encrypted and no key was given" in line and encryption.KEY_ENV in line
    assert raw(cli.db) == before


def test_encrypt_then_decrypt_gives_back_the_same_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = fill(Cli(tmp_path / "w.db"))
    original = dump(cli.db)
    graph = graph_cache_folder(f"sqlite:///{cli.db}")
    graph.mkdir()  # a plaintext graph cache from before
    (graph / "header.json").write_text("{}")

    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    kept = tmp_path / "plain-copy.db"
    done = cli.ok("encrypt", "--keep-plain", str(kept), "--json")
    assert json.loads(done.output)["plain_copy"] == str(kept)
    assert cli.db.read_bytes()[:16] != SQLITE_MAGIC
    assert not graph.exists()
    assert dump(kept) == original
    assert dump(cli.db, KEY) == original
    with pytest.raises(sqlite3.DatabaseError):
        dump(cli.db)  # plain SQLite cannot read it
    again = cli("encrypt")
    assert "already encrypted" in one_error_line(again)

    cli.ok("add", "person", "Omar Field")  # works encrypted
    with_omar = dump(cli.db, KEY)
    cli.ok("decrypt")
    assert cli.db.read_bytes()[:16] == SQLITE_MAGIC
    assert dump(cli.db) == with_omar
    assert any("Omar Field" in row for row in with_omar)
    assert "is not encrypted" in one_error_line(cli("decrypt"))


def test_a_new_key_replaces_the_old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    cli = Cli(tmp_path / "w.db")
    cli.ok("encrypt")
    fill(cli)
    before = dump(cli.db, KEY)
    monkeypatch.setenv(encryption.NEW_KEY_ENV, "a new key")
    cli.ok("encrypt", "--change-key")
    with pytest.raises(encryption.WrongKey):
        dump(cli.db, KEY)
    assert dump(cli.db, "a new key") == before
    assert "wrong key" in one_error_line(cli("people"))  # the variable still holds the old key


def test_backups_of_an_encrypted_database_stay_encrypted_and_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    cli = Cli(tmp_path / "w.db")
    cli.ok("encrypt")
    fill(cli)
    original = dump(cli.db, KEY)
    backup = tmp_path / "w.backup"
    made = cli.ok("backup", str(backup), "--json")
    assert json.loads(made.output)["encrypted"] is True
    assert backup.read_bytes()[:16] != SQLITE_MAGIC
    assert b"Nora Khan" not in backup.read_bytes()
    assert dump(backup, KEY) == original

    fresh = Cli(tmp_path / "fresh.db")  # a new database takes the backup's encryption
    fresh.ok("restore", str(backup))
    assert fresh.db.read_bytes()[:16] != SQLITE_MAGIC
    assert dump(fresh.db, KEY) == original

    plain = Cli(tmp_path / "plain.db")  # a plaintext database keeps being plaintext
    monkeypatch.delenv(encryption.KEY_ENV)
    plain.ok("init", "--name", "Sam Roe")
    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    plain.ok("restore", str(backup), "--force")
    assert dump(plain.db) == original

    plain_backup = tmp_path / "plain.backup"  # and an encrypted one stays encrypted
    plain.ok("backup", str(plain_backup))
    cli.ok("add", "person", "Later Addition")
    cli.ok("restore", str(plain_backup), "--force")
    assert cli.db.read_bytes()[:16] != SQLITE_MAGIC
    assert dump(cli.db, KEY) == original

    monkeypatch.setenv(encryption.KEY_ENV, "not the key")
    before = raw(fresh.db)
    refused = fresh("restore", str(backup), "--force")
    assert "wrong key" in one_error_line(refused)
    assert raw(fresh.db) == before


def test_the_web_data_stamp_and_the_facts_memo_read_an_encrypted_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weakties.domain.ledger import Channel
    from weakties.web.cache import DataVersion
    from weakties.workspace import Workspace

    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    cli = Cli(tmp_path / "w.db")
    cli.ok("encrypt")
    cli.ok("init", "--name", "Alex Doe")
    stamp = DataVersion(f"sqlite:///{cli.db}")
    try:
        first = stamp()
        assert isinstance(first, tuple) and stamp() == first  # a real stamp, steady
        with Workspace.open(str(cli.db)) as ws:
            ws.add_person("Ann Able")
            ws.log(["Ann Able"], channel=Channel.EMAIL, when="2024-02-01")
            assert {t.name for t in ws.ties()} == {"Ann Able"}
            cli.ok("add", "person", "Ben Bold")  # another connection writes
            cli.ok("log", "Ben Bold", "--when", "2024-03-01")
            assert {t.name for t in ws.ties()} == {"Ann Able", "Ben Bold"}
            assert ws.encrypted  # told by the engine's driver, without opening the file
            ws.tie_graph()
        second = stamp()
        assert isinstance(second, tuple) and second != first
    finally:
        stamp.close()
    # the graph of an encrypted database is not cached beside it in plain files
    assert not graph_cache_folder(f"sqlite:///{cli.db}").exists()
    monkeypatch.delenv(encryption.KEY_ENV)
    plain = Cli(tmp_path / "plain.db")
    plain.ok("init", "--name", "Alex Doe")
    with Workspace.open(str(plain.db)) as ws:
        assert not ws.encrypted
        ws.tie_graph()
    assert graph_cache_folder(f"sqlite:///{plain.db}").exists()


def test_an_encrypted_database_takes_no_community_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    cli = Cli(tmp_path / "c.db")
    cli.ok("encrypt")
    cli.ok("community", "init", "Example Alumni")
    line = one_error_line(cli("member", "add", "alice", "--name", "Alice Example"))
    assert "encrypted database cannot take community members" in line
    assert not list((tmp_path / "c.db.members").glob("*.db"))


# ------------------------------------------------------------------ keyring
class FileKeyring:
    """A keyring backend keeping its entries in a JSON file: the keyring package's own
    interface, so weakties talks to it exactly as to the OS keyring."""

    def __init__(self, path: Path) -> None:
        from keyring.backend import KeyringBackend

        class Backend(KeyringBackend):
            priority = 1

            def _load(self) -> dict[str, str]:
                return json.loads(path.read_text()) if path.exists() else {}

            def get_password(self, service: str, username: str) -> str | None:
                return self._load().get(f"{service}\0{username}")

            def set_password(self, service: str, username: str, password: str) -> None:
                entries = self._load()
                entries[f"{service}\0{username}"] = password
                path.write_text(json.dumps(entries))

            def delete_password(self, service: str, username: str) -> None:
                from keyring.errors import PasswordDeleteError

                entries = self._load()
                if entries.pop(f"{service}\0{username}", None) is None:
                    raise PasswordDeleteError("no such entry")
                path.write_text(json.dumps(entries))

        self.backend = Backend()
        self.path = path

    def entries(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}


def test_the_key_can_live_in_the_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    store = FileKeyring(tmp_path / "keyring" / "entries.json")
    store.path.parent.mkdir()
    keyring.set_keyring(store.backend)
    cli = Cli(tmp_path / "data" / "w.db")
    cli.db.parent.mkdir()
    monkeypatch.setenv(encryption.KEY_ENV, KEY)
    cli.ok("encrypt", "--remember")
    assert store.entries() == {f"weakties\0{cli.db.resolve()}": KEY}

    monkeypatch.delenv(encryption.KEY_ENV)  # from now on only the keyring knows it
    fill(cli)
    assert "Nora Khan" in cli.ok("people").output
    assert KEY.encode() not in raw(cli.db)
    backup = tmp_path / "data" / "w.backup"
    cli.ok("backup", str(backup))
    restored = Cli(tmp_path / "data" / "w.db")  # restore finds the key of the target database
    restored.ok("restore", str(backup), "--force")

    cli.ok("decrypt")
    assert store.entries() == {}
    assert cli.db.read_bytes()[:16] == SQLITE_MAGIC
    assert "Nora Khan" in cli.ok("people").output

    monkeypatch.setenv(encryption.KEY_ENV, "second key")  # --remember on an encrypted database
    cli.ok("encrypt")
    monkeypatch.delenv(encryption.KEY_ENV)
    assert "no key was given" in one_error_line(cli("people"))
    monkeypatch.setenv(encryption.KEY_ENV, "second key")
    cli.ok("encrypt", "--remember")
    monkeypatch.delenv(encryption.KEY_ENV)
    assert "Nora Khan" in cli.ok("people").output


# -------------------------------------------------------------------- prompt
def on_terminal(args: list[str], answers: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``python -m weakties ARGS`` on a pseudo-terminal, typing each answer when a prompt
    for a key appears; returns the exit status and everything shown on the terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty, as for a user
        os.execve(sys.executable, [sys.executable, "-m", "weakties", *args], env)
    shown = b""
    pending = list(answers)
    answered = 0
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                raise AssertionError(f"no output for 30 s: {shown!r}")
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            # a new prompt since the last answer (the newline after an answer is not one)
            if pending and shown[answered:].endswith(b": "):
                os.write(fd, pending.pop(0).encode() + b"\n")
                answered = len(shown)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_the_key_is_asked_for_on_a_terminal_and_never_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.db"
    env = {k: v for k, v in os.environ.items() if k not in (encryption.KEY_ENV, "WEAKTIES_DB")} | {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "COLUMNS": "200",
    }
    code, shown = on_terminal(["--db", str(db), "encrypt"], ["typed key", "other key"], env)
    assert code == 1 and "the two keys differ" in shown and not db.exists()
    code, shown = on_terminal(["--db", str(db), "encrypt"], ["typed key", "typed key"], env)
    assert code == 0, shown
    assert "created an encrypted database" in shown and "typed key" not in shown

    monkeypatch.setenv(encryption.KEY_ENV, "typed key")
    fill(Cli(db))
    code, shown = on_terminal(["--db", str(db), "people"], ["typed key"], env)
    assert code == 0, shown
    assert "key for the encrypted database" in shown and "Nora Khan" in shown
    assert "typed key" not in shown
    code, shown = on_terminal(["--db", str(db), "people"], ["a wrong guess"], env)
    assert code == 1 and "wrong key or not a weakties database" in shown
    assert "Traceback" not in shown and "Nora Khan" not in shown
