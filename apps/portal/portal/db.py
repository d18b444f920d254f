"""The MongoDB connection every part of the portal shares. Credentials come from files (Docker
secrets), never from the environment: MONGO_USERNAME_FILE and MONGO_PASSWORD_FILE."""
import os
from urllib.parse import quote_plus

from pymongo import MongoClient


def _read(env: str) -> str:
    with open(os.environ[env], encoding="utf-8") as f:
        return f.read().strip()


def client(timeout_ms: int = 5000) -> MongoClient:
    user, password = quote_plus(_read("MONGO_USERNAME_FILE")), quote_plus(_read("MONGO_PASSWORD_FILE"))
    host = os.environ.get("MONGO_HOST", "mongo")
    port = os.environ.get("MONGO_PORT", "27017")
    # The root user the mongo image creates lives in the admin database.
    uri = f"mongodb://{user}:{password}@{host}:{port}/?authSource=admin&authMechanism=SCRAM-SHA-256"
    return MongoClient(uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms)


def database(c: MongoClient):
    return c[os.environ.get("MONGO_DATABASE", "portal")]
