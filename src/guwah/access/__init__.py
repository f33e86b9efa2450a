"""Access to victims' data: users and roles, API tokens, pseudonymised views, the audit of reads.

May import the store and ``guwah.core``; the web app and the CLI import it.
"""
