"""Runs the ingest every INGEST_INTERVAL_SECONDS (the seed: APScheduler, interval, 24 hours).
The first run happens at deployment (the ingest job), so the first scheduled one is an interval
later. A heartbeat file lets the container's health check see the scheduler is alive."""
import datetime
import os
import pathlib
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler

from portal import ingest

HEARTBEAT = pathlib.Path(os.environ.get("HEARTBEAT_FILE", "/tmp/scheduler-alive"))


def scheduled_ingest() -> None:
    try:
        ingest.run()
    except Exception as e:  # a failed run is logged; the next interval tries again
        print(f"ingest failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)


def main() -> None:
    interval = int(os.environ.get("INGEST_INTERVAL_SECONDS", "86400"))
    sched = BlockingScheduler(timezone=datetime.timezone.utc)
    first = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=interval)
    sched.add_job(scheduled_ingest, "interval", seconds=interval, next_run_time=first, max_instances=1, coalesce=True)
    sched.add_job(HEARTBEAT.touch, "interval", seconds=5, next_run_time=datetime.datetime.now(datetime.timezone.utc))
    print(f"scheduler: ingest every {interval}s, next at {first.isoformat()}", flush=True)
    # PID 1 of its container: the kernel ignores SIGTERM unless the process handles it. The
    # scheduler stops taking jobs and lets an ingest in hand finish, then start() returns.
    signal.signal(signal.SIGTERM, lambda *_: sched.shutdown(wait=False))
    sched.start()
    print("scheduler: stopped", flush=True)


if __name__ == "__main__":
    main()
