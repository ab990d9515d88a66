"""triage-tui: a terminal console for triaging a helpdesk queue by SLA.

Nothing heavy is imported here: the scriptable verbs must start fast and never import Textual.
"""

__version__ = "0.1.0"
