"""Starts WattRex's master node manager (wattrex-mn-manager) as the seed's devops/mn_manager/run.py
does: the package ships the node but no program to run it. The logger must be set up before the
package is imported (its modules read their levels from log_config.yaml when imported); the node
then runs in this thread until SIGTERM, which ends its loop so it closes its MQTT session."""
import signal
import threading

from system_logger_tool import SysLogLoggerC, sys_log_logger_get_module_logger

SysLogLoggerC(file_log_levels="./devops/mn_manager/log_config.yaml")
log = sys_log_logger_get_module_logger(__name__)

from wattrex_mn_manager import MnManagerNodeC  # noqa: E402  (after the logger, as the package requires)

CYCLE_PERIOD_MS = 750  # the seed's


def main():
    working = threading.Event()
    working.set()
    signal.signal(signal.SIGTERM, lambda *_: working.clear())
    node = MnManagerNodeC(working_flag=working, cycle_period=CYCLE_PERIOD_MS)
    log.info("Running MN Manager Node")
    node.run()


if __name__ == "__main__":
    main()
