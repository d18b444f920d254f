import os
import signal
import sys

from django.core.wsgi import get_wsgi_application

# waitress runs as PID 1 of its container, where the kernel ignores SIGTERM unless the process
# handles it: `docker stop` and Pulumi's delete would wait out the grace period and SIGKILL.
# SystemExit makes waitress finish the requests in hand (up to 5 s) and return. Under gunicorn
# (the production profile) this module loads in worker processes, not PID 1, whose own SIGTERM
# handler does the graceful stop: replacing it would cut requests short.
if os.getpid() == 1:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biostar.settings")
application = get_wsgi_application()
