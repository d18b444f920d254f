"""Master node manager stand-in: reads .cred.yaml, log_config.yaml and CONFIG_FILE_PATH as the
real one does, keeps an MQTT session to the broker and records a heartbeat in the database."""
import logging
import os
import pathlib
import time

import MySQLdb
import paho.mqtt.client as mqtt
import yaml

HERE = pathlib.Path(os.environ.get("MN_CONFIG_DIR", "/app/devops/mn_manager"))
HEALTH_FILE = pathlib.Path("/tmp/healthy")


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def main():
    cred = load(HERE / ".cred.yaml")
    levels = load(HERE / "log_config.yaml")
    params = load(os.environ["CONFIG_FILE_PATH"])  # the seed makes this variable mandatory
    logging.basicConfig(level=levels.get("__main__", "INFO"))
    log = logging.getLogger("wattrex_mn_manager")
    log.info("shared tool params: %s", params.get("system_shared_tool"))

    db_cfg, mq_cfg = cred["master_db"], cred["mqtt"]
    client = mqtt.Client(client_id="wattrex-mn-manager")
    client.username_pw_set(mq_cfg["user"], mq_cfg["password"])
    client.connect(mq_cfg["host"], int(mq_cfg["port"]))
    client.loop_start()
    # loop_start() returns before the MQTT handshake is done: wait for it (up to 10 s), or the
    # first heartbeat says "not connected" and health comes a whole period later (it took 2 s
    # or 7 s at random).
    for _ in range(100):
        if client.is_connected():
            break
        time.sleep(0.1)
    db = MySQLdb.connect(host=db_cfg["host"], port=int(db_cfg["port"]), user=db_cfg["user"],
                         password=db_cfg["password"], database=db_cfg["database"], autocommit=True)
    while True:
        connected = client.is_connected()
        if connected:
            client.publish("wattrex/mn_manager/heartbeat", str(time.time()))
        db.ping(True)
        with db.cursor() as c:
            c.execute("REPLACE INTO mn_status (id, mqtt_connected, updated) VALUES (1, %s, NOW())", (connected,))
        if connected:
            HEALTH_FILE.touch()
        log.info("heartbeat: mqtt %s", "connected" if connected else "not connected")
        time.sleep(5)


if __name__ == "__main__":
    main()
