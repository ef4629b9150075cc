/**
 * The stack config key `postgresBackupFrom` (infra/catalog/backupFrom.ts says what reading from a
 * standby means): `source`, and with `source: standby` the standby's `pgData` and `port`,
 * `maxReplayLagMb` and `whenStandbyUnavailable`. The key's own rules sit on it;
 * `backupFromProblems` relates its fields to each other and to the keys and host layout the
 * standby shares a host with (`pgData`, `localBackupRoot`, the primary's port). Pure: tested
 * through `validateStackConfig`.
 */
import * as v from "valibot";
import {
  DEFAULT_MAX_REPLAY_LAG_MB,
  MAX_REPLAY_LAG_MB,
  STANDBY_FALLBACKS,
  type StandbyCluster,
  type StandbyFallback,
} from "../catalog/backupFrom";
import { overlapProblems } from "../catalog/pathRules";
import { exactObject } from "../catalog/schema/parts";
import { POSTGRES_PORT, POSTGRES_SOCKET_DIR } from "../content/host/hostConfigFile";
import { mapCount, NOT_A_MAP, pathItem, yamlMap } from "./configParts";
import { directoryPath, stackDirectories, stackDirectoriesValid } from "./directoryRules";

/** Which cluster pg-backup reads the data files from. */
export const BACKUP_SOURCES = ["primary", "standby"] as const;
export type BackupSourceKind = (typeof BACKUP_SOURCES)[number];

/**
 * What a run does when the standby cannot be read from, when the stack does not say: back up from
 * the primary, so a standby that is down costs the primary one night's reads, not the night's
 * backup.
 */
export const DEFAULT_STANDBY_FALLBACK: StandbyFallback = "primary";

/** `postgresBackupFrom`, validated and defaulted; the host config adds the socket directory. */
export type BackupFromSetting =
  | { readonly source: "primary" }
  | {
      readonly source: "standby";
      readonly standby: Omit<StandbyCluster, "socketDir">;
      readonly maxReplayLagMb: number;
      readonly whenStandbyUnavailable: StandbyFallback;
    };

const KEY = "postgresBackupFrom";
const SOURCE_MESSAGE = `must be one of ${BACKUP_SOURCES.join(", ")}`;
const PG_DATA_MESSAGE =
  "must be the standby's data directory, an absolute path such as /var/lib/postgresql/14/standby";
const PORT_MESSAGE = "must be a whole number from 1 to 65535 (the port the standby listens on)";
const LAG_MESSAGE = `must be a whole number of MiB from 1 to ${MAX_REPLAY_LAG_MB} (the WAL the standby may still have to replay; default ${DEFAULT_MAX_REPLAY_LAG_MB})`;
const FALLBACK_MESSAGE = `must be one of ${STANDBY_FALLBACKS.join(", ")}`;

/** The key, spread into the stack config's schema. */
export const backupFromEntry = {
  postgresBackupFrom: v.exactOptional(
    yamlMap(
      {
        source: v.picklist(BACKUP_SOURCES, SOURCE_MESSAGE),
        standby: v.exactOptional(
          exactObject(
            {
              // The rule `pgData` is held to: the jobs read this directory as they read that one.
              pgData: directoryPath(),
              port: mapCount(1, 65535, PORT_MESSAGE),
            },
            {
              notObject: NOT_A_MAP,
              unknownField: "unknown field; allowed: pgData, port",
              missing: { pgData: PG_DATA_MESSAGE, port: PORT_MESSAGE },
            },
          ),
        ),
        maxReplayLagMb: v.exactOptional(mapCount(1, MAX_REPLAY_LAG_MB, LAG_MESSAGE)),
        whenStandbyUnavailable: v.exactOptional(v.picklist(STANDBY_FALLBACKS, FALLBACK_MESSAGE)),
      },
      "unknown field; allowed: source, standby, maxReplayLagMb, whenStandbyUnavailable",
      { source: SOURCE_MESSAGE },
    ),
  ),
};

type FromFields = {
  readonly postgresBackupFrom?: {
    readonly source: BackupSourceKind;
    readonly standby?: { readonly pgData: string; readonly port: number };
    readonly maxReplayLagMb?: number;
    readonly whenStandbyUnavailable?: StandbyFallback;
  };
};

type Problem = { message: string; path: [v.IssuePathItem, ...v.IssuePathItem[]] };

/** The fields that only a standby source reads. */
const STANDBY_FIELDS = ["standby", "maxReplayLagMb", "whenStandbyUnavailable"] as const;

/**
 * The rules that relate the key's fields to each other and to other keys, run when the key passed
 * its own rules: `standby` is required with `source: standby`, and the standby's fields are refused
 * with `source: primary`. The standby runs on the primary's host (the engine reads its data
 * directory there), so its data directory may not overlap any directory the jobs write there
 * (`pgData`, `localBackupRoot` and the hosts' fixed ones, when valid), and it may not listen on
 * the primary's port.
 */
export function backupFromProblems(args: {
  readonly fields: FromFields & Record<string, unknown>;
  readonly valid: (...keys: string[]) => boolean;
}): Problem[] {
  const { fields, valid } = args;
  const from = fields.postgresBackupFrom;
  if (from === undefined) return [];
  const at = (key: string, value: unknown): [v.IssuePathItem, v.IssuePathItem] => [
    pathItem(fields, KEY, from),
    pathItem({ ...from }, key, value),
  ];
  if (from.source === "primary")
    return STANDBY_FIELDS.filter((key) => from[key] !== undefined).map((key) => ({
      message:
        "is not used: with source primary the backup reads the primary; remove it or set source to standby",
      path: at(key, from[key]),
    }));
  const { standby } = from;
  if (standby === undefined)
    return [
      {
        message:
          "is missing: with source standby the backup reads a streaming standby on the primary's host; allowed: a map of pgData (its data directory) and port",
        path: at("standby", undefined),
      },
    ];
  const inStandby = (key: "pgData" | "port"): Problem["path"] => [
    ...at("standby", standby),
    pathItem({ ...standby }, key, standby[key]),
  ];
  const problems: Problem[] = [];
  if (stackDirectoriesValid(valid)) {
    const own = `${KEY}.standby.pgData`;
    for (const { message } of overlapProblems([
      ...stackDirectories(fields),
      { key: own, path: standby.pgData },
    ]).filter((problem) => problem.key === own))
      problems.push({ message, path: inStandby("pgData") });
  }
  if (standby.port === POSTGRES_PORT)
    problems.push({
      message: `is the primary's port: the standby runs on the primary's host, its socket beside the primary's in ${POSTGRES_SOCKET_DIR}; allowed: 1 to 65535 except ${POSTGRES_PORT}`,
      path: inStandby("port"),
    });
  return problems;
}

/** The source, defaulted: the primary when the key is absent, the standby's bound and fallback when not set. */
export function backupFromOf(fields: FromFields): BackupFromSetting {
  const from = fields.postgresBackupFrom;
  if (from?.source !== "standby" || from.standby === undefined) return { source: "primary" };
  return {
    source: "standby",
    standby: { pgData: from.standby.pgData, port: from.standby.port },
    maxReplayLagMb: from.maxReplayLagMb ?? DEFAULT_MAX_REPLAY_LAG_MB,
    whenStandbyUnavailable: from.whenStandbyUnavailable ?? DEFAULT_STANDBY_FALLBACK,
  };
}
