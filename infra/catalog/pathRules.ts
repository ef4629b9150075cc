/**
 * The rules for the absolute paths both configs carry (stack config `pgData`, `localBackupRoot`;
 * the host config's paths): one canonical spelling, a bounded length, data directories kept out of
 * the operating system's own directories and out of each other. The stack config and the host
 * config reader check with these same functions, so a path a host would refuse is refused before
 * any resource exists, and a hand-edited host config is refused before a job stops anything.
 *
 * Why canonical and not normalised on the fly: jobs build sibling paths from these (a restore
 * moves the data directory aside to `<pgData>.before-restore-<stamp>`), compare them, and pass
 * them to PostgreSQL and the engine. `/var/lib/postgresql/14/main/` would move the directory into
 * itself (rename fails with EINVAL after PostgreSQL was stopped); `..` means something else once a
 * symlink is on the way. Pure module: host jobs bundle it.
 */
import { posix } from "node:path";
import { showValue } from "./schema/shownValue";

/**
 * Longest path accepted: PostgreSQL's MAXPGPATH (1024 bytes with the terminating NUL,
 * src/include/pg_config_manual.h), the shortest path limit among the programs that get these paths
 * (Linux's PATH_MAX is 4096). Every accepted character is one byte.
 */
export const MAX_PATH_LENGTH = 1023;

/**
 * Longest path segment accepted: NAME_MAX (255 bytes on ext4 and XFS) less room for the longest
 * suffix a job appends to a configured directory's name (`.before-restore-<UTC stamp>`,
 * `.before-stellar-include.<UTC stamp>`: under 55 bytes).
 */
export const MAX_SEGMENT_LENGTH = 200;

/** Characters a path may hold: they end up in argv and S3 keys, so no whitespace, quotes or globs. */
const SAFE_PATH_CHARACTERS = /^\/[A-Za-z0-9._@+=:,/-]*$/;

/** What `pathProblem` allows, for messages that name the whole rule. */
export const CANONICAL_PATH_RULE = `must be an absolute path of letters, digits and . _ @ + = : , / - (no spaces, quotes, globs or shell metacharacters), written canonically (no trailing '/', no '//', no '.' or '..' segments), at most ${MAX_PATH_LENGTH} characters and ${MAX_SEGMENT_LENGTH} per segment`;

/** `path` written canonically where that is lexical only: trailing and repeated '/' and '.' segments dropped. */
export function canonicalPath(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

/**
 * Why `path` is not an accepted absolute path, or `undefined` when it is: the first rule it
 * breaks, with the canonical spelling to write when only the spelling is wrong.
 */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith("/")) return "must be an absolute path (starting with '/')";
  if (!SAFE_PATH_CHARACTERS.test(path))
    return "must hold only letters, digits and . _ @ + = : , / - (no spaces, quotes, globs, shell metacharacters or other characters)";
  if (path.length > MAX_PATH_LENGTH)
    return `is ${path.length} characters long: at most ${MAX_PATH_LENGTH} (PostgreSQL's MAXPGPATH, the shortest path limit of the programs that get it)`;
  const segments = path.split("/").slice(1);
  if (segments.includes(".."))
    return "must not contain '..': write the directory it means (through a symlink '..' means another one)";
  const canonical = canonicalPath(path);
  if (canonical !== path)
    return `must be written canonically (no trailing '/', no '//', no '.' segments): write ${showValue(canonical)}`;
  const long = segments.find((segment) => segment.length > MAX_SEGMENT_LENGTH);
  if (long !== undefined)
    return `has a segment of ${long.length} characters: at most ${MAX_SEGMENT_LENGTH} (NAME_MAX 255 less room for the suffixes jobs append, such as .before-restore-<stamp>)`;
  return undefined;
}

/** Whether `path` passes `pathProblem`. */
export const isCanonicalPath = (path: string): boolean => pathProblem(path) === undefined;

/**
 * The directories the operating system owns, by the Filesystem Hierarchy Standard 3.0
 * (refspecs.linuxfoundation.org/FHS_3.0): its programs and libraries (`/bin`, `/sbin`, `/lib*`,
 * `/usr`), boot files (`/boot`), host configuration (`/etc`), virtual file systems (`/proc`,
 * `/sys`, `/dev`, `/run` and its old names `/var/run`, `/var/lock`) and the package managers'
 * databases (`/var/lib/dpkg`, `/var/lib/apt`, `/var/lib/rpm`). A data directory or backup root is
 * written, moved aside and pruned by the jobs: inside one of these it damages the system, and one
 * that holds one of these (`/`, `/var`, `/var/lib`) would be moved aside or pruned with it.
 */
export const SYSTEM_DIRECTORIES: readonly string[] = [
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/proc",
  "/run",
  "/sbin",
  "/sys",
  "/usr",
  "/var/lib/apt",
  "/var/lib/dpkg",
  "/var/lib/rpm",
  "/var/lock",
  "/var/run",
];

/** Whether `inner` is `outer` or lies under it (both canonical). */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || outer === "/" || inner.startsWith(`${outer}/`);
}

/**
 * Why a directory the jobs write, move aside or prune may not be `path` (canonical), or `undefined`:
 * it is a system directory, lies inside one, or holds one.
 */
export function systemDirectoryProblem(path: string): string | undefined {
  const inside = SYSTEM_DIRECTORIES.find((system) => isWithin(path, system));
  if (inside !== undefined)
    return `is ${path === inside ? "" : "inside "}${inside}, a directory the operating system owns: the jobs write, move aside and prune here; use a directory of its own (such as under /var/lib or /srv)`;
  const holds = SYSTEM_DIRECTORIES.filter((system) => isWithin(system, path));
  if (holds.length > 0)
    return `holds ${holds.join(", ")}, ${holds.length === 1 ? "a directory" : "directories"} the operating system owns: the jobs write, move aside and prune here; use a directory of its own (such as under /var/lib or /srv)`;
  return undefined;
}

/** A directory the jobs own, named for messages by the config key that sets it. */
export interface NamedDirectory {
  readonly key: string;
  readonly path: string;
}

/**
 * Pairs of `directories` (canonical) where one is the other or lies inside it: a restore that
 * empties the data directory would take the backups with it, pruning local copies would reach
 * into the database, the engine's spool would be restored over. One problem per pair, at the later
 * of the two, naming the earlier.
 */
export function overlapProblems(
  directories: readonly NamedDirectory[],
): { readonly key: string; readonly message: string }[] {
  const problems: { key: string; message: string }[] = [];
  directories.forEach((later, index) => {
    for (const earlier of directories.slice(0, index)) {
      const relation =
        later.path === earlier.path
          ? "is the same directory as"
          : isWithin(later.path, earlier.path)
            ? "is inside"
            : isWithin(earlier.path, later.path)
              ? "holds"
              : undefined;
      if (relation === undefined) continue;
      problems.push({
        key: later.key,
        message: `${relation} ${earlier.key} (${showValue(earlier.path)}): data directories, the local backup root and the engine's spool must not overlap (a restore empties the data directory, pruning removes old copies, the engine rewrites its spool); put each in a directory of its own`,
      });
    }
  });
  return problems;
}
