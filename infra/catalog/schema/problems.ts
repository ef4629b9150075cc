/**
 * valibot issues as the problems every config reader reports: a JSON path such as
 * `postgres.service.stop[0]` and the message the schema attached.
 */
import type * as v from "valibot";

export interface SchemaProblem {
  /** JSON path such as `postgres.connection.port`; `(file)` for the document itself. */
  readonly path: string;
  /** The value as the author wrote it there (before any transformation); undefined if absent. */
  readonly value: unknown;
  readonly message: string;
}

export const ROOT_PATH = "(file)";

/** `a.b[0].c`: object keys joined by dots, list indices in brackets. */
export function jsonPath(path: readonly v.IssuePathItem[] | undefined): string {
  let text = "";
  for (const item of path ?? []) {
    if (item.type === "array") text += `[${String(item.key)}]`;
    else text += text === "" ? String(item.key) : `.${String(item.key)}`;
  }
  return text === "" ? ROOT_PATH : text;
}

/**
 * Every issue, in the order valibot found them (schema order), each (path, message) once: several
 * steps of one pipe may refuse the same value with the same message.
 */
export function schemaProblems(issues: readonly v.BaseIssue<unknown>[]): SchemaProblem[] {
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const issue of issues) {
    const problem = {
      path: jsonPath(issue.path),
      value: problemValue(issue),
      message: issue.message,
    };
    const id = `${problem.path}\n${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  return problems;
}

/** The value at the issue's path as the author wrote it (path items keep it untransformed). */
function problemValue(issue: v.BaseIssue<unknown>): unknown {
  const last = issue.path?.at(-1);
  return last ? last.value : issue.input;
}
