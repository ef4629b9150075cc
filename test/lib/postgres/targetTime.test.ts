/**
 * Target times as PostgreSQL itself prints them: every `timestamptz` text a real PostgreSQL 15
 * produces (ISO DateStyle, any time zone, microseconds) is accepted by the job's parser and by the
 * pg-restore document's allowedPattern (one grammar), names the same instant to the microsecond
 * in what the engine is given, and a `timestamp` without an offset is still refused.
 */
import type { Client } from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { TARGET_TIME_PATTERN } from "../../../infra/catalog/targetTime";
import { parseTargetTime, recoveryTargetTime } from "../../../scripts/lib/postgres/targetTime";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { connectStellarInsights } from "../../host/support/postgres";

let sb: Sandbox;
let client: Client;

beforeAll(async () => {
  sb = await startSandbox({ redis: false, engineSetup: false });
  client = await connectStellarInsights(sb);
}, 240_000);
afterAll(async () => {
  await client?.end();
  await sb?.stop();
});

/** What PostgreSQL prints for `instant` in `zone` (DateStyle ISO, its default). */
async function printed(instant: string, zone: string, type = "timestamptz"): Promise<string> {
  await client.query(`SET TimeZone = '${zone}'`);
  const { rows } = await client.query<{ text: string }>(
    `SELECT $1::timestamptz::${type}::text AS text`,
    [instant],
  );
  return rows[0].text;
}

test.each([
  ["UTC", "+00"],
  ["Asia/Kolkata", "+05:30"],
  ["America/St_Johns", "-03:30"],
  ["Australia/Eucla", "+08:45"],
  ["America/New_York", "-05"],
])(
  "PostgreSQL's own timestamptz text in %s (offset %s) is accepted, to the microsecond",
  async (zone, offset) => {
    // Given a time PostgreSQL printed, with microseconds, in that zone
    const text = await printed("2026-12-07 02:01:42.848487+00", zone);
    expect(text.endsWith(offset)).toBe(true);
    // When the job reads it
    const parsed = parseTargetTime(text);
    // Then it is accepted, by the parser and by the document's pattern alike
    expect(parsed).not.toHaveProperty("problem");
    expect(new RegExp(TARGET_TIME_PATTERN).test(text)).toBe(true);
    if ("problem" in parsed) return;
    expect(parsed.time.toISOString()).toBe("2026-12-07T02:01:42.848Z");
    // And what the engine is given is the very instant PostgreSQL printed, microseconds included
    const { rows } = await client.query<{ same: boolean }>(
      "SELECT $1::timestamptz = $2::timestamptz AS same",
      [recoveryTargetTime(parsed), text],
    );
    expect(rows[0].same).toBe(true);
  },
  60_000,
);

test("ISO 8601 with milliseconds or a compact offset names the same instant PostgreSQL reads", async () => {
  for (const text of ["2026-12-07T02:01:42.25Z", "2026-12-07T07:31:42+0530"]) {
    const parsed = parseTargetTime(text);
    expect("problem" in parsed ? parsed.problem : "").toBe("");
    if ("problem" in parsed) continue;
    const { rows } = await client.query<{ same: boolean }>(
      "SELECT $1::timestamptz = $2::timestamptz AS same",
      [parsed.recoveryTargetTime, text],
    );
    expect(rows[0].same).toBe(true);
  }
});

test("PostgreSQL's timestamp without a time zone is refused, with the reason", async () => {
  const text = await printed("2026-12-07 02:01:42.848487+00", "UTC", "timestamp");
  const parsed = parseTargetTime(text);
  expect("problem" in parsed ? parsed.problem : "").toMatch(
    /^TARGET_TIME="2026-12-07 02:01:42.848487" has no UTC offset/,
  );
  expect(new RegExp(TARGET_TIME_PATTERN).test(text)).toBe(false);
});

test("seven fractional digits, a minute offset past 59 or a bare hour are refused", () => {
  for (const text of [
    "2026-12-07 02:01:42.8484871+00",
    "2026-12-07 02:01:42+05:75",
    "2026-12-07 02+00",
  ]) {
    expect(parseTargetTime(text)).toHaveProperty("problem");
  }
});
