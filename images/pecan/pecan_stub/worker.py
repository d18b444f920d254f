"""The executor and the model runners, connected through RabbitMQ as in PEcAn's docker stack:
the API queues a workflow on `pecan`, the executor hands it to the queue of its model, and a
runner of that model runs it, writing its output to the shared runs volume."""
import json
import os
import pathlib
import socket
import sys

import pika

from . import db, settings

HEARTBEAT = pathlib.Path("/tmp/healthy")


def channel():
    conn = pika.BlockingConnection(pika.URLParameters(settings.rabbitmq_uri()))
    ch = conn.channel()
    ch.queue_declare(queue="pecan", durable=True)
    return conn, ch


def model_queue(model):
    return f"{model}_git"


def run(role):
    conn, ch = channel()
    if role == "executor":
        ch.basic_consume(queue="pecan", on_message_callback=lambda c, m, p, body: dispatch(c, m, body))
    else:
        model = os.environ["PECAN_MODEL"]
        ch.queue_declare(queue=model_queue(model), durable=True)
        ch.basic_qos(prefetch_count=1)
        ch.basic_consume(queue=model_queue(model), on_message_callback=lambda c, m, p, body: run_model(c, m, body))
    print(f"{role}: consuming", flush=True)
    while True:
        # Alive while the broker connection is: the health check reads the heartbeat's age.
        HEARTBEAT.touch()
        conn.process_data_events(time_limit=5)


def dispatch(ch, method, body):
    job = json.loads(body)
    # Marked before it is handed on: a fast runner's "finished" must never be overwritten.
    db.query("UPDATE workflows SET status = 'dispatched' WHERE id = %s AND status = 'queued'", (job["id"],))
    ch.queue_declare(queue=model_queue(job["model"]), durable=True)
    ch.basic_publish(exchange="", routing_key=model_queue(job["model"]), body=body, properties=pika.BasicProperties(delivery_mode=2))
    ch.basic_ack(method.delivery_tag)
    print(f"executor: workflow {job['id']} → {model_queue(job['model'])}", flush=True)


def run_model(ch, method, body):
    job = json.loads(body)
    out = pathlib.Path(settings.data_dir()) / "workflows" / str(job["id"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "out.txt").write_text(f"{job['model']} run of workflow {job['id']} on {socket.gethostname()}\n", encoding="utf-8")
    db.query("UPDATE workflows SET status = 'finished', runner = %s WHERE id = %s", (os.environ.get("PECAN_RUNNER_NAME", socket.gethostname()), job["id"]))
    ch.basic_ack(method.delivery_tag)
    print(f"runner: workflow {job['id']} finished", flush=True)


if __name__ == "__main__":
    run(sys.argv[1])
