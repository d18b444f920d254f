"""PEcAn's web UI (/pecan/ on 8080), its API (/api/ on 8000), BETY (/bety/ on 8000), the home
page and documentation (httpd on 80), the database sync app (Shiny on 3838) and RStudio (8787)."""
import hashlib
import html
import json
import os
import pathlib
import signal
import sys

import pika
import psycopg2
from flask import Flask, abort, jsonify, redirect, request, send_from_directory
from waitress import serve as waitress_serve

from . import settings


def query(params, sql, args=()):
    with psycopg2.connect(**params) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


def broker_status():
    try:
        pika.BlockingConnection(pika.URLParameters(settings.rabbitmq_uri())).close()
        return "connected"
    except Exception as e:  # the page reports it, as PEcAn's status page does
        return f"unreachable ({type(e).__name__})"


def page(title, items):
    lis = "".join(f"<li>{html.escape(str(i))}</li>" for i in items)
    return f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1><ul>{lis}</ul>"


def web(app):
    @app.get("/pecan/")
    def index():
        db = settings.bety_db()
        fqdn = settings.env("FQDN", "docker")
        models = query(db, "SELECT model_name, revision FROM models ORDER BY id")
        # What this host (FQDN, as PEcAn's web UI selects it) has: the model binaries the monitor
        # registered and the sites the data loader registered input files for.
        on_host = query(db, "SELECT m.model_name FROM dbfiles f JOIN machines h ON h.id = f.machine_id JOIN models m ON m.id = f.container_id "
                            "WHERE f.container_type = 'Model' AND h.hostname = %s ORDER BY m.model_name", (fqdn,))
        sites = query(db, "SELECT s.sitename, count(*) FROM dbfiles f JOIN machines h ON h.id = f.machine_id JOIN inputs i ON i.id = f.container_id "
                          "JOIN sites s ON s.id = i.site_id WHERE f.container_type = 'Input' AND h.hostname = %s GROUP BY s.sitename ORDER BY s.sitename", (fqdn,))
        return page(f"PEcAn {settings.env('NAME', 'docker')}", [f"Model: {m} ({r})" for m, r in models] + [f"broker: {broker_status()}"]
                    + [f"Model on {fqdn}: {m}" for (m,) in on_host] + [f"Site with data on {fqdn}: {n} ({c} files)" for n, c in sites])
    return 8080


def bety(app):
    root = settings.env("RAILS_RELATIVE_URL_ROOT", "")

    @app.get(f"{root}/")
    def index():
        (users,), = query(settings.bety_db(), "SELECT count(*) FROM users")
        (machine,), = query(settings.bety_db(), "SELECT sync_host_id FROM machines WHERE hostname = 'localhost'")
        peers = settings.env("REMOTE_SERVERS", "0 1 2 5").split()
        return page("BETYdb", [f"machine id: {machine}", f"users: {users}", f"sync peers: {' '.join(peers) or 'none'}"])
    return int(settings.env("UNICORN_PORT", "8000"))


def crypt_pass(login, password, key="notasecret"):
    digest = key
    for _ in range(10):
        digest = hashlib.sha1(f"{digest}--{login}--{password}--{key}".encode()).hexdigest()
    return digest


def workflow_dir(wid):
    return pathlib.Path(settings.env("DATA_DIR", "/data/")) / "workflows" / f"PEcAn_{wid}"


