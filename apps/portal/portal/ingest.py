"""The data ingest/update (the seed's schedUpdate): fetch the organisations and their libraries,
upsert them, and record the run. Idempotent, so a repeated run only refreshes the data.

Run once: python3 -m portal.ingest"""
import datetime
import json
import os
import signal
import sys
import urllib.request
import uuid

from portal.db import client, database

BUNDLED = os.path.join(os.path.dirname(__file__), "data", "organizations.json")


def fetch() -> list:
    url = os.environ.get("INGEST_SOURCE_URL", "")
    if url:
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.load(r)
    with open(BUNDLED, encoding="utf-8") as f:
        return json.load(f)


def run() -> str:
    run_id = uuid.uuid4().hex
    started = datetime.datetime.now(datetime.timezone.utc)
    orgs = fetch()
    c = client()
    try:
        db = database(c)
        for org in orgs:
            db.organizations.replace_one({"name": org["name"]}, {**org, "updated_run": run_id}, upsert=True)
        db.ingest_runs.insert_one({"run_id": run_id, "started": started, "records": len(orgs)})
    finally:
        c.close()
    print(f"ingest run {run_id}: {len(orgs)} organizations", flush=True)
    return run_id


if __name__ == "__main__":
    # PID 1 of a job's container: exit on SIGTERM rather than wait for SIGKILL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        run()
    except Exception as e:  # one line, non-zero exit: the deployment reports the job failed
        print(f"ingest failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
