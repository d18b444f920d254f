"""The twins' processes, started by the images' own commands: web (apache2-foreground), api
(Rscript entrypoint.R), bety (the entrypoint's unicorn), docs (httpd-foreground), dbsync (the
Shiny server script), rstudio (/init), monitor (python3 monitor.py)."""
import sys

if sys.argv[1] == "monitor":
    from . import monitor
    monitor.main()
else:
    from . import http
    http.serve(sys.argv[1])
