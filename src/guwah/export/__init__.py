"""Exports of a case for use outside guwah: the evidence package (BagIt) and its time-stamp.

May import the store, records, search and verify packages; nothing imports it but the CLI.
"""
