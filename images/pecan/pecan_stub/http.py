"""The web UI (/pecan/), BETY (/bety/) and the API (/api/): each served under the path the
reverse proxy routes to it, each with /healthz for its container's health check."""
import html
import json
import os
import pathlib

import pika
from flask import Flask, abort, jsonify, request
from waitress import serve as waitress_serve

from . import db, settings


def broker_status():
    try:
        pika.BlockingConnection(pika.URLParameters(settings.rabbitmq_uri())).close()
        return "connected"
    except Exception as e:  # the page reports it; it is what the seed's users checked by hand
        return f"unreachable ({type(e).__name__})"


def page(title, items):
    lis = "".join(f"<li>{html.escape(str(i))}</li>" for i in items)
    return f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1><ul>{lis}</ul>"


def web_routes(app):
    @app.get("/pecan/")
    def index():
        models = db.query("SELECT model_name, revision FROM models ORDER BY id")
        items = [f"Model: {m} ({r})" for m, r in models]
        items += [f"machine id: {settings.machine_id()}", f"broker: {broker_status()}"]
        return page("PEcAn", items)


def bety_routes(app):
    @app.get("/bety/")
    def index():
        (users,), = db.query("SELECT count(*) FROM users")
        peers = settings.sync_peers()
        items = [f"machine id: {settings.machine_id()}", f"users: {users}"]
        items += [f"sync peer: machine {p['machineId']} at {p['url']}" for p in peers] or ["sync peers: none"]
        return page("BETYdb", items)


def api_routes(app):
    @app.get("/api/ping")
    def ping():
        return jsonify(request="ping", response="pong")

    @app.post("/api/workflows/")
    def submit():
        model = (request.get_json(silent=True) or {}).get("model", "")
        known = [m for (m,) in db.query("SELECT model_name FROM models")]
        if model not in known:
            abort(400, f"model must be one of {known}")
        (wid,), = db.query("INSERT INTO workflows (model, status) VALUES (%s, 'queued') RETURNING id", (model,))
        conn = pika.BlockingConnection(pika.URLParameters(settings.rabbitmq_uri()))
        ch = conn.channel()
        ch.queue_declare(queue="pecan", durable=True)
        ch.basic_publish(exchange="", routing_key="pecan", body=json.dumps({"id": wid, "model": model}), properties=pika.BasicProperties(delivery_mode=2))
        conn.close()
        return jsonify(id=wid, status="queued"), 201

    @app.get("/api/workflows/<int:wid>")
    def status(wid):
        rows = db.query("SELECT model, status, runner FROM workflows WHERE id = %s", (wid,))
        if not rows:
            abort(404)
        model, state, runner = rows[0]
        out = pathlib.Path(settings.data_dir()) / "workflows" / str(wid) / "out.txt"
        output = out.read_text(encoding="utf-8") if out.exists() else None
        return jsonify(id=wid, model=model, status=state, runner=runner, output=output)


def serve(role):
    app = Flask(f"pecan-{role}")
    {"web": web_routes, "bety": bety_routes, "api": api_routes}[role](app)

    @app.get("/healthz")
    def healthz():
        db.query("SELECT 1 FROM appstacks_init WHERE step = 'users'")
        return "ok"

    waitress_serve(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8000")), threads=4)
