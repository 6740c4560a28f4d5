"""URL map of the platform: each area's pages come from its own app."""

from django.urls import include, path

from shouhu.web.accounts import urls as accounts_urls
from shouhu.web.api import api
from shouhu.web.ops import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("submissions/", include("shouhu.web.exchange.urls")),
    path("objections/", include("shouhu.web.objections.urls")),
    path("comparison/", include("shouhu.web.comparison.urls")),
    path("persons/", include("shouhu.web.registry.urls")),
    path("manage/", include(accounts_urls.manage)),
    path("grants/", include("shouhu.web.grants.urls")),
    path("register/", include("shouhu.web.cases.urls")),
    path("cases/", include("shouhu.web.cases.work_urls")),
    path("field/", include("shouhu.web.field.urls")),
    path("subsidies/", include("shouhu.web.subsidies.urls")),
    path("shares/", include("shouhu.web.shares.urls")),
    path("audit/", include("shouhu.web.audit.urls")),
    path("notifications/", include("shouhu.web.notifications.urls")),
    path("meetings/", include("shouhu.web.meetings.urls")),
    path("queries/", include("shouhu.web.queries.urls")),
    path("", include(accounts_urls.own_pages)),
    path("", include("shouhu.web.ui.urls")),
    path("", include("shouhu.web.statistics.urls")),
]
