// A PostgreSQL service as the official postgres image (and postgis/postgis, built on it) runs:
// the database and user created on the first start of an empty data directory from
// POSTGRES_DB/POSTGRES_USER, the password read from the file POSTGRES_PASSWORD_FILE names,
// healthy once pg_isready answers on the container's loopback.
import { ServiceSpec } from "./app-spec";

export interface PostgresServiceArgs {
  readonly image: string;
  readonly user: string;
  /** @default the user's name, as the image creates it */
  readonly database?: string;
  /** The app's secret holding the password. */
  readonly passwordSecret: string;
  /** The app's volume that holds the data directory. */
  readonly volume: string;
  readonly networks: readonly string[];
  readonly memoryMb: number;
}

export function postgresService(a: PostgresServiceArgs): ServiceSpec {
  return {
    image: { ref: a.image },
    env: { POSTGRES_USER: a.user, ...(a.database === undefined ? {} : { POSTGRES_DB: a.database }) },
    secrets: [{ secret: a.passwordSecret, pathEnv: "POSTGRES_PASSWORD_FILE" }],
    volumes: { [a.volume]: "/var/lib/postgresql/data" },
    networks: a.networks,
    healthcheck: { test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", a.user, "-d", a.database ?? a.user], startPeriod: "2s" },
    memoryMb: a.memoryMb,
  };
}
