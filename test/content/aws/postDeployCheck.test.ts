/**
 * The post-deploy check's shell: exact text, and its behaviour against a stand-in `aws` CLI that
 * replays SSM's answers (there is no AWS account here).
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import {
  POST_DEPLOY_CHECK_SCRIPT,
  postDeployCheckEnvironment,
} from "../../../infra/content/aws/postDeployCheck";

const run = promisify(execFile);

/** Answers `aws ssm ...` like SSM would; `list-commands` replays FAKE_COUNTS lines in order. */
const FAKE_AWS = `#!/bin/sh
echo "$*" >> "$FAKE_DIR/calls"
case "$2" in
  send-command)
    while [ $# -gt 0 ]; do [ "$1" = --cli-input-json ] && printf '%s' "$2" > "$FAKE_DIR/input"; shift; done
    echo cmd-123 ;;
  list-commands)
    n=$(( $(cat "$FAKE_DIR/n" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$FAKE_DIR/n"
    line=$(printf '%s\\n' "$FAKE_COUNTS" | sed -n "\${n}p")
    [ -n "$line" ] || line=$(printf '%s\\n' "$FAKE_COUNTS" | tail -n 1)
    printf '%s\\n' "$line" | tr ' ' '\\t' ;;
  list-command-invocations) echo '[{"host":"i-1","status":"Failed","output":"verify: no backup"}]' ;;
  cancel-command) echo cancelled >> "$FAKE_DIR/cancelled" ;;
esac
`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  calls: string[];
  input?: string;
  dir: string;
}

async function check(
  counts: string[],
  overrides: Record<string, string> = {},
  sendCommandInput = '{"DocumentName":"d"}',
): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "post-deploy-"));
  writeFileSync(join(dir, "aws"), FAKE_AWS);
  chmodSync(join(dir, "aws"), 0o755);
  const env = {
    PATH: `${dir}:/usr/bin:/bin`,
    FAKE_DIR: dir,
    FAKE_COUNTS: counts.join("\n"),
    ...postDeployCheckEnvironment({
      region: "us-east-1",
      sendCommandInput,
      waitSeconds: 60,
      pollSeconds: 0,
    }),
    ...overrides,
  };
  const { code, stdout, stderr } = await run("/bin/sh", ["-c", POST_DEPLOY_CHECK_SCRIPT], {
    env,
    cwd: dir,
  }).then(
    (ok) => ({ code: 0, ...ok }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  const read = (f: string) =>
    existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : undefined;
  return {
    code,
    stdout,
    stderr,
    calls: (read("calls") ?? "").trim().split("\n").filter(Boolean),
    input: read("input"),
    dir,
  };
}

test("the script, exactly", async () => {
  await expect(POST_DEPLOY_CHECK_SCRIPT).toMatchFileSnapshot("__snapshots__/postDeployCheck.sh");
});

describe("against SSM's answers", () => {
  test("waits while the command runs and passes when every host succeeded", async () => {
    const r = await check(["Pending 0 0 0 0", "InProgress 2 1 0 0", "Success 2 2 0 0"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "post-deploy check: command cmd-123 sent\npost-deploy check: passed on 2 host(s)\n",
    );
    expect(r.calls.filter((c) => c.startsWith("ssm list-commands"))).toHaveLength(3);
    expect(r.calls[0]).toBe(
      'ssm send-command --region us-east-1 --cli-input-json {"DocumentName":"d"} --query Command.CommandId --output text',
    );
  });

  test("fails the update with the hosts' output when the job failed", async () => {
    const r = await check(["Failed 1 1 1 0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "post-deploy check: FAILED: command cmd-123 ended Failed on 1 host(s): 1 failed, 0 not delivered",
    );
    expect(r.stderr).toContain("verify: no backup");
  });

  test("fails when no host carries the tag: a check that checked nothing is not a pass", async () => {
    const r = await check(["Success 0 0 0 0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no running instance carries the host tag");
  });

  test.each<[string, string]>([
    ["one host failed though the command as a whole succeeded", "Success 2 2 1 0"],
    ["one host never got the command", "Success 2 2 0 1"],
    ["the command timed out", "TimedOut 1 1 0 0"],
  ])("fails when %s", async (_name, counts) => {
    expect((await check([counts])).code).toBe(1);
  });

  test("gives up at the deadline and cancels the command", async () => {
    const r = await check(["InProgress 1 0 0 0"], { CHECK_WAIT_SECONDS: "0" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "post-deploy check: FAILED: command cmd-123 still InProgress after 0 s; cancelling it",
    );
    expect(existsSync(join(r.dir, "cancelled"))).toBe(true);
  });
});

describe("parameters are data, never script", () => {
  test("a hostile request reaches the CLI byte for byte and runs nothing", async () => {
    const hostile = `{"DocumentName":"d$(touch pwned-1)","Comment":"\`touch pwned-2\`'; touch pwned-3; '"}`;
    const r = await check(["Success 1 1 0 0"], {}, hostile);
    expect(r.code).toBe(0);
    expect(r.input).toBe(hostile);
    for (const f of ["pwned-1", "pwned-2", "pwned-3"])
      expect(existsSync(join(r.dir, f)), f).toBe(false);
  });

  test("a wait that is not a number stops before anything is sent", async () => {
    const r = await check(["Success 1 1 0 0"], { CHECK_WAIT_SECONDS: "1+$(touch pwned)" });
    expect(r.code).toBe(2);
    expect(r.calls).toEqual([]);
    expect(existsSync(join(r.dir, "pwned"))).toBe(false);
  });
});
