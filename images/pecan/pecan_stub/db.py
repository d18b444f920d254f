import psycopg2

from . import settings


def connect():
    return psycopg2.connect(**settings.db_params())


def query(sql, args=()):
    with connect() as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None
