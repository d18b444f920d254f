-- Run once by the database container on first start (the seed's ".sql script").
CREATE TABLE IF NOT EXISTS experiment (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL);
INSERT INTO experiment (name) VALUES ('Cycle test: LFP cell 1');
-- The master database's tables the master node manager (wattrex-mn-manager 1.0.9, through
-- wattrex-driver-db 0.0.113) reads and writes: computational units register over MQTT, and each
-- cycle it marks them available or not by their last heartbeat. Columns as the driver maps them.
CREATE TABLE IF NOT EXISTS ComputationalUnit (
  CUID MEDIUMINT UNSIGNED NOT NULL PRIMARY KEY,
  MAC VARCHAR(30) NOT NULL,
  HostName VARCHAR(50) NOT NULL,
  IP VARCHAR(20) NOT NULL,
  Port SMALLINT UNSIGNED NOT NULL,
  User VARCHAR(30) NOT NULL,
  LastConnection DATETIME NOT NULL,
  Available ENUM('ON', 'OFF') NOT NULL
);
CREATE TABLE IF NOT EXISTS DetectedDevices (
  DevID MEDIUMINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  CUID MEDIUMINT UNSIGNED NOT NULL,
  CompDevID MEDIUMINT UNSIGNED NOT NULL,
  SN VARCHAR(30) NOT NULL,
  LinkName VARCHAR(30) NOT NULL,
  ConnStatus ENUM('CONNECTED', 'DISCONNECTED') NOT NULL,
  FOREIGN KEY (CUID) REFERENCES ComputationalUnit (CUID)
);
