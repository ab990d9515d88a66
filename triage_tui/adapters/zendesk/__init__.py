"""The Zendesk Support adapter (API v2): see ``adapter.ZendeskHelpdesk``."""

from triage_tui.adapters.zendesk.adapter import ZendeskHelpdesk
from triage_tui.adapters.zendesk.options import ZendeskOptions

__all__ = ["ZendeskHelpdesk", "ZendeskOptions"]
