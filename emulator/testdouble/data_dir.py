"""``--data-dir DIR``: what the emulator holds, kept across restarts and crashes
(docs/data-dir.md).

One SQLite database (the standard library's; WAL, ``synchronous=FULL``: a commit is on disk
before it returns) holds the rows; a large value (a file's bytes, a response's image) is a
file under ``blobs/``, named by its hash and written atomically (a temporary file, flushed
and synced, renamed, the folder synced) before the row that names it is committed. Every
write is done before the answer that acknowledges it is sent. A lock file (``flock``) keeps
a second emulator off the same folder; the schema's version is recorded, an older one is
migrated and a newer one refused.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
DATABASE = "state.sqlite3"
LOCK = "lock"
BLOBS = "blobs"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS namespaces (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS files (
    namespace TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, filename TEXT NOT NULL,
    purpose TEXT NOT NULL, content_type TEXT, created_at INTEGER NOT NULL, blob TEXT NOT NULL,
    PRIMARY KEY (namespace, id));
CREATE TABLE IF NOT EXISTS responses (
    namespace TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    input_items TEXT NOT NULL, images TEXT NOT NULL, PRIMARY KEY (namespace, id));
CREATE TABLE IF NOT EXISTS batches (
    namespace TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, object TEXT NOT NULL,
    delay REAL NOT NULL, day TEXT, PRIMARY KEY (namespace, id));
CREATE TABLE IF NOT EXISTS batch_answers (
    namespace TEXT NOT NULL, batch_id TEXT NOT NULL, line INTEGER NOT NULL,
    answer TEXT NOT NULL, PRIMARY KEY (namespace, batch_id, line));
CREATE TABLE IF NOT EXISTS clocks (
    namespace TEXT PRIMARY KEY, frozen_at REAL, offset REAL NOT NULL);
"""
# Migrations from each older version to the next: (version it brings the folder to, SQL).
MIGRATIONS: tuple[tuple[int, str], ...] = ()


class DataDirError(RuntimeError):
    """The folder cannot be used: another emulator holds it, or its version is unknown."""


