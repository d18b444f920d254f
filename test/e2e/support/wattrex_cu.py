"""A computational unit (a cycler's controller) registering with WattRex's master node manager,
as the seed's CUs do: DISCOVER on /register, the manager OFFERs a cu_id on /inform_reg, REQUEST
it, the manager writes the unit to MySQL and ACKs. Run inside the node manager's container (it
has paho-mqtt and the protocol's datatypes, and the broker credentials in its .cred.yaml, which
never pass through the test). Prints "registered <cu_id>" or exits non-zero."""
import pickle
import queue
import sys

import paho.mqtt.client as mqtt
import yaml
from wattrex_cycler_datatypes.comm_data import CommDataCuC, CommDataRegisterTypeE

MAC = 0x0242AC110099
with open("/code/devops/mn_manager/.cred.yaml") as f:
    cred = yaml.safe_load(f)["mqtt"]

replies = queue.Queue()
client = mqtt.Client(client_id="e2e-cu")
client.username_pw_set(cred["user"], cred["password"])
client.on_message = lambda c, u, msg: replies.put(pickle.loads(msg.payload))
client.connect(cred["host"], int(cred["port"]))
client.subscribe("/inform_reg", qos=1)
client.loop_start()


def exchange(msg_type, cu_id, expect):
    unit = CommDataCuC(msg_type=msg_type, mac=MAC, user="e2e", ip="10.0.0.99", port=0, hostname="e2e-cu", cu_id=cu_id)
    client.publish("/register", pickle.dumps(unit), qos=1)
    while True:
        try:
            reply = replies.get(timeout=20)
        except queue.Empty:
            sys.exit(f"no {expect.name} from the node manager within 20 s")
        if isinstance(reply, CommDataCuC) and reply.mac == MAC and reply.msg_type is expect:
            return reply.cu_id


cu_id = exchange(CommDataRegisterTypeE.DISCOVER, 0, CommDataRegisterTypeE.OFFER)
acked = exchange(CommDataRegisterTypeE.REQUEST, cu_id, CommDataRegisterTypeE.ACK)
client.loop_stop()
print(f"registered {acked}")
