"""The embedded helpdesk: a SQLite file (``store``), its adapter, demo data and KB import.

Importing the package is cheap; ``adapter``, ``demo`` and ``kb_import`` are
loaded only by whoever needs them.
"""
