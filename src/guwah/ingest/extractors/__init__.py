"""Built-in extractors; importing this package registers them."""

from guwah.ingest.extractors import documents, images, office, spreadsheets  # noqa: F401
