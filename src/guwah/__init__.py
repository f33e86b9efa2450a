"""guwah — an evidence workbench for documenting mass detention from leaked state records."""

__version__ = "0.1.0"
