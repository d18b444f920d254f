"""PEcAn's monitor (pecan/monitor, python3 monitor.py on 9999): listens for the runners'
heartbeats on the `models` fanout exchange, registers each model in BETY the first time it is
heard (this instance's machine FQDN, the model type, the model, its binary as a dbfile), and
serves what it heard as /models.json beside its page. Queue lengths come from RabbitMQ's
management API, as the real monitor reads them (-1 when it does not answer)."""
import base64
import datetime
import http.server
import json
import os
import threading
import urllib.parse
import urllib.request

import pika
import psycopg2

from . import settings
from .worker import MODELS_EXCHANGE, models_channel

models = {}


def queue_messages(queue):
    params = pika.URLParameters(settings.rabbitmq_uri())
    url = (f"http://{params.host}:{settings.env('RABBITMQ_MGMT_PORT', '15672')}{settings.env('RABBITMQ_MGMT_PATH', '/')}"
           f"api/queues/{urllib.parse.quote_plus(params.virtual_host)}/{queue}/")
    auth = base64.b64encode(f"{params.credentials.username}:{params.credentials.password}".encode()).decode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Basic {auth}"}), timeout=5) as r:
            return json.load(r).get("messages", -1)
    except Exception:
        return -1


def register(info):
    fqdn = settings.env("FQDN", "docker")
    with psycopg2.connect(**settings.bety_db()) as conn, conn.cursor() as cur:
        def one(select, insert, args):
            cur.execute(select, args)
            row = cur.fetchone()
            if row is None:
                cur.execute(insert, args)
                row = cur.fetchone()
            return row[0]
        host = one("SELECT id FROM machines WHERE hostname=%s", "INSERT INTO machines (hostname) VALUES (%s) RETURNING id", (fqdn,))
        mtype = one("SELECT id FROM modeltypes WHERE name=%s", "INSERT INTO modeltypes (name) VALUES (%s) RETURNING id", (info["type"],))
        model = one("SELECT id FROM models WHERE model_name=%s AND modeltype_id=%s AND revision=%s",
                    "INSERT INTO models (model_name, modeltype_id, revision) VALUES (%s, %s, %s) RETURNING id",
                    (info["name"], mtype, info["version"]))
        binary = (model, os.path.basename(info["binary"]), os.path.dirname(info["binary"]), host)
        one("SELECT id FROM dbfiles WHERE container_type='Model' AND container_id=%s AND file_name=%s AND file_path=%s AND machine_id=%s",
            "INSERT INTO dbfiles (container_type, container_id, file_name, file_path, machine_id) VALUES ('Model', %s, %s, %s, %s) RETURNING id",
            binary)
    print(f"monitor: {info['name']} ({info['version']}) registered on {fqdn}", flush=True)


def heard(ch, method, properties, body):
    data = json.loads(body)
    info = data["model_info"]
    versions = models.setdefault(info["type"], {})
    if info["version"] not in versions:
        try:
            register(info)
        except Exception as e:  # the real monitor logs it and keeps listening
            print(f"monitor: could not register {info['type']}: {e}", flush=True)
            return
        versions[info["version"]] = {"model_info": info, "queue": data["queue"], "messages": queue_messages(data["queue"]), "consumers": {}}
    versions[info["version"]]["consumers"][data["id"]] = {"hostname": data["hostname"], "last_seen": datetime.datetime.now().isoformat()}


def listen():
    while True:
        try:
            _, ch = models_channel()
            queue = ch.queue_declare("", exclusive=True).method.queue
            ch.queue_bind(exchange=MODELS_EXCHANGE, queue=queue)
            ch.basic_consume(queue=queue, on_message_callback=heard, auto_ack=True)
            ch.start_consuming()
        except Exception as e:
            print(f"monitor: broker: {type(e).__name__}", flush=True)
            threading.Event().wait(2)


class Page(http.server.SimpleHTTPRequestHandler):
    # As the real one: the last path element names the file, so /monitor/models.json and
    # /models.json are the same (PEcAn's proxy strips /monitor).
    def do_GET(self):
        self.path = "/" + os.path.basename(self.path)
        if self.path.startswith("/models.json"):
            body = json.dumps(models).encode()
            self.send_response(200)
            self.send_header("Content-type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()


def main():
    threading.Thread(target=listen, daemon=True).start()
    server = http.server.ThreadingHTTPServer(("", 9999), Page)
    # No SIGTERM handler, as the real monitor has none: under /bin/sh (its shell-form CMD) or as
    # PID 1 it would outlast every stop; the stack runs it with Docker's init.
    try:
        server.serve_forever()
    finally:
        server.server_close()
