-- The part of BETY's schema the twins use (BETY's own dump has some 100 tables), with the rows of
-- BETY's dump they rely on, by the same ids: the model types and models PEcAn's runners announce,
-- and the sites and formats PEcAn's data loader (pecan/data) registers its files under.
CREATE TABLE machines (id serial PRIMARY KEY, hostname text NOT NULL, sync_host_id integer NOT NULL DEFAULT 99);
CREATE TABLE modeltypes (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE models (id serial PRIMARY KEY, model_name text NOT NULL, modeltype_id integer REFERENCES modeltypes, revision text NOT NULL);
CREATE TABLE users (id serial PRIMARY KEY, login text UNIQUE NOT NULL, name text NOT NULL, email text NOT NULL,
  crypted_password text NOT NULL, salt text NOT NULL, access_level integer NOT NULL, page_access_level integer NOT NULL,
  created_at timestamp NOT NULL, updated_at timestamp NOT NULL);
CREATE TABLE workflows (id serial PRIMARY KEY, folder text, model text NOT NULL, created_at timestamp NOT NULL DEFAULT now());
CREATE TABLE sites (id serial PRIMARY KEY, sitename text NOT NULL);
CREATE TABLE mimetypes (id serial PRIMARY KEY, type_string text NOT NULL);
CREATE TABLE formats (id serial PRIMARY KEY, mimetype_id integer REFERENCES mimetypes, name text NOT NULL);
CREATE TABLE inputs (id serial PRIMARY KEY, site_id integer REFERENCES sites, format_id integer REFERENCES formats, name text NOT NULL DEFAULT '',
  start_date timestamp, end_date timestamp);
CREATE TABLE dbfiles (id serial PRIMARY KEY, container_type text NOT NULL, container_id integer NOT NULL, file_name text NOT NULL,
  file_path text NOT NULL, machine_id integer REFERENCES machines);
INSERT INTO machines (hostname) VALUES ('localhost');
INSERT INTO modeltypes (id, name) VALUES (1, 'ED2'), (3, 'SIPNET');
INSERT INTO models (model_name, modeltype_id, revision) VALUES ('SIPNET', 3, 'git'), ('ED2', 1, 'git');
INSERT INTO sites (id, sitename) VALUES (76, 'EBI Farm'), (676, 'Willow Creek (US-WCr)'), (758, 'Harvard Forest EMS Tower (HFR1)');
INSERT INTO mimetypes (id, type_string) VALUES (1, 'text/plain');
INSERT INTO formats (id, mimetype_id, name) VALUES (10, 1, 'ED2 site'), (11, 1, 'ED2 cohort'), (12, 1, 'ED met driver header'), (15, 1, 'ED2 patch'), (24, 1, 'Sipnet.climna');
SELECT setval('modeltypes_id_seq', 1000), setval('sites_id_seq', 1000), setval('mimetypes_id_seq', 1000), setval('formats_id_seq', 1000);
