"""Person lookup: find one person in a case by ID number, or by name in any script, with
their records, photos and findings, ranked and explained.

``stage.py`` is the work (``find_people``, used by the CLI and the web workbench),
``command.py`` the ``guwah person`` CLI. May import: ``guwah.store`` (the tables),
``guwah.records.people`` (the people the records stage resolved), ``guwah.names`` (matching
across scripts) and ``guwah.verify.models`` (findings); nothing imports it but the
interfaces (``command.py``, ``guwah.web``).
"""
