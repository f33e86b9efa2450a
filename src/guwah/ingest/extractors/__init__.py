"""Built-in extractors; importing this package registers them."""

from guwah.ingest.extractors import (  # noqa: F401
    databases,
    documents,
    images,
    media,
    office,
    pictures,
    slides,
    spreadsheets,
    structured,
)
