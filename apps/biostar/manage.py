#!/usr/bin/env python3
import os
import signal
import sys

if __name__ == "__main__":
    # PID 1 of a job's container: exit on SIGTERM rather than wait for SIGKILL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biostar.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
