// The app registry: every application the program can deploy, in the order `apps` lists them.
// The allowed `apps` values, each app's settings key and schema, its published ports, the config
// secrets the program reads and the URLs it exports all come from these entries. A new app is
// one stack file (its settings schema, pure spec function and entry) and one line here.
import { biostar } from "./biostar";
import { wattrex } from "./wattrex";
import { portal } from "./portal";
import { pecan } from "./pecan";
import { lab } from "./devops-lab";
import { parseConfig, ProgramConfig, RawConfig } from "../config/schema";

export const APPS = [biostar, wattrex, portal, pecan, lab] as const;
export type Apps = typeof APPS;
export type AppName = Apps[number]["name"];
export type Config = ProgramConfig<Apps>;

/** The program's config with this registry: one line per bad key, before anything is created. */
export function loadConfig(namespace: string, raw: RawConfig): Config {
  return parseConfig(namespace, raw, APPS);
}
