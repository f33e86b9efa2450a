"""Demographic evidence from official yearbook tables (``guwah stats``).

Tables are imported as printed (xlsx/csv, PDF pages with a text layer, scans through OCR),
preserved like any other evidence, read into values that each keep their cell, and compared
across regions, sources and editions. See ``docs/stats.md``.
"""
