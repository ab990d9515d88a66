"""The ``rt`` adapter: Request Tracker 5 over REST2 (see ``adapter.RtHelpdesk``)."""

from triage_tui.adapters.rt.adapter import RtHelpdesk
from triage_tui.adapters.rt.options import RtOptions

__all__ = ["RtHelpdesk", "RtOptions"]
