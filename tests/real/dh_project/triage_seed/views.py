"""``POST /triage-seed/``: JSON actions the seeder needs and the API lacks (admin only)."""

import json
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from helpdesk.models import CustomField, FollowUp, Queue, Ticket
from rest_framework.authentication import BasicAuthentication


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _staff(data: dict) -> dict:
    """A staff user (an agent the console can assign tickets to); ``staff: false`` for a
    customer."""
    user, _ = get_user_model().objects.update_or_create(
        username=data["username"],
        defaults={
            "first_name": data.get("first_name", ""),
            "last_name": data.get("last_name", ""),
            "email": data.get("email", ""),
            "is_staff": bool(data.get("staff", True)),
            "is_superuser": bool(data.get("superuser", False)),
            "is_active": True,
        },
    )
    if data.get("password"):
        user.set_password(data["password"])
        user.save()
    return {"id": user.id}


def _queue(data: dict) -> dict:
    queue, _ = Queue.objects.get_or_create(
        slug=data["slug"], defaults={"title": data["title"], "allow_email_submission": False}
    )
    return {"id": queue.id}


def _custom_field(data: dict) -> dict:
    field, _ = CustomField.objects.get_or_create(
        name=data["name"],
        defaults={"label": data["label"], "data_type": "varchar", "max_length": 200},
    )
    return {"id": field.id}


def _history(data: dict) -> dict:
    """Back-date tickets and their follow-ups; mark follow-ups the customer sent by mail.

    ``tickets`` holds one entry per ticket (``ticket``, ``created``, ``followups``):
    a whole seeding is one request instead of one per ticket.
    """
    for entry in data["tickets"]:
        ticket = Ticket.objects.get(id=entry["ticket"])
        Ticket.objects.filter(id=ticket.id).update(created=_when(entry["created"]))
        for item in entry.get("followups", []):
            changes = {"date": _when(item["date"])}
            if item.get("customer"):
                changes["user"] = None
            FollowUp.objects.filter(id=item["id"], ticket=ticket).update(**changes)
    return {"tickets": len(data["tickets"])}


def _drop_queue(data: dict) -> dict:
    """Delete a queue with its tickets (and their follow-ups), once its test is done.

    django-helpdesk's API walks every ticket the agent may see on each ticket
    request (``TicketViewSet.get_queryset`` loads each one's custom fields), so
    requests slow down as queues pile up over a session: from ~0.2 s to over
    1 s per request after ~30 seeded queues.
    """
    deleted, _ = Queue.objects.filter(id=data["id"]).delete()
    return {"deleted": deleted}


ACTIONS = {
    "staff": _staff,
    "queue": _queue,
    "custom_field": _custom_field,
    "history": _history,
    "drop_queue": _drop_queue,
}


@csrf_exempt
def seed(request: HttpRequest) -> HttpResponse:
    auth = BasicAuthentication().authenticate(request)
    if auth is None or not auth[0].is_superuser:
        return JsonResponse({"detail": "superuser Basic auth required"}, status=403)
    if request.method != "POST":
        return JsonResponse({"detail": "POST only"}, status=405)
    data = json.loads(request.body)
    action = ACTIONS.get(data.get("action", ""))
    if action is None:
        return JsonResponse({"detail": f"unknown action; one of {sorted(ACTIONS)}"}, status=400)
    with transaction.atomic():
        return JsonResponse(action(data))
