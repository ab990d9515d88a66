"""URLs: django-helpdesk at the root (its DRF API under /api/), plus the test-only seeder."""

from django.contrib import admin
from django.urls import include, path
from triage_seed.views import seed

urlpatterns = [
    path("admin/", admin.site.urls),
    path("triage-seed/", seed),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
