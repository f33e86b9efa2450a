"""Supply-chain screening: each supplier against the imported lists and the forced-labour
indicators (an address in Xinjiang, XPCC affiliation, a listed parent), with a risk level.

May import ``guwah.lists`` (its matcher), the store and ``guwah.core``; the CLI and the web app
import it.
"""
