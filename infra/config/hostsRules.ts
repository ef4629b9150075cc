/**
 * The rules that relate the entries of `hosts` to each other. Pure module.
 *
 * A restore source must be one of the stack's hosts: a typo (`ghost`) would grant read on a prefix
 * no host writes, and the restore would fail only when it is needed. Host ids differing only in
 * case name two roles for what is most likely one machine (host names are case-insensitive) whose
 * S3 keys carry one spelling: the other role reaches nothing.
 */
import { HOST_ID_PATTERN } from "../catalog/hostConfig";
import { showValue } from "../catalog/schema/shownValue";

/** One entry of `hosts` as written: its restore sources, when it lists them. */
export interface HostsEntryInput {
  readonly restoreFrom?: readonly string[];
}

/** A problem at `hosts.<host>` (`field` undefined) or `hosts.<host>.restoreFrom`. */
export interface HostsProblem {
  readonly host: string;
  readonly field?: "restoreFrom";
  readonly message: string;
}

/**
 * @param hosts the `hosts` map as written, in the stack file's order (malformed ids are the id
 *   rule's problem, not repeated here)
 * @returns per host, in that order: a case-insensitive duplicate of an earlier host, itself among
 *   its restore sources, restore sources that are not hosts of this stack (listing the known ones)
 */
export function hostsProblems(hosts: Readonly<Record<string, HostsEntryInput>>): HostsProblem[] {
  const ids = Object.keys(hosts);
  const problems: HostsProblem[] = [];
  ids.forEach((host, index) => {
    const twin = ids.slice(0, index).find((id) => id.toLowerCase() === host.toLowerCase());
    if (twin !== undefined)
      problems.push({
        host,
        message: `is ${showValue(twin)} in another case: host names are case-insensitive, so both are one machine, whose S3 keys carry one spelling; keep the one its jobs use (the host config's hostId, else its short host name) and remove the other`,
      });
    const sources = hosts[host].restoreFrom ?? [];
    if (sources.includes(host))
      problems.push({
        host,
        message: `${showValue(host)} must not list itself in restoreFrom: a host always reads its own backups`,
      });
    // A source that is not a host id at all has its own problem already: one message per value.
    const unknown = [
      ...new Set(sources.filter((source) => HOST_ID_PATTERN.test(source) && !ids.includes(source))),
    ];
    if (unknown.length > 0)
      problems.push({
        host,
        field: "restoreFrom",
        message: `names ${unknown.map((id) => showValue(id)).join(", ")}, not ${unknown.length === 1 ? "a host" : "hosts"} of this stack: a restore source must be one of hosts (${ids.join(", ")}); correct the id, or list the source host in hosts (as {}) when only its backups are left`,
      });
  });
  return problems;
}
