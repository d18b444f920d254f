-- The part of BETY's schema the twins use (BETY's own dump has some 100 tables).
CREATE TABLE machines (id serial PRIMARY KEY, hostname text NOT NULL, sync_host_id integer NOT NULL DEFAULT 99);
CREATE TABLE models (id serial PRIMARY KEY, model_name text NOT NULL, revision text NOT NULL);
CREATE TABLE users (id serial PRIMARY KEY, login text UNIQUE NOT NULL, name text NOT NULL, email text NOT NULL,
  crypted_password text NOT NULL, salt text NOT NULL, access_level integer NOT NULL, page_access_level integer NOT NULL,
  created_at timestamp NOT NULL, updated_at timestamp NOT NULL);
CREATE TABLE workflows (id serial PRIMARY KEY, folder text, model text NOT NULL, created_at timestamp NOT NULL DEFAULT now());
INSERT INTO machines (hostname) VALUES ('localhost');
INSERT INTO models (model_name, revision) VALUES ('SIPNET', 'git'), ('ED2', 'git');
