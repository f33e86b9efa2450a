"""The web workbench (``guwah serve``): server-rendered pages and a read-only JSON API.

Build the app with ``guwah.web.app.create_app(case)``; ``command.py`` is ``guwah serve``.
May import every stage's library functions (search, person, records, verify) — it is an
interface, like the CLI — but writes nothing to the case.
"""
