"""Queries and time per page of the load mix, for one caseworker, on an existing platform.

    SHOUHU_DATA_DIR=/tmp/shouhu-load-…/var .venv/bin/python bench/load/query_counts.py

Uses Django's CaptureQueriesContext; signs in with force_login (no code needed). Prints, per
page, the number of queries, the time, and the most repeated query shapes (an N+1 shows as one
shape repeated once per row).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from shouhu.web import django_setup

django_setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shouhu.web.access import findings, persons  # noqa: E402
from shouhu.web.accounts.models import User  # noqa: E402
from shouhu.web.registry.models import Person  # noqa: E402

# The per-user limits on searches and finding lists (anti-bulk collection) would refuse repeated
# runs of these benches: raised here, still counted (their query runs as it does in service).
persons.SEARCH_LIMITS = findings.FINDING_LIST_LIMITS = ((timedelta(days=1), 10**9, "每天"),)


def mix_pages() -> dict[str, Callable[[], HttpResponse]]:
    """The four pages of the load mix, as calls for one signed-in demo caseworker."""
    user = User.objects.get(username="demo_caseworker")
    client = Client(REMOTE_ADDR="127.0.0.1")
    client.force_login(user)
    child = Person.objects.filter(division__path__startswith=user.division.path).order_by(
        "-birth_date"
    )[0]
    name = child.name
    return {
        "dashboard": lambda: client.get("/"),
        "search": lambda: client.post("/persons/", {"q": name}),
        "child": lambda: client.get(f"/persons/{child.pk}/"),
        "findings": lambda: client.get("/comparison/findings/"),
    }


def main() -> None:
    for label, call in mix_pages().items():
        call()  # warm
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = call()
            ms = (time.perf_counter() - began) * 1000
        shapes = Counter(re.sub(r"\b\d+\b|'[^']*'", "?", q["sql"])[:160] for q in queries)
        print(f"{label}: status {response.status_code}, {len(queries)} queries, {ms:.0f} ms")
        for shape, n in shapes.most_common(3):
            if n > 1:
                print(f"    {n}× {shape}")


if __name__ == "__main__":
    main()
