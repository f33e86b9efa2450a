"""The web workbench (``guwah serve``): server-rendered pages and a read-only JSON API.

Build the app with ``guwah.web.app.create_app(case)``.
"""
