"""Container readers (archives, mailboxes, e-mail); importing this package registers them."""

from guwah.ingest.containers import (
    archives,  # noqa: F401
    libarchive,  # noqa: F401
    mail,  # noqa: F401
)
