"""Connection settings, read the way PEcAn's containers get them: plain settings from the
environment, credentials from files under /run/secrets (never from environment values)."""
import json
import os


def read_file(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def db_params():
    return {
        "host": os.environ.get("PGHOST", "postgres"),
        "port": int(os.environ.get("PGPORT", "5432")),
        "dbname": os.environ.get("PGDATABASE", "bety"),
        "user": os.environ.get("PGUSER", "bety"),
        "password": read_file(os.environ["PGPASSWORD_FILE"]),
        "connect_timeout": 5,
    }


def rabbitmq_uri():
    return read_file(os.environ["RABBITMQ_URI_FILE"])


def machine_id():
    return int(os.environ.get("PECAN_MACHINE_ID", "0"))


def sync_peers():
    path = os.environ.get("PECAN_SYNC_PEERS_FILE")
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def data_dir():
    return os.environ.get("PECAN_DATA_DIR", "/data")
