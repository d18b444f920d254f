import html

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path


def _status():
    with connection.cursor() as c:
        c.execute("SELECT name FROM experiment ORDER BY id")
        experiments = [r[0] for r in c.fetchall()]
        c.execute("SELECT mqtt_connected, TIMESTAMPDIFF(SECOND, updated, NOW()) FROM mn_status WHERE id = 1")
        row = c.fetchone()
    return {
        "experiments": experiments,
        "node_manager": "never seen" if row is None else ("alive" if row[1] is not None and row[1] < 30 else "stale"),
        "broker": "connected" if row and row[0] else "not connected",
    }


def index(request):
    s = _status()
    items = "".join(f"<li>{html.escape(e)}</li>" for e in s["experiments"])
    return HttpResponse(
        "<html><head><title>Battery Experiments Manager</title></head><body>"
        f"<h1>Battery Experiments Manager</h1><ul>{items}</ul>"
        f"<p>node manager: {s['node_manager']}; broker: {s['broker']}</p></body></html>"
    )


def healthz(request):
    with connection.cursor() as c:
        c.execute("SELECT 1")
    return JsonResponse({"ok": True})


urlpatterns = [path("", index), path("healthz", healthz), path("status", lambda r: JsonResponse(_status()))]
