"""Issue 17 items 11 and 12: the directory contract (``agents()``, ``groups()``) against a
real RT 5 and a real django-helpdesk, the very tests of
``tests/adapters/test_directory_contract.py``."""

from tests.adapters.test_directory_contract import *  # noqa: F403
