# Twin of PEcAn's executor.py: consumes RABBITMQ_QUEUE (default pecan) from RABBITMQ_URI.
from pecan_twin import worker

worker.executor()
