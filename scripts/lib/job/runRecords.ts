/**
 * When each job last finished a run on this host, kept in the state dir by the runner, so the
 * health check can publish JobLastRunAgeSeconds: a weekly job's silence is longer than any
 * CloudWatch alarm can look back over its own heartbeats. A run refused for bad parameters (exit
 * 64, a `UsageError`) writes none: it did nothing, so the job's last run stays the last real one.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomicFile";

export interface RunRecord {
  readonly job: string;
  readonly finishedAt: string;
  readonly exitCode: number;
  readonly succeeded: boolean;
}

function recordPath(stateDir: string, job: string): string {
  return join(stateDir, "runs", `${job}.json`);
}

export async function writeRunRecord(stateDir: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(recordPath(stateDir, record.job), `${JSON.stringify(record)}\n`);
}

/** The job's last finished run, or undefined if it never finished one here (or the record is unreadable). */
export async function readRunRecord(stateDir: string, job: string): Promise<RunRecord | undefined> {
  try {
    const record = JSON.parse(await fs.readFile(recordPath(stateDir, job), "utf8")) as RunRecord;
    return typeof record.finishedAt === "string" && !Number.isNaN(Date.parse(record.finishedAt))
      ? record
      : undefined;
  } catch {
    return undefined;
  }
}
