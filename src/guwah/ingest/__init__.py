"""Ingest: preserve a leak and read it — walk the sources, store and hash every original,
detect its type, expand archives, pick an extractor by score and record what it read,
then OCR (``ocr_stage.py``). ``command.py`` is ``guwah ingest``, ``extract``, ``ocr`` and
``status``.

May import: ``guwah.case``, ``guwah.config``, ``guwah.core``, ``guwah.cellrefs`` and
``guwah.store``; no later stage (records, verify, search read what it stored). Its
``command.py`` is an interface: it also updates the search index after an extraction.
"""
