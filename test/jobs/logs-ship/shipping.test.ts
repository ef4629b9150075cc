/**
 * logs-ship against real files and moto's S3: every byte shipped once across runs, through
 * growth, rename rotation, compression and copytruncate.
 */
import {
  appendFileSync,
  copyFileSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { getObjectBytes, headObject, listKeys } from "../../host/support/aws";
import { runJobProcess } from "../../host/support/jobs";

const lines = (tag: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `2024-01-15T10:00:${String(i % 60).padStart(2, "0")}Z ${tag} line ${i}\n`,
  ).join("");

describe("logs-ship", () => {
  let sb: Sandbox;
  let appLog: string;
  let shipped = new Set<string>();

  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "log-host" });
    appLog = join(sb.dir, "logs", "app", "app.log");
  });
  afterAll(async () => sb?.stop());

  /** Runs logs-ship and returns the objects it added, as { source path, range, decompressed text }. */
  async function runAndCollect(): Promise<{ path: string; range: string; text: string }[]> {
    const run = await runJobProcess("logs-ship", sb.env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const keys = await listKeys(sb, "logs/log-host/");
    const added = keys.filter((k) => !shipped.has(k));
    shipped = new Set(keys);
    const result = [];
    for (const key of added) {
      expect(key).toMatch(
        /^logs\/log-host\/\d{4}-\d{2}-\d{2}\/tmp\/stellar-sandbox-[^/]+\/logs\/app\/app\.log(\.\d)?\.\d{8}T\d{6}Z\.\d+-\d+\.gz$/,
      );
      const head = await headObject(sb, key);
      result.push({
        path: (head.Metadata?.["source-path"] ?? "").replace(`${sb.dir}/logs/app/`, ""),
        range: head.Metadata?.["source-range"] ?? "",
        text: gunzipSync(await getObjectBytes(sb, key)).toString(),
      });
    }
    return result.sort((a, b) => a.path.localeCompare(b.path));
  }

  test("ships each byte once through growth, rotation, compression and copytruncate", async () => {
    const a = lines("A", 50);
    const b = lines("B", 20);
    const c = lines("C", 30);
    const d = lines("D", 10);
    const e = lines("E", 5);

    // Given a new log file, when logs-ship runs, then the whole file is shipped
    writeFileSync(appLog, a);
    expect(await runAndCollect()).toEqual([{ path: "app.log", range: `0-${a.length}`, text: a }]);

    // When nothing changed, then nothing is shipped
    expect(await runAndCollect()).toEqual([]);

    // When the file grows, then only the new lines are shipped
    appendFileSync(appLog, b);
    expect(await runAndCollect()).toEqual([
      { path: "app.log", range: `${a.length}-${a.length + b.length}`, text: b },
    ]);

    // When logrotate renames it and a new app.log starts, then only the new file is shipped
    renameSync(appLog, `${appLog}.1`);
    writeFileSync(appLog, c);
    expect(await runAndCollect()).toEqual([{ path: "app.log", range: `0-${c.length}`, text: c }]);

    // When the rotated file is compressed (a new inode, same content), then nothing is shipped
    writeFileSync(`${appLog}.1.gz`, gzipSync(readFileSync(`${appLog}.1`)));
    rmSync(`${appLog}.1`);
    expect(await runAndCollect()).toEqual([]);

    // When lines arrive and copytruncate rotates (copy, truncate, new lines), then neither the
    // lines written before the rotation nor those after are lost, and nothing is sent twice
    appendFileSync(appLog, d);
    copyFileSync(appLog, `${appLog}.2`);
    truncateSync(appLog, 0);
    writeFileSync(appLog, e);
    expect(await runAndCollect()).toEqual([
      { path: "app.log", range: `0-${e.length}`, text: e },
      { path: "app.log.2", range: `${c.length}-${c.length + d.length}`, text: d },
    ]);

    // And a further run ships nothing
    expect(await runAndCollect()).toEqual([]);
  });

  test("a compressed log still being written is retried, not failed", async () => {
    const partial = gzipSync(Buffer.from(lines("P", 200))).subarray(0, 40);
    writeFileSync(join(sb.dir, "logs", "app", "partial.log.3.gz"), partial);
    const run = await runJobProcess("logs-ship", sb.env);
    expect(run.code).toBe(0);
    expect(
      run.logs.some((l) => l.msg === "compressed log not readable yet; retried next run"),
    ).toBe(true);
  });
});
