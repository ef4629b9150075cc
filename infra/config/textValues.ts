/**
 * Rules for config values as text, before any key's own rules: Pulumi hands every value over as a
 * string (a YAML map JSON-encoded), and passes an empty or padded one on to AWS and the hosts as
 * written. Pure module.
 */
import { isPlainObject } from "../catalog/schema/parts";
import type { ConfigProblem } from "./stackConfig";

const EMPTY = "is empty: give it a value or remove the key";
const PADDED = "must not start or end with spaces or line breaks: write the value without them";

function problemOf(key: string, value: string): ConfigProblem | undefined {
  if (value.trim() === "") return { key, value, message: EMPTY };
  if (value !== value.trim()) return { key, value, message: PADDED };
  return undefined;
}

/**
 * Empty and padded values, top-level and inside YAML maps (`retentionDays.logs`): one problem
 * each, keyed like the schema's problems.
 *
 * @param input config key → value as Pulumi hands it over (`undefined`: not set)
 */
export function textProblems(input: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (typeof value !== "string") continue;
    const own = problemOf(key, value);
    if (own !== undefined) {
      problems.push(own);
      continue;
    }
    if (!value.startsWith("{")) continue;
    let map: unknown;
    try {
      map = JSON.parse(value);
    } catch {
      continue;
    }
    if (!isPlainObject(map)) continue;
    for (const [inner, innerValue] of Object.entries(map)) {
      if (typeof innerValue !== "string") continue;
      const problem = problemOf(`${key}.${inner}`, innerValue);
      if (problem !== undefined) problems.push(problem);
    }
  }
  return problems;
}
