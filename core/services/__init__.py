"""Use cases: the only way the web app and the CLI read clinical data or change anything.

Each service takes a ``Work`` (one transaction by one actor), asks the access
rules before it reads or changes clinical data, and writes its audit event in
the same transaction.
"""
