"""Officials named in the leak: mentions read from documents, slides, scans and sheets (with
their titles, units, document numbers, issuers and recipients), resolved into officials
(same name *and* same jurisdiction, never name alone), their posts over time, a unit
hierarchy, reviewers' decisions, what lay under each official (``responsibility.py``), the
sanctions gap against the imported lists, the dossier and the report's section.

May import ``guwah.case``, ``guwah.core``, ``guwah.store``, ``guwah.han``, ``guwah.gb11643``,
``guwah.names`` (a library), ``guwah.lists.match`` (the matching engine, as ``guwah.screen``
does) and ``guwah.analyse.taxonomy`` (the plausible-date window); the dossier also uses
jinja2, WeasyPrint and pypdfium2, and ``guwah.ingest.extractors.libreoffice.derived_pdf_for``
(lazily) for page images. It reads the ingest stage's ``pages``, ``sheets`` and ``cells`` and
the records. ``command.py`` holds ``guwah officials``, ``guwah gap`` and ``guwah dossier``.
"""
