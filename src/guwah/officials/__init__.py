"""Officials named in the leak: mentions read from documents, slides, scans and sheets (with
their titles, units, document numbers, issuers and recipients), resolved into officials
(same name *and* same jurisdiction, never name alone), their posts over time, a unit
hierarchy, and the sanctions gap against the imported lists.

May import ``guwah.case``, ``guwah.core``, ``guwah.store``, ``guwah.han``, ``guwah.gb11643``,
``guwah.names`` (a library) and ``guwah.lists.match`` (the matching engine, as
``guwah.screen`` does); it reads the ingest stage's ``pages``, ``sheets`` and ``cells``.
``command.py`` holds ``guwah officials`` and ``guwah gap``.
"""
