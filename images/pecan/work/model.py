# Twin of PEcAn's model.py: consumes the queue <type>_<version> of /work/model.json.
from pecan_twin import worker

worker.model("/work/model.json")
