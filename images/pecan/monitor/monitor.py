# Twin of PEcAn's docker/monitor/monitor.py, started the same way (python3 monitor.py in /src).
from pecan_twin import monitor

monitor.main()
