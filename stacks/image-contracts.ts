// The contracts of the images our defaults name: what each promises whoever runs it, read from
// its upstream sources (docs/contracts.md tells the story of each fact, with the commit it was
// read at). The stacks may rely on these facts and nothing else: test/unit/contracts.test.ts
// checks every service of every stack against this table, and the offline stand-ins under
// images/ are twins of it, so a green e2e on the stand-ins is evidence about the real images.
// Add an entry when a default names a new image.

import { repository as repositoryOf } from "../components/image-ref";

export interface ImageContract {
  /** Exact references this contract covers, as the defaults write them. */
  readonly refs: readonly string[];
  /** Ports the image's process listens on. */
  readonly ports: readonly number[];
  /** A server whose config chooses its ports: files under this path add each `listen <port>`. */
  readonly listenIn?: string;
  /** A server whose command line chooses its ports: each match of this pattern's group 1 in the command adds a port. */
  readonly listenArg?: RegExp;
  /** Environment variables it reads (a *_FILE variant only where the image reads one). */
  readonly env: readonly string[];
  /** Files and directories (ending in /) it reads configuration or first-start scripts from. */
  readonly files: readonly string[];
  /** Where it keeps data: the paths a volume may be mounted at. */
  readonly data: readonly string[];
  /** Executables in the image that a health check may call. */
  readonly tools: readonly string[];
  /** Its ENTRYPOINT and CMD, which a wrapper in front of them must run unchanged. */
  readonly entrypoint: readonly string[];
  readonly command: readonly string[];
  /**
   * The signal `docker stop` and Pulumi's delete send first (its STOPSIGNAL): the process shuts
   * down cleanly on it within the service's grace period. @default "SIGTERM" (no STOPSIGNAL)
   */
  readonly stopSignal?: string;
  /** The upstream files these facts were read from (repository@commit path). */
  readonly sources: readonly string[];
}

// The essential tools of a Debian or Ubuntu base: present in every image built on one.
const DEBIAN = ["sh", "bash", "cat", "grep", "find", "head", "hostname", "test"];
const PG_ENV = ["POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE", "POSTGRES_USER", "POSTGRES_USER_FILE", "POSTGRES_DB", "POSTGRES_DB_FILE", "POSTGRES_INITDB_ARGS", "POSTGRES_INITDB_ARGS_FILE", "POSTGRES_HOST_AUTH_METHOD", "POSTGRES_INITDB_WALDIR", "PGDATA"];
const PG = { ports: [5432], env: PG_ENV, files: ["/docker-entrypoint-initdb.d/"], data: ["/var/lib/postgresql/data"], tools: [...DEBIAN, "pg_isready", "psql"], entrypoint: ["docker-entrypoint.sh"], command: ["postgres"], stopSignal: "SIGINT" };
const RABBITMQ = {
  env: ["RABBITMQ_USE_LONGNAME"],
  // conf.d is read by default; enabled_plugins replaces the image's list (so it must repeat it).
  files: ["/etc/rabbitmq/conf.d/", "/etc/rabbitmq/enabled_plugins", "/etc/rabbitmq/rabbitmq.conf"],
  data: ["/var/lib/rabbitmq"],
  tools: [...DEBIAN, "rabbitmq-diagnostics", "rabbitmqctl", "rabbitmq-plugins"],
  entrypoint: ["docker-entrypoint.sh"], command: ["rabbitmq-server"],
};
// RabbitMQ's MQTT listener, there once a deployment's enabled_plugins turns the plugin on.
const MQTT = 1883;
// What every PEcAn image built on pecan/base has (from pecan/depends).
const PECAN_BASE = [...DEBIAN, "curl", "python3"];
const PECAN = "PecanProject/pecan@v1.8.0";
const BETY = "PecanProject/bety@7165d638";
const BETY_ENV = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "BETYUSER", "BETYPASSWORD", "BETYDATABASE", "SECRET_KEY_BASE"];

