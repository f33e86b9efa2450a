"""Sanctions and forced-labour lists: import them (OFAC, EU, UK, UN, UFLPA, FtM, CSV), keep
every version, and match people and companies against them across scripts.

>>> from guwah.lists.match import ListMatcher, Query
>>> # matcher = ListMatcher.from_case(session); matcher.match(Query("Person", ["陈全国"]))
"""
