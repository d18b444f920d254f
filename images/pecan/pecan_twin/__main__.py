"""The server twins, started by the images' own commands: web (apache2-foreground), api (Rscript
entrypoint.R), bety (the entrypoint's unicorn)."""
import sys

from . import http

http.serve(sys.argv[1])