export const IMAGE_CONTRACTS: readonly ImageContract[] = [
  { refs: ["postgres:16.4"], ...PG, sources: ["docker-library/postgres@c9906f92 16/bookworm/Dockerfile", "16/bookworm/docker-entrypoint.sh"] },
  {
    refs: ["postgis/postgis:12-3.3"], ...PG,
    sources: ["postgis/docker-postgis@734a1767 12-3.3/Dockerfile, initdb-postgis.sh", "docker-library/postgres@9061f74a 12/bullseye/docker-entrypoint.sh"],
  },
  {
    refs: ["mysql:8.4"], ports: [3306, 33060],
    env: ["MYSQL_ROOT_HOST", "MYSQL_DATABASE", "MYSQL_DATABASE_FILE", "MYSQL_USER", "MYSQL_USER_FILE", "MYSQL_PASSWORD", "MYSQL_PASSWORD_FILE", "MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD", "MYSQL_ONETIME_PASSWORD", "MYSQL_INITDB_SKIP_TZINFO"],
    files: ["/docker-entrypoint-initdb.d/", "/etc/mysql/conf.d/"], data: ["/var/lib/mysql"],
    // Oracle Linux, not Debian: bash, grep and cat, but no find or hostname are promised.
    tools: ["sh", "bash", "cat", "grep", "test", "mysqladmin", "mysql"],
    entrypoint: ["docker-entrypoint.sh"], command: ["mysqld"],
    sources: ["docker-library/mysql@99f090f8 8.4/Dockerfile.oracle, 8.4/docker-entrypoint.sh"],
  },
  { refs: ["rabbitmq:3.13"], ports: [4369, 5671, 5672, 15691, 15692, 25672, MQTT], ...RABBITMQ, sources: ["docker-library/rabbitmq@dac149a9 3.13/ubuntu/Dockerfile, docker-entrypoint.sh, 10-defaults.conf"] },
  {
    refs: ["rabbitmq:3.13-management"], ports: [4369, 5671, 5672, 15671, 15672, 15691, 15692, 25672, MQTT], ...RABBITMQ,
    sources: ["docker-library/rabbitmq@dac149a9 3.13/ubuntu/management/Dockerfile"],
  },
  {
    refs: ["mongo:7.0"], ports: [27017],
    env: ["MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_USERNAME_FILE", "MONGO_INITDB_ROOT_PASSWORD", "MONGO_INITDB_ROOT_PASSWORD_FILE", "MONGO_INITDB_DATABASE"],
    files: ["/docker-entrypoint-initdb.d/"], data: ["/data/db", "/data/configdb"],
    tools: [...DEBIAN, "mongosh", "jq"],
    entrypoint: ["docker-entrypoint.sh"], command: ["mongod"],
    sources: ["docker-library/mongo@b05f3db9 7.0/Dockerfile, 7.0/docker-entrypoint.sh"],
  },
  {
    refs: ["nginx:1.27"], ports: [80], listenIn: "/etc/nginx/conf.d/", env: ["NGINX_ENTRYPOINT_QUIET_LOGS"],
    files: ["/etc/nginx/conf.d/", "/etc/nginx/nginx.conf", "/etc/nginx/templates/", "/usr/share/nginx/html/"], data: [],
    tools: [...DEBIAN, "curl", "nginx"],
    entrypoint: ["/docker-entrypoint.sh"], command: ["nginx", "-g", "daemon off;"], stopSignal: "SIGQUIT",
    sources: ["nginx/docker-nginx@eaf8875a mainline/debian/Dockerfile, docker-entrypoint.sh"],
  },
  {
    // Alpine + the traefik binary. 80 is the image's EXPOSE; the entry points the command line
    // declares add theirs, and --ping opens the `traefik` entry point on 8080.
    refs: ["traefik:v3.6"], ports: [80, 8080], listenArg: /--entrypoints\.[^.=]+\.address=[^:=]*:(\d+)/g, env: [], files: ["/etc/traefik/"], data: [],
    tools: ["sh", "wget", "cat", "grep", "test", "traefik"], entrypoint: ["/entrypoint.sh"], command: ["traefik"],
    sources: ["traefik/traefik-library-image@v3.6 alpine/Dockerfile, alpine/entrypoint.sh", "traefik/traefik@v3.6.12 pkg/config/static/static_config.go, cmd/healthcheck/healthcheck.go"],
  },
  {
    refs: ["redis:7.2"], ports: [6379], env: [], files: ["/usr/local/etc/redis/"], data: ["/data"],
    tools: [...DEBIAN, "redis-cli"], entrypoint: ["docker-entrypoint.sh"], command: ["redis-server"],
    sources: ["docker-library/redis@e9204996 7.2/debian/Dockerfile, docker-entrypoint.sh"],
  },
  {
    refs: ["registry:2.8"], ports: [5000], env: ["REGISTRY_HTTP_ADDR", "REGISTRY_STORAGE_DELETE_ENABLED"],
    files: ["/etc/docker/registry/config.yml"], data: ["/var/lib/registry"],
    // Alpine: BusyBox's sh and wget, no bash.
    tools: ["sh", "wget", "cat", "grep", "test"],
    entrypoint: ["/entrypoint.sh"], command: ["/etc/docker/registry/config.yml"],
    sources: ["distribution/distribution-library-image@6ab34a76 Dockerfile, docker-entrypoint.sh", "docker/distribution@020bd0b4 docs/configuration.md"],
  },
  {
    // php:8-apache under PEcAn's web UI: Apache on 8080, config.php reads BETY's and the broker's settings.
    refs: ["pecan/web:1.8.0"], ports: [8080],
    env: ["PGHOST", "PGPORT", "BETYUSER", "BETYPASSWORD", "BETYDATABASE", "SECRET_KEY_BASE", "NAME", "FQDN", "RABBITMQ_URI"],
    files: [], data: ["/data", "/var/www/html/pecan/data"], tools: [...DEBIAN, "curl", "php"],
    // php:apache's STOPSIGNAL SIGWINCH (Apache's graceful stop); PEcAn's Dockerfile keeps it.
    entrypoint: ["docker-php-entrypoint"], command: ["apache2-foreground"], stopSignal: "SIGWINCH",
    sources: [`${PECAN} docker/web/Dockerfile, docker/web/config.docker.php, docker-compose.yml`, "docker-library/php@092d7bde 8.3/bookworm/apache/Dockerfile"],
  },
  {
    refs: ["pecan/api:1.8.0"], ports: [8000],
    env: ["AUTH_REQ", "HOST_ONLY", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "RABBITMQ_URI", "DATA_DIR", "DBFILES_DIR", "SECRET_KEY_BASE"],
    files: [], data: ["/data"], tools: PECAN_BASE,
    entrypoint: [], command: ["Rscript", "entrypoint.R"],
    sources: [`${PECAN} apps/api/Dockerfile, apps/api/R/entrypoint.R, base/db/R/get_postgres_envvars.R`],
  },
  {
    refs: ["pecan/executor:1.8.0"], ports: [], env: ["RABBITMQ_URI", "RABBITMQ_QUEUE", "RABBITMQ_PREFIX", "RABBITMQ_PORT", "APPLICATION", "FQDN"],
    files: [], data: ["/data"], tools: PECAN_BASE,
    entrypoint: [], command: ["python3", "/work/executor.py"],
    sources: [`${PECAN} docker/executor/Dockerfile, docker/executor/executor.py`],
  },
  {
    refs: ["pecan/model-sipnet-git:1.8.0", "pecan/model-ed2-git:1.8.0"], ports: [], env: ["RABBITMQ_URI", "APPLICATION"],
    files: [], data: ["/data"], tools: PECAN_BASE,
    entrypoint: [], command: ["python3", "/work/model.py"],
    sources: [`${PECAN} docker/models/Dockerfile, docker/models/model.py, models/sipnet/Dockerfile`],
  },
  {
    // httpd (Debian, no curl) serving PEcAn's home page at / and its book under /docs/pecan/.
    refs: ["pecan/docs:1.8.0"], ports: [80], env: [],
    files: [], data: [], tools: DEBIAN,
    entrypoint: [], command: ["httpd-foreground"], stopSignal: "SIGWINCH",
    sources: [`${PECAN} docker/docs/Dockerfile, docker-compose.yml`, "docker-library/httpd 2.4/Dockerfile (CMD httpd-foreground, STOPSIGNAL SIGWINCH)"],
  },
  {
    // python:3.12 (Debian, with curl): hears the runners' heartbeats, registers models in BETY, serves them on 9999.
    refs: ["pecan/monitor:1.8.0"], ports: [9999],
    env: ["RABBITMQ_URI", "RABBITMQ_MGMT_PORT", "RABBITMQ_MGMT_PATH", "RABBITMQ_MGMT_URL", "PGHOST", "PGPORT", "BETYUSER", "BETYPASSWORD", "BETYDATABASE", "FQDN"],
    files: [], data: ["/data"], tools: [...DEBIAN, "curl", "python3"],
    entrypoint: [], command: ["/bin/sh", "-c", "python3 monitor.py"],
    sources: [`${PECAN} docker/monitor/Dockerfile, docker/monitor/monitor.py, docker-compose.yml`],
  },
  {
    // rocker/shiny: the database sync app on 3838, reading BETY with libpq's variables.
    refs: ["pecan/shiny-dbsync:1.8.0"], ports: [3838],
    env: ["PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "GEOCACHE"],
    files: [], data: [], tools: DEBIAN,
    entrypoint: [], command: ["/bin/sh", "-c", "/srv/shiny-server/save-env-shiny.sh"],
    sources: [`${PECAN} shiny/dbsync/Dockerfile, shiny/dbsync/save-env-shiny.sh, docker.sh`],
  },
  {
    // PEcAn's R base on rocker: /work/rstudio.sh (compose's RStudio command) ends in rocker's /init, RStudio Server on 8787 for USER/PASSWORD.
    refs: ["pecan/base:1.8.0"], ports: [8787],
    env: ["USER", "PASSWORD", "USERID", "GROUPID", "KEEP_ENV", "RABBITMQ_URI", "RABBITMQ_PREFIX", "RABBITMQ_PORT", "FQDN", "NAME"],
    files: [], data: ["/data", "/home"], tools: PECAN_BASE,
    entrypoint: [], command: ["/bin/sh", "-c", "Rscript --vanilla workflow.R | tee workflow.Rout"],
    sources: [`${PECAN} docker/base/Dockerfile, docker/base/rstudio.sh, docker-compose.yml`],
  },
  {
    // Alpine with bash, curl, psql, unzip: unpacks its archives into /data and registers them in BETY for FQDN; psql reads libpq's PG*.
    refs: ["pecan/data:1.8.0"], ports: [], env: ["FQDN", "PSQL", "PGPASSWORD"],
    files: [], data: ["/data"], tools: ["sh", "bash", "curl", "psql", "unzip", "rsync"],
    entrypoint: [], command: ["/bin/sh", "-c", "bash /work/add-data.sh"],
    sources: [`${PECAN} docker/data/Dockerfile, docker/data/add-data.sh, docker/data/add.util.sh, docker.sh`],
  },
  {
    // ruby:2.7 + postgresql-client, running as bety (uid 1000); its entrypoint's commands (user, fix, sync, unicorn…).
    refs: ["pecan/bety:5.4.1"], ports: [8000],
    env: [...BETY_ENV, "LOCAL_SERVER", "REMOTE_SERVERS", "RAILS_ENV", "RAILS_RELATIVE_URL_ROOT", "UNICORN_WORKER_PROCESSES", "UNICORN_PORT", "INITIALIZE_FLAGS", "INITIALIZE_URL"],
    files: [], data: ["/home/bety/log"], tools: [...DEBIAN, "curl", "nc", "psql", "pg_isready", "ruby"],
    entrypoint: ["/home/bety/docker/entrypoint.sh"], command: ["unicorn"],
    sources: [`${BETY} Dockerfile, docker/entrypoint.sh, docker/database.yml, script/betyuser.sh`],
  },
  {
    // Alpine + PostgreSQL's client: loads BETY's dump into a server once, as its superuser.
    refs: ["pecan/db:5.4.1"], ports: [], env: [...BETY_ENV, "FORCE"],
    files: [], data: [], tools: ["sh", "cat", "grep", "test", "psql", "pg_restore"],
    entrypoint: [], command: ["/bin/sh", "-c", "/initdb.sh"],
    sources: [`${BETY} initdb/Dockerfile, initdb/initdb.sh`],
  },
];

/** The contract of an image reference, or undefined for an image we do not know. */
export function contractOf(ref: string): ImageContract | undefined {
  return IMAGE_CONTRACTS.find((c) => c.refs.includes(ref));
}

/**
 * The entrypoint and command of an image, by repository (whatever the tag), for a service that
 * puts a wrapper in front of them.
 */
export function imageRun(repository: string): { entrypoint: string[]; command: string[] } {
  const c = IMAGE_CONTRACTS.find((k) => k.refs.some((r) => repositoryOf(r) === repository));
  if (c === undefined) throw new Error(`no contract for image ${repository} in stacks/image-contracts.ts`);
  return { entrypoint: [...c.entrypoint], command: [...c.command] };
}
