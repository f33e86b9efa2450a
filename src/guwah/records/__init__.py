"""Records: detainee and resident records out of the case's spreadsheets, and the people in them.

``guwah.records.stage.build_records(case)`` reads every sheet already in the ``cells`` table,
finds its header, maps its columns to the person/detention schema through the header
lexicon (``reference/header_lexicon.json``), normalises values beside their originals with
their provenance, and resolves records and photos into people. ``command.py`` is the
``guwah records`` CLI. See docs/records.md.

May import: ``guwah.case``, ``guwah.core``, ``guwah.cellrefs`` and ``guwah.store``; it
reads what ingest stored through the database, never ingest's code.
"""
