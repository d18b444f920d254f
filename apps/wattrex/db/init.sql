-- Run once by the database container on first start (the seed's ".sql script").
CREATE TABLE IF NOT EXISTS experiment (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL);
CREATE TABLE IF NOT EXISTS mn_status (id INT PRIMARY KEY, mqtt_connected BOOLEAN NOT NULL, updated DATETIME NOT NULL);
INSERT INTO experiment (name) VALUES ('Cycle test: LFP cell 1');
