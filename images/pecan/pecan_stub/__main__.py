"""One image, one role per container. The role is PECAN_ROLE (web, api, bety, executor, runner),
or the command PEcAn's BETY image takes for the database set-up: `initialize` (load the schema)
and `user` (add the first users)."""
import os
import sys

COMMANDS = {"initialize": "init-schema", "user": "init-users"}
ROLES = ("web", "api", "bety", "executor", "runner")

role = COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else os.environ.get("PECAN_ROLE")
if role is None or (role not in ROLES and role not in COMMANDS.values()):
    sys.exit(f"pecan stand-in: set PECAN_ROLE to one of {', '.join(ROLES)} or run initialize|user (got role={role!r}, args={sys.argv[1:]})")
if role in ("web", "api", "bety"):
    from . import http
    http.serve(role)
elif role in ("executor", "runner"):
    from . import worker
    worker.run(role)
else:
    from . import init
    init.run(role)
