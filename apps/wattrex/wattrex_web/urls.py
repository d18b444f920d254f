import html

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path


def _status():
    with connection.cursor() as c:
        c.execute("SELECT name FROM experiment ORDER BY id")
        experiments = [r[0] for r in c.fetchall()]
        # Written by the master node manager when a computational unit registers over MQTT.
        c.execute("SELECT CUID, HostName, Available FROM ComputationalUnit ORDER BY CUID")
        units = [{"cu_id": r[0], "hostname": r[1], "available": r[2]} for r in c.fetchall()]
    return {"experiments": experiments, "computational_units": units}


def index(request):
    s = _status()
    items = "".join(f"<li>{html.escape(e)}</li>" for e in s["experiments"])
    units = "".join(f"<li>CU {u['cu_id']}: {html.escape(u['hostname'])} ({u['available']})</li>" for u in s["computational_units"])
    return HttpResponse(
        "<html><head><title>Battery Experiments Manager</title></head><body>"
        f"<h1>Battery Experiments Manager</h1><ul>{items}</ul>"
        f"<p>computational units: {len(s['computational_units'])}</p><ul>{units}</ul></body></html>"
    )


def healthz(request):
    with connection.cursor() as c:
        c.execute("SELECT 1")
    return JsonResponse({"ok": True})


urlpatterns = [path("", index), path("healthz", healthz), path("status", lambda r: JsonResponse(_status()))]