def api(app):
    @app.get("/api/ping")
    def ping():
        return jsonify(request="ping", response="pong")

    @app.before_request
    def auth():
        # AUTH_REQ (image default TRUE): every route but ping and status needs a BETY user, whose
        # password PEcAn 1.8.0's API digests with the fixed key "notasecret", not SECRET_KEY_BASE.
        if settings.env("AUTH_REQ", "TRUE") == "FALSE" or request.path in ("/api/ping", "/api/status"):
            return
        a = request.authorization
        if a is None or not query(settings.api_db(), "SELECT 1 FROM users WHERE login = %s AND crypted_password = %s",
                                  (a.username, crypt_pass(a.username, a.password or ""))):
            abort(401)

    @app.post("/api/workflows/")
    def submit():
        model = (request.get_json(silent=True) or {}).get("model", "")
        known = [m for (m,) in query(settings.api_db(), "SELECT model_name FROM models")]
        if model not in known:
            abort(400, f"model must be one of {known}")
        (wid,), = query(settings.api_db(), "INSERT INTO workflows (model) VALUES (%s) RETURNING id", (model,))
        folder = workflow_dir(wid)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "STATUS").write_text("QUEUED\n", encoding="utf-8")
        query(settings.api_db(), "UPDATE workflows SET folder = %s WHERE id = %s", (str(folder), wid))
        conn = pika.BlockingConnection(pika.URLParameters(settings.rabbitmq_uri()))
        ch = conn.channel()
        ch.queue_declare(queue="pecan", durable=True)
        ch.basic_publish(exchange="", routing_key="pecan", body=json.dumps({"id": wid, "model": model, "folder": str(folder)}),
                         properties=pika.BasicProperties(delivery_mode=2))
        conn.close()
        return jsonify(workflow_id=wid, status="Submitted successfully"), 201

    @app.get("/api/workflows/<int:wid>/status")
    def status(wid):
        folder = workflow_dir(wid)
        if not (folder / "STATUS").exists():
            abort(404)
        out = folder / "out.txt"
        return jsonify(workflow_id=wid, status=(folder / "STATUS").read_text(encoding="utf-8").split(),
                       output=out.read_text(encoding="utf-8") if out.exists() else None)
    return 8000


def docs(app):
    # httpd's document root: PEcAn's home page at /, its book under /docs/pecan/.
    root = "/usr/local/apache2/htdocs"

    @app.get("/")
    @app.get("/<path:name>")
    def files(name="index.html"):
        return send_from_directory(root, name + ("index.html" if name.endswith("/") else ""))
    return 80


def dbsync(app):
    # Shiny serves the app at its root; PEcAn's proxy strips /dbsync. It reads BETY with libpq's PG*.
    @app.get("/")
    def index():
        rows = query(settings.api_db(), "SELECT hostname, sync_host_id FROM machines ORDER BY sync_host_id, hostname")
        return page("BETY database sync", [f"{h}: machine id {i}" for h, i in rows])
    return 3838


def rstudio(app):
    # RStudio Server's front door: an unsigned visitor is sent to its sign-in page, under the
    # path X-RStudio-Root-Path names (behind a proxy that strips the prefix). The account is USER
    # with PASSWORD, which rocker's /init sets (userconf.sh); the real sign-in encrypts the
    # credentials in the browser, so the twin has no sign-in of its own to be tested against.
    root = lambda: request.headers.get("X-RStudio-Root-Path", "").rstrip("/")

    @app.get("/")
    def index():
        return redirect(f"{root()}/auth-sign-in", 302)

    @app.get("/auth-sign-in")
    def sign_in():
        return page("RStudio Sign In", [f"user: {settings.env('USER', 'rstudio')}"])
    return 8787


def serve(role):
    app = Flask(f"pecan-{role}")
    port = {"web": web, "api": api, "bety": bety, "docs": docs, "dbsync": dbsync, "rstudio": rstudio}[role](app)
    # PID 1 of its container (the images' commands exec us), where the kernel ignores a signal
    # the process does not handle. The twin stops on its image's stop signal as the real server
    # does: SIGWINCH for pecan/web and pecan/docs (Apache's graceful stop), SIGTERM for the
    # others. SystemExit makes waitress finish the requests in hand (up to 5 s) and return.
    for sig in (signal.SIGTERM, signal.SIGWINCH) if role in ("web", "docs") else (signal.SIGTERM,):
        signal.signal(sig, lambda *_: sys.exit(0))
    waitress_serve(app, host="0.0.0.0", port=port, threads=4)
