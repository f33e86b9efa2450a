"""The store: originals by SHA-256 (``blobs.py``), the hash-chained custody log
(``custody.py``), the database models (``models.py``), engine set-up (``db.py``) and the
Alembic migrations (``migrations/``). ``command.py`` is ``guwah init`` and ``guwah custody``.

May import: the standard library, SQLAlchemy and Alembic, and ``guwah.config``; no stage
(every stage imports it). ``migrations/env.py`` imports the models of ``guwah.verify`` so
that Alembic sees their tables.
"""
