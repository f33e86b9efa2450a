"""Where the analysis keeps what grows with the leak: a SQLite file of its own, in a
temporary directory, for the people behind each count, each person's facts and the rows of
the large tables. Filled in batches while the people stream past, read back when a count's
people, a person or a table's rows are asked for; deleted with the analysis that made it.

It is a file of its own (not the case's database) so that the analysis stays read-only on
the case, works the same on SQLite and PostgreSQL, and its counts can be read after the
session that made them is closed (the web app keeps an analysis between requests)."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, overload

from guwah.analyse.facts import PersonFacts
from guwah.analyse.tables import Count, Value

#: what is held before every table's rows are written, in units of a small row (~100 bytes;
#: a person's pickled facts count a unit per 100 bytes): about 2 MB in all
BATCH = 20_000

_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA temp_store = FILE;
PRAGMA cache_size = -32768;
CREATE TABLE refs (bucket INTEGER NOT NULL, person INTEGER NOT NULL);
CREATE TABLE facts (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE households (household TEXT NOT NULL, person INTEGER NOT NULL);
CREATE TABLE unclassified (text TEXT NOT NULL, person INTEGER NOT NULL);
CREATE TABLE kids (kid INTEGER PRIMARY KEY, ref TEXT NOT NULL);
CREATE TABLE kid_parents (kid INTEGER NOT NULL, parent INTEGER NOT NULL);
CREATE TABLE evidence (cat TEXT NOT NULL, act TEXT NOT NULL, rule_no INTEGER NOT NULL,
                       phase INTEGER NOT NULL, seq INTEGER NOT NULL, rule TEXT NOT NULL,
                       kind TEXT NOT NULL, ref TEXT NOT NULL, person INTEGER, words TEXT NOT NULL,
                       status TEXT NOT NULL, reviewer TEXT NOT NULL);
"""


def _close(conn: sqlite3.Connection, folder: str) -> None:
    conn.close()
    shutil.rmtree(folder, ignore_errors=True)


class Spill:
    """The analysis' file: buckets (a key → a number) whose people are rows of ``refs``."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="guwah-analyse-")
        # read again from the web app's worker threads: one lock, no thread check
        self.conn = sqlite3.connect(f"{self.folder}/analysis.db", check_same_thread=False)
        self.conn.executescript(_SCHEMA)
        self.lock = threading.Lock()
        self.buckets: dict[tuple[Any, ...], int] = {}
        self.sizes: dict[int, int] = {}
        self.pending: dict[str, list[tuple[Any, ...]]] = {}
        self.held = 0  # units of BATCH pending
        self._finalizer = weakref.finalize(self, _close, self.conn, self.folder)

    def close(self) -> None:
        self._finalizer()

    # -- writing ---------------------------------------------------------------------------

    def bucket(self, key: tuple[Any, ...]) -> int:
        b = self.buckets.get(key)
        if b is None:
            b = self.buckets[key] = len(self.buckets) + 1
        return b

    def add(self, table: str, row: tuple[Any, ...], units: int = 1) -> None:
        rows = self.pending.get(table)
        if rows is None:
            rows = self.pending[table] = []
        rows.append(row)
        self.held += units
        if self.held >= BATCH:
            self.flush()

    def ref(self, key: tuple[Any, ...], person: int) -> None:
        """``person`` is behind the count ``key`` (counted once, however often it is said:
        the rows are appended as they come, the index sorts them once, reads are distinct)."""
        self.add("refs", (self.bucket(key), person))

    def flush(self) -> None:
        """Write every table's pending rows."""
        for name, rows in self.pending.items():
            if rows:
                marks = ",".join("?" * len(rows[0]))
                self.conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
                rows.clear()
        self.held = 0

    def index(self) -> None:
        """The indexes the reads after the pass need (made once the rows are in)."""
        self.flush()
        self.conn.executescript(
            "CREATE INDEX refs_by ON refs (bucket, person);"
            "CREATE INDEX kid_parents_by ON kid_parents (kid, parent);"
            "CREATE INDEX households_by ON households (household);"
            "CREATE INDEX unclassified_by ON unclassified (text, person);"
        )

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.flush()
        self.conn.execute(sql, params)

    def done(self) -> None:
        """Everything written: the size of every bucket, the indexes the reads need."""
        self.flush()
        self.sizes = dict(
            self.conn.execute(
                "SELECT bucket, COUNT(DISTINCT person) FROM refs GROUP BY bucket"
            ).fetchall()
        )
        self.conn.commit()

    # -- reading ---------------------------------------------------------------------------

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def stream(self, sql: str, params: Sequence[Any] = (), per: int = 5000) -> Iterator[Any]:
        """Rows of ``sql`` read ``per`` at a time, each batch under the lock."""
        with self.lock:
            cur = self.conn.execute(sql, params)
            batch = cur.fetchmany(per)
        while batch:
            yield from batch
            with self.lock:
                batch = cur.fetchmany(per)

    def people(self, sql: str, params: Sequence[Any]) -> Callable[[], tuple[int, ...]]:
        def load() -> tuple[int, ...]:
            return tuple(r[0] for r in self.rows(sql, params))

        return load

    def count(self, key: tuple[Any, ...], whole: bool = False) -> Count:
        """The count of bucket ``key`` (empty if nobody was put there), its people on disk."""
        n = self.size(key)
        if not n:
            return Count((), whole=whole)
        sql = "SELECT DISTINCT person FROM refs WHERE bucket = ? ORDER BY person"
        return Count(n=n, whole=whole, loader=self.people(sql, (self.buckets[key],)))

    def size(self, key: tuple[Any, ...]) -> int:
        b = self.buckets.get(key)
        return self.sizes.get(b, 0) if b is not None else 0


