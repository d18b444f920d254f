"""The database initialisation PEcAn's docker setup runs once: load the BETY schema, then add the
first users. Each step records itself in appstacks_init, so it never runs twice on one database
(a second deployment, or a new one on a kept volume, finds the marker and does nothing)."""
import os
import sys

from . import db, settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS appstacks_init (step text PRIMARY KEY, done_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE machines (id integer PRIMARY KEY, hostname text NOT NULL);
CREATE TABLE models (id serial PRIMARY KEY, model_name text NOT NULL, revision text NOT NULL);
CREATE TABLE users (id serial PRIMARY KEY, login text UNIQUE NOT NULL, name text NOT NULL, access_level integer NOT NULL);
CREATE TABLE workflows (id serial PRIMARY KEY, model text NOT NULL, status text NOT NULL, runner text, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO models (model_name, revision) VALUES ('SIPNET', 'git'), ('ED2', 'git');
"""

# PECAN_FIRST_USERS: login:access_level pairs, e.g. "carya:1,guest:4".
USERS_ENV = "PECAN_FIRST_USERS"


def already_done(cur, step):
    cur.execute("CREATE TABLE IF NOT EXISTS appstacks_init (step text PRIMARY KEY, done_at timestamptz NOT NULL DEFAULT now())")
    cur.execute("SELECT 1 FROM appstacks_init WHERE step = %s", (step,))
    return cur.fetchone() is not None


def run(role):
    step = role.removeprefix("init-")
    with db.connect() as conn, conn.cursor() as cur:
        # One transaction: the marker and the work land together or not at all.
        cur.execute("SELECT pg_advisory_xact_lock(4242)")
        if already_done(cur, step):
            print(f"init {step}: already done on this database, nothing to do")
            return
        if step == "schema":
            cur.execute(SCHEMA)
            cur.execute("INSERT INTO machines (id, hostname) VALUES (%s, %s)", (settings.machine_id(), "this instance"))
        elif step == "users":
            cur.execute("SELECT 1 FROM appstacks_init WHERE step = 'schema'")
            if cur.fetchone() is None:
                sys.exit("init users: the schema is not loaded (init-schema must run first)")
            users = [u.split(":") for u in os.environ.get(USERS_ENV, "carya:1").split(",") if u]
            cur.executemany("INSERT INTO users (login, name, access_level) VALUES (%s, %s, %s)", [(login, login, int(level)) for login, level in users])
        cur.execute("INSERT INTO appstacks_init (step) VALUES (%s)", (step,))
        print(f"init {step}: done")
