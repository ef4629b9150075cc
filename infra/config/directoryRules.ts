/**
 * The stack config's directories (`pgData`, `localBackupRoot`) under the host config's path rules
 * (infra/catalog/pathRules.ts): each written canonically and kept out of the operating system's
 * directories on its own key, then kept out of each other and of the directories every host
 * uses for itself (the engine's spool, Redis's data directory, the jobs' state). Pure: tested
 * through `validateStackConfig`.
 */
import * as v from "valibot";
import { DEFAULT_LOCAL_BACKUP_ROOT, defaultPgData, DEFAULT_PG_MAJOR_VERSION } from "../catalog";
import {
  overlapProblems,
  pathProblem,
  systemDirectoryProblem,
  type NamedDirectory,
} from "../catalog/pathRules";
import { FIXED_DATA_DIRECTORIES } from "../content/host/hostConfigFile";
import { pathItem } from "./configParts";

/** The stack config keys that set a directory the jobs write, move aside or prune. */
export const DIRECTORY_KEYS = ["pgData", "localBackupRoot"] as const;

const NOT_TEXT = "must be an absolute path such as /var/lib/postgresql/14/main";

/** One directory key: the path rule, then the system directories; one message per value. */
export const directoryPath = () =>
  v.pipe(
    v.string(NOT_TEXT),
    v.rawCheck<string>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = pathProblem(dataset.value) ?? systemDirectoryProblem(dataset.value);
      if (problem !== undefined) addIssue({ message: problem });
    }),
  );

/**
 * The directories the jobs write on every host, in the order overlaps are judged: the hosts' fixed
 * ones, then `pgData` and `localBackupRoot` as set, else their defaults. Read only once
 * `pgMajorVersion` (which picks the default `pgData`) and both keys passed their own rules.
 *
 * @param fields the stack config as written
 */
export function stackDirectories(fields: Readonly<Record<string, unknown>>): NamedDirectory[] {
  const major = Number(fields.pgMajorVersion ?? DEFAULT_PG_MAJOR_VERSION);
  const set = {
    pgData: (fields.pgData as string | undefined) ?? defaultPgData(major),
    localBackupRoot: (fields.localBackupRoot as string | undefined) ?? DEFAULT_LOCAL_BACKUP_ROOT,
  };
  // Stack keys last: every overlap is reported at a key the operator can change.
  return [...FIXED_DATA_DIRECTORIES, ...DIRECTORY_KEYS.map((key) => ({ key, path: set[key] }))];
}

/** Whether `stackDirectories` can be read: the keys it reads passed their own rules. */
export const stackDirectoriesValid = (valid: (...keys: string[]) => boolean): boolean =>
  DIRECTORY_KEYS.every((key) => valid(key)) && valid("pgMajorVersion");

/**
 * Overlaps between `pgData`, `localBackupRoot` (as set, else their defaults) and the hosts' fixed
 * directories, each at the stack key that causes it; keys that broke their own rule are skipped.
 *
 * @param fields the stack config as written (`pgMajorVersion` picks the default `pgData`)
 */
export function directoryProblems(
  fields: Readonly<Record<string, unknown>>,
  valid: (...keys: string[]) => boolean,
): { message: string; path: [v.IssuePathItem] }[] {
  if (!stackDirectoriesValid(valid)) return [];
  const directories = stackDirectories(fields);
  return overlapProblems(directories).map(({ key, message }) => ({
    message,
    path: [
      pathItem(
        fields as Record<string, unknown>,
        key,
        fields[key] ?? directories.find((d) => d.key === key)?.path,
      ),
    ],
  }));
}
