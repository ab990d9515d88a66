"""The ``django_helpdesk`` adapter: django-helpdesk's DRF API (see ``adapter.DjangoHelpdesk``)."""

from triage_tui.adapters.django_helpdesk.adapter import DjangoHelpdesk
from triage_tui.adapters.django_helpdesk.options import DjangoHelpdeskOptions

__all__ = ["DjangoHelpdesk", "DjangoHelpdeskOptions"]
