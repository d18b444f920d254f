"""PEcAn's queue consumers: the executor takes a workflow from `pecan` and hands it to its
model's queue; a model runner runs it and writes its output into the workflow's folder on the
shared runs volume. Progress goes to the folder's STATUS file, as PEcAn's workflows record it.
Neither reads the database: their images are given only the broker (RABBITMQ_URI)."""
import json
import os
import pathlib
import signal
import socket
import sys
import threading
import uuid

import pika

from . import settings


def consume(queue, handle):
    conn = pika.BlockingConnection(pika.URLParameters(settings.rabbitmq_uri()))
    ch = conn.channel()
    ch.queue_declare(queue=queue, durable=True)
    ch.basic_qos(prefetch_count=1)
    ch.basic_consume(queue=queue, on_message_callback=lambda c, m, p, body: handle(c, m, json.loads(body)))
    print(f"consuming {queue}", flush=True)
    # PID 1 of its container: the kernel ignores SIGTERM unless the process handles it. A
    # message in hand and not yet acknowledged goes back to the queue when the connection drops.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        ch.start_consuming()
    finally:
        print(f"stopping: leaving {queue}", flush=True)


def status(job, line):
    with open(pathlib.Path(job["folder"]) / "STATUS", "a", encoding="utf-8") as f:
        f.write(line + "\n")


def executor():
    def dispatch(ch, method, job):
        queue = f"{job['model']}_git"
        # Recorded before it is handed on: a fast runner's FINISHED must come after it.
        status(job, f"DISPATCHED {queue}")
        ch.queue_declare(queue=queue, durable=True)
        ch.basic_publish(exchange="", routing_key=queue, body=json.dumps(job), properties=pika.BasicProperties(delivery_mode=2))
        ch.basic_ack(method.delivery_tag)
        print(f"executor: workflow {job['id']} → {queue}", flush=True)
    consume(os.environ.get("RABBITMQ_QUEUE", "pecan"), dispatch)


# The fanout exchange the runners announce themselves on and PEcAn's monitor listens to.
MODELS_EXCHANGE = "models"


def models_channel():
    """A connection of its own to the broker, and a channel with the models exchange declared."""
    conn = pika.BlockingConnection(pika.URLParameters(settings.rabbitmq_uri()))
    ch = conn.channel()
    ch.exchange_declare(exchange=MODELS_EXCHANGE, exchange_type="fanout", durable=True)
    return conn, ch


def announce(info, every=5):
    """As PEcAn's model.py announces its runner: a heartbeat every 5 s on the `models` fanout
    exchange, from a connection of its own, which PEcAn's monitor turns into BETY's records."""
    queue = f"{info['type']}_{info['version']}"
    message = json.dumps({"id": str(uuid.uuid4()), "hostname": socket.gethostname(), "queue": queue, "model_info": info})

    def beat():
        while True:
            try:
                conn, ch = models_channel()
                while True:
                    ch.basic_publish(exchange=MODELS_EXCHANGE, routing_key="", body=message)
                    conn.sleep(every)  # serves the connection's own heartbeats meanwhile
            except Exception as e:  # the broker restarted: announce again once it is back
                print(f"heartbeat: {type(e).__name__}: {e}", flush=True)
                threading.Event().wait(every)
    threading.Thread(target=beat, daemon=True).start()


def model(info_file):
    with open(info_file, encoding="utf-8") as f:
        info = json.load(f)
    announce(info)

    def run(ch, method, job):
        folder = pathlib.Path(job["folder"])
        (folder / "out.txt").write_text(f"{info['type']} run of workflow {job['id']} on {socket.gethostname()}\n", encoding="utf-8")
        status(job, f"FINISHED {socket.gethostname()}")
        ch.basic_ack(method.delivery_tag)
        print(f"runner: workflow {job['id']} finished", flush=True)
    consume(f"{info['type']}_{info['version']}", run)
