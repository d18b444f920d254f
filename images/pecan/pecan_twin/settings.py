"""Settings, read as PEcAn's and BETY's images read them: plain environment variables, with
their images' defaults. Each function names the variables of one image's contract."""
import os


def env(name, default=None):
    return os.environ.get(name, default)


def bety_db():
    """The web UI and BETY: the application role BETYUSER/BETYPASSWORD on BETYDATABASE."""
    return dict(host=env("PGHOST", "postgres"), port=int(env("PGPORT", "5432")), dbname=env("BETYDATABASE", "bety"),
                user=env("BETYUSER", "bety"), password=env("BETYPASSWORD", "bety"), connect_timeout=5)


def api_db():
    """The API (PEcAn.DB::betyConnect): libpq's PG* variables."""
    return dict(host=env("PGHOST", "postgres"), port=int(env("PGPORT", "5432")), dbname=env("PGDATABASE", "bety"),
                user=env("PGUSER", "bety"), password=env("PGPASSWORD", "bety"), connect_timeout=5)


def rabbitmq_uri():
    return env("RABBITMQ_URI", "amqp://guest:guest@rabbitmq/%2F")
