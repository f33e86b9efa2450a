"""Container readers (archives, mailboxes, e-mail); importing this package registers them."""

from guwah.ingest.containers import archives, libarchive, mail, outlook  # noqa: F401
