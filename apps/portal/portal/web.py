"""The portal's pages: what the ingest stored, read from MongoDB on every request."""
from flask import Flask, render_template

from portal.db import client, database

app = Flask(__name__)
# One client per worker process: pymongo pools connections and reconnects by itself.
_client = client()


@app.get("/")
def index():
    db = database(_client)
    orgs = list(db.organizations.find({}, {"_id": 0}).sort("name", 1))
    runs = db.ingest_runs.count_documents({})
    recent = list(db.ingest_runs.find({}, {"_id": 0}).sort("started", -1).limit(5))
    return render_template("index.html", orgs=orgs, runs=runs, recent=recent)


@app.get("/healthz")
def healthz():
    # Healthy only when the database answers an authenticated command.
    database(_client).command("ping")
    return "ok\n"
