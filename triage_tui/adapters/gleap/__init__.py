"""The Gleap adapter (REST API v3): see ``adapter.GleapHelpdesk``."""

from triage_tui.adapters.gleap.adapter import GleapHelpdesk
from triage_tui.adapters.gleap.options import GleapOptions

__all__ = ["GleapHelpdesk", "GleapOptions"]
