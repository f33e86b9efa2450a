"""Analysis: detention counts and rates over resolved people, the violation matrix, reports.

May import the store, ``guwah.core``, ``guwah.config`` (the memory bound), ``guwah.han``,
``guwah.textsafe`` and the records stage's read helpers (``records.people``,
``records.relations``); the CLI, the web app and ``guwah report`` import it.
"""