def atomic_write(path: Path, data: bytes) -> None:
    """The file whole or not at all, on disk when this returns."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class DataDir:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / BLOBS).mkdir(exist_ok=True)
        self._lock_file = open(self.folder / LOCK, "a+")  # noqa: SIM115 (held while open)
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise DataDirError(
                f"{self.folder} is in use by another emulator (its lock file is held); "
                "give each emulator its own --data-dir"
            ) from None
        self._lock_file.truncate(0)
        self._lock_file.write(f"{os.getpid()}\n")
        self._lock_file.flush()
        self._db = sqlite3.connect(
            self.folder / DATABASE, check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._write_lock = threading.RLock()
        self._seq = 0
        try:
            self._check_version()
        except DataDirError:
            self.close()
            raise

    def _check_version(self) -> None:
        with self._write_lock:
            self._db.executescript(_TABLES)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self._set_version(SCHEMA_VERSION)
                return
            found = int(row[0])
            if found > SCHEMA_VERSION:
                raise DataDirError(
                    f"{self.folder} was written by a newer emulator (schema version {found}; "
                    f"this one reads up to {SCHEMA_VERSION}): upgrade, or use another folder"
                )
            for version, script in MIGRATIONS:
                if found < version:
                    self._db.executescript(script)
                    self._set_version(version)
                    found = version
            seq = self._db.execute(
                "SELECT max(m) FROM (SELECT max(seq) m FROM files UNION ALL "
                "SELECT max(seq) FROM responses UNION ALL SELECT max(seq) FROM batches)"
            ).fetchone()[0]
            self._seq = int(seq or 0)

    def _set_version(self, version: int) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(version),)
        )

    def close(self) -> None:
        with self._write_lock:
            self._db.close()
        fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        self._lock_file.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    # --- blobs ---------------------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        name = hashlib.sha256(data).hexdigest()
        path = self.folder / BLOBS / name
        if not path.exists():
            atomic_write(path, data)
        return name

    def blob(self, name: str) -> bytes:
        return (self.folder / BLOBS / name).read_bytes()

    def drop_unused_blobs(self) -> int:
        """Blobs no row names any more (a crash between a delete and its sweep leaves some)."""
        with self._write_lock:
            named = {r[0] for r in self._db.execute("SELECT blob FROM files")}
            for (images,) in self._db.execute("SELECT images FROM responses"):
                named.update(json.loads(images).values())
        dropped = 0
        for path in (self.folder / BLOBS).iterdir():
            if path.name not in named and not path.name.startswith("."):
                path.unlink(missing_ok=True)
                dropped += 1
        return dropped

    def disk_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())

    # --- rows ----------------------------------------------------------------------------

    def add_namespace(self, name: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO namespaces VALUES (?)", (name,))

    def namespaces(self) -> list[str]:
        with self._write_lock:
            return [r[0] for r in self._db.execute("SELECT name FROM namespaces ORDER BY name")]

    def put_file(self, namespace: str, file: Any) -> None:
        blob = self.put_blob(file.data)
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (namespace, file.id, self._next(), file.filename, file.purpose,
                 file.content_type, file.created_at, blob),
            )  # fmt: skip

    def files(self, namespace: str) -> list[dict[str, Any]]:
        with self._write_lock:
            rows = self._db.execute(
                "SELECT id, filename, purpose, content_type, created_at, blob FROM files "
                "WHERE namespace=? ORDER BY seq", (namespace,),
            ).fetchall()  # fmt: skip
        names = ("id", "filename", "purpose", "content_type", "created_at", "blob")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def put_response(self, namespace: str, stored: Any) -> None:
        images = {call_id: self.put_blob(data) for call_id, data in stored.images.items()}
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                (namespace, stored.id, self._next(), stored.data.decode(),
                 json.dumps(stored.input_items), json.dumps(images)),
            )  # fmt: skip

    def responses(self, namespace: str) -> list[tuple[str, str, str, dict[str, str]]]:
        with self._write_lock:
            rows = self._db.execute(
                "SELECT id, body, input_items, images FROM responses WHERE namespace=? "
                "ORDER BY seq", (namespace,),
            ).fetchall()  # fmt: skip
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def remove(self, table: str, namespace: str, key: str) -> None:
        assert table in ("files", "responses")
        with self._transaction() as db:
            db.execute(f"DELETE FROM {table} WHERE namespace=? AND id=?", (namespace, key))

    def put_batch(self, namespace: str, batch: Any, day: str | None) -> None:
        with self._transaction() as db:
            seq = db.execute(
                "SELECT seq FROM batches WHERE namespace=? AND id=?", (namespace, batch.id)
            ).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?, ?, ?)",
                (namespace, batch.id, seq[0] if seq else self._next(), json.dumps(batch.object),
                 batch.delay, day),
            )  # fmt: skip

    def put_batch_answer(
        self, namespace: str, batch_id: str, batch_object: str, line: int, answer: str
    ) -> None:
        """A line's answer and the batch's counts (both JSON text, made by the caller while
        they hold still), in one commit: after a restart the line is answered or not, never
        twice."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO batch_answers VALUES (?, ?, ?, ?)",
                (namespace, batch_id, line, answer),
            )
            db.execute(
                "UPDATE batches SET object=? WHERE namespace=? AND id=?",
                (batch_object, namespace, batch_id),
            )

    def batches(self, namespace: str) -> list[tuple[dict[str, Any], float, str | None]]:
        with self._write_lock:
            rows = self._db.execute(
                "SELECT object, delay, day FROM batches WHERE namespace=? ORDER BY seq",
                (namespace,),
            ).fetchall()
        return [(json.loads(r[0]), r[1], r[2]) for r in rows]

    def batch_answers(self, namespace: str, batch_id: str) -> dict[int, dict[str, Any]]:
        with self._write_lock:
            rows = self._db.execute(
                "SELECT line, answer FROM batch_answers WHERE namespace=? AND batch_id=?",
                (namespace, batch_id),
            ).fetchall()
        return {int(r[0]): json.loads(r[1]) for r in rows}

    def put_clock(self, namespace: str, frozen_at: float | None, offset: float) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO clocks VALUES (?, ?, ?)", (namespace, frozen_at, offset)
            )

    def clock(self, namespace: str) -> tuple[float | None, float] | None:
        with self._write_lock:
            row = self._db.execute(
                "SELECT frozen_at, offset FROM clocks WHERE namespace=?", (namespace,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def clear_namespace(self, namespace: str, every: bool = False) -> None:
        """A reset: the namespace's rows go (``every``: all namespaces', the default one's
        reset); unused blobs are swept after."""
        with self._transaction() as db:
            for table in ("files", "responses", "batches", "batch_answers", "clocks"):
                if every:
                    db.execute(f"DELETE FROM {table}")
                else:
                    db.execute(f"DELETE FROM {table} WHERE namespace=?", (namespace,))
            if every:
                db.execute("DELETE FROM namespaces")
        self.drop_unused_blobs()
