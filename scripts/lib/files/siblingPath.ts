/**
 * Paths beside a configured path, built from its canonical form: `/data/main/` and `/data/main`
 * get the same sibling `/data/main.<suffix>`, never `/data/main/.<suffix>` (inside the directory it
 * is meant to replace: rename(2) refuses that with EINVAL). Host configs already hold canonical
 * paths (infra/catalog/pathRules.ts); this keeps a restore right for any path it is given.
 */
import { basename, dirname, join, normalize } from "node:path";
import { UsageError } from "../job/errors";

/**
 * `<path><suffix>` in `path`'s parent directory.
 *
 * @param path an absolute path other than `/`
 * @param suffix appended to the last segment (`.before-restore-20260101T030000Z`); no `/`
 * @throws UsageError for `/` or a relative path (nothing can be moved beside them)
 */
export function siblingPath(path: string, suffix: string): string {
  const canonical = normalize(path).replace(/(.)\/+$/, "$1");
  if (!canonical.startsWith("/") || canonical === "/" || suffix.includes("/"))
    throw new UsageError(
      `cannot put ${JSON.stringify(`${path}${suffix}`)} beside ${JSON.stringify(path)}`,
      "nothing was changed; give the directory as an absolute path other than /",
    );
  return join(dirname(canonical), `${basename(canonical)}${suffix}`);
}
