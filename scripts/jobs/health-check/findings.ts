/**
 * The runbook's health script as findings: each check says ok, warning or critical in words, and
 * the run exits 0 (all ok), 1 (a warning) or 2 (something critical), as the script did.
 */
export type Severity = "ok" | "warning" | "critical";

export interface Finding {
  readonly check: string;
  readonly severity: Severity;
  readonly message: string;
}

const RANK: Readonly<Record<Severity, number>> = { ok: 0, warning: 1, critical: 2 };

export function exitCodeOf(findings: readonly Finding[]): number {
  return Math.max(0, ...findings.map((f) => RANK[f.severity]));
}

/** `OK: All backup checks passed`, or the worst level followed by every problem, worst first. */
export function summaryOf(findings: readonly Finding[]): string {
  const problems = findings
    .filter((f) => f.severity !== "ok")
    .sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  if (problems.length === 0) return "OK: All backup checks passed";
  const level = problems[0].severity === "critical" ? "CRITICAL" : "WARNING";
  return `${level}: ${problems.map((p) => `${p.severity === "critical" ? "" : "(warning) "}${p.message}`).join("; ")}`;
}
