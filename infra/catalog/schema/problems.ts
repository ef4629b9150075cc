/**
 * valibot issues as the problems every config reader reports: a JSON path such as
 * `postgres.service.stop[0]` and the message the schema attached.
 */
import type * as v from "valibot";

export interface SchemaProblem {
  /** JSON path such as `postgres.connection.port`; `(file)` for the document itself. */
  readonly path: string;
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

/** Every issue, in the order valibot found them (document order). */
export function schemaProblems(issues: readonly v.BaseIssue<unknown>[]): SchemaProblem[] {
  return issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
}