class People(Mapping[int, PersonFacts]):
    """Every person's facts, kept on disk (pickled), read one at a time by id."""

    def __init__(self, spill: Spill) -> None:
        self.spill = spill
        self.n = 0

    def put(self, p: PersonFacts) -> None:
        data = pickle.dumps(p, pickle.HIGHEST_PROTOCOL)
        self.spill.add("facts", (p.id, data), 1 + len(data) // 100)
        self.n += 1

    def __getitem__(self, key: int) -> PersonFacts:
        got = self.spill.rows("SELECT data FROM facts WHERE id = ?", (key,))
        if not got:
            raise KeyError(key)
        p: PersonFacts = pickle.loads(got[0][0])
        return p

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and bool(
            self.spill.rows("SELECT 1 FROM facts WHERE id = ?", (key,))
        )

    def __iter__(self) -> Iterator[int]:
        return (r[0] for r in self.spill.stream("SELECT id FROM facts ORDER BY id"))

    def __len__(self) -> int:
        return self.n

    def each(self) -> Iterator[PersonFacts]:
        """Every person in id order, streamed."""
        for (data,) in self.spill.stream("SELECT data FROM facts ORDER BY id"):
            yield pickle.loads(data)


class Ids(Sequence[int]):
    """The ids of a count's people, read from disk when asked for."""

    def __init__(self, count: Count) -> None:
        self.of = count

    def __len__(self) -> int:
        return self.of.n

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[int]: ...
    def __getitem__(self, i: int | slice) -> int | Sequence[int]:
        return self.of.people[i]

    def __iter__(self) -> Iterator[int]:
        return iter(self.of.people)


class Rows(Sequence[list[Value]]):
    """A table's rows read back from disk as they are iterated (never all held)."""

    def __init__(
        self, spill: Spill, sql: str, n: int, make: Callable[[tuple[Any, ...]], list[Value]]
    ) -> None:
        self.spill, self.sql, self.n, self.make = spill, sql, n, make

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[list[Value]]:
        return (self.make(r) for r in self.spill.stream(self.sql))

    @overload
    def __getitem__(self, i: int) -> list[Value]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[list[Value]]: ...
    def __getitem__(self, i: int | slice) -> list[Value] | Sequence[list[Value]]:
        if isinstance(i, slice):
            start, stop, step = i.indices(self.n)
            if step != 1:
                return list(self)[i]
            sql = f"{self.sql} LIMIT {max(0, stop - start)} OFFSET {start}"
            return [self.make(r) for r in self.spill.rows(sql)]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        return [self.make(r) for r in self.spill.rows(f"{self.sql} LIMIT 1 OFFSET {i}")][0]
