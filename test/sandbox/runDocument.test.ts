/**
 * The local stand-in for the SSM service and agent: parameters are checked like the API checks them,
 * then reach the script only as environment variables.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { POSTGRES_ENGINES } from "../../infra/catalog/engines";
import { installDocument } from "../../infra/content/host/installDocument";
import { renderCommandDocument, wholeValue } from "../../infra/content/host/ssmDocuments";
import {
  InvalidParametersError,
  resolveParameters,
  runDocument,
} from "../../scripts/sandbox/runDocument";

const SHA = "b".repeat(64);
const installContent = renderCommandDocument(
  installDocument({
    bucket: "stellar-insights-backups",
    manifestKey: `artifacts/manifests/${SHA}.txt`,
    manifestSha256: SHA,
    nodeMajor: 22,
    engine: POSTGRES_ENGINES.pgbackrest,
  }),
);

/** Values an attacker or a slip of the keyboard might pass. */
const HOSTILE = [
  ["shell metacharacters", `${SHA};rm -rf /`],
  ["command substitution", `$(touch /tmp/pwned)`],
  ["backticks", "`id`"],
  ["a newline", `${SHA}\nrm -rf /`],
  ["path traversal", "artifacts/manifests/../../etc/passwd.txt"],
  ["a unicode look-alike digit", `${"a".repeat(63)}\u0660`],
  ["a fullwidth letter", `${"a".repeat(63)}\uff41`],
] as const;

describe("install document parameters", () => {
  test("accept the stack's own values", () => {
    expect(resolveParameters(installContent, {})).toEqual({
      ManifestKey: `artifacts/manifests/${SHA}.txt`,
      ManifestSha256: SHA,
      SetUpPostgresEngine: "yes",
    });
    expect(
      resolveParameters(installContent, {
        ManifestSha256: "0".repeat(64),
        SetUpPostgresEngine: "no",
      }),
    ).toMatchObject({
      ManifestSha256: "0".repeat(64),
      SetUpPostgresEngine: "no",
    });
  });

  test.each(HOSTILE)("refuse %s in the hash", (_case, value) => {
    expect(() => resolveParameters(installContent, { ManifestSha256: value })).toThrow(
      InvalidParametersError,
    );
  });

  test.each(HOSTILE)("refuse %s in the manifest key", (_case, value) => {
    expect(() => resolveParameters(installContent, { ManifestKey: value })).toThrow(
      InvalidParametersError,
    );
  });

  test("refuse unknown parameters and values outside allowedValues", () => {
    expect(() => resolveParameters(installContent, { Force: "yes" })).toThrow(
      'InvalidParameters: document has no parameter "Force"',
    );
    expect(() => resolveParameters(installContent, { SetUpPostgresEngine: "YES" })).toThrow(
      'InvalidParameters: parameter "SetUpPostgresEngine" value "YES" is not one of yes, no',
    );
  });
});

describe("running a document", () => {
  const echo = renderCommandDocument({
    description: "echo",
    timeoutSeconds: 10,
    parameters: [
      { name: "Text", description: "", default: "hi", allowedPattern: wholeValue("[\\s\\S]*") },
    ],
    script: ['printf "%s" "$SSM_Text"', 'printf "%s" "$SSM_Text" > "$OUT_DIR/echo.txt"'],
  });

  test("hands parameters over as environment variables, never as script text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doc-"));
    const marker = join(dir, "pwned");
    const run = await runDocument(echo, {
      parameters: { Text: `$(touch ${marker})` },
      env: { PATH: process.env.PATH ?? "", OUT_DIR: dir },
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`$(touch ${marker})`);
    expect(existsSync(marker)).toBe(false);
  });

  test("a refused value runs nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doc-"));
    await expect(
      runDocument(installContent, {
        parameters: { ManifestKey: `$(touch ${join(dir, "pwned")})` },
        env: { PATH: process.env.PATH ?? "" },
      }),
    ).rejects.toThrow(InvalidParametersError);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  });

  test("an agent without ENV_VAR support is refused with the version to install", async () => {
    const { stderr, exitCode } = await runDocument(
      echo.replace('"interpolationType": "ENV_VAR"', '"interpolationType": "NONE"'),
      { env: { PATH: process.env.PATH ?? "", OUT_DIR: tmpdir() } },
    );
    expect(exitCode).toBe(1);
    expect(stderr).toContain(
      "SSM Agent 3.3.2746.0+ is required (parameter Text did not arrive as SSM_Text)",
    );
  });
});
