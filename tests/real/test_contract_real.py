"""The whole adapter contract suite, against a real RT 5 and a real django-helpdesk.

The test functions are the very ones in ``tests/adapters/test_contract.py``;
this directory's conftest supplies ``adapter_factory``/``seeded`` over the
servers it starts, so the contract is one definition run everywhere.
"""

# Every public name on purpose: a test added to the contract runs here too,
# without a second list to keep in step.
from tests.adapters.test_contract import *  # noqa: F403
from tests.adapters.test_contract_live_feed import *  # noqa: F403,E402
