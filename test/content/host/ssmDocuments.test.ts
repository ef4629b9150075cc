import { expect, test } from "vitest";
import { POSTGRES_ENGINES } from "../../../infra/catalog/engines";
import { installDocument, renderManifest } from "../../../infra/content/host/installDocument";
import {
  renderCommandDocument,
  type CommandDocument,
} from "../../../infra/content/host/ssmDocuments";

const SHA = "a".repeat(64);
const install = installDocument({
  bucket: "stellar-insights-backups",
  manifestKey: `artifacts/manifests/${SHA}.txt`,
  manifestSha256: SHA,
  nodeMajor: 22,
  engine: POSTGRES_ENGINES.pgbackrest,
});

test("a document is schema 2.2 with one shell step, ENV_VAR parameters and an agent check", () => {
  const doc = JSON.parse(
    renderCommandDocument({
      description: "d",
      timeoutSeconds: 60,
      parameters: [{ name: "Mode", description: "m", default: "a", allowedValues: ["a", "b"] }],
      script: ['echo "$SSM_Mode"'],
    }),
  );
  expect(doc).toEqual({
    schemaVersion: "2.2",
    description: "d",
    parameters: {
      Mode: {
        type: "String",
        description: "m",
        default: "a",
        interpolationType: "ENV_VAR",
        allowedValues: ["a", "b"],
      },
    },
    mainSteps: [
      {
        action: "aws:runShellScript",
        name: "run",
        precondition: { StringEquals: ["platformType", "Linux"] },
        inputs: {
          timeoutSeconds: "60",
          runCommand: [
            "#!/bin/sh",
            "set -eu",
            'if [ -z "${SSM_Mode+set}" ]; then echo "SSM Agent 3.3.2746.0+ is required (parameter Mode did not arrive as SSM_Mode); update amazon-ssm-agent" >&2; exit 1; fi',
            'echo "$SSM_Mode"',
          ],
        },
      },
    ],
  });
});

test.each<[string, Partial<CommandDocument>, string]>([
  [
    "a parameter without pattern or values",
    { parameters: [{ name: "Free", description: "", default: "" }] },
    "document parameter 'Free' needs allowedPattern or allowedValues",
  ],
  [
    "a parameter name that is no environment variable",
    { parameters: [{ name: "bad-name", description: "", default: "", allowedValues: [""] }] },
    "document parameter 'bad-name' must be alphanumeric (it becomes SSM_bad-name)",
  ],
  [
    "a pattern that SSM's Matcher.find() would pass with a trailing newline",
    { parameters: [{ name: "Stamp", description: "", default: "", allowedPattern: "^[0-9]*$" }] },
    `document parameter 'Stamp' allowedPattern "^[0-9]*$" must be built with wholeValue() (\\A(?:...)\\z): SSM's Matcher.find() lets '^...$' pass a trailing newline`,
  ],
  [
    "text interpolation",
    { script: ["echo {{ Mode }}"] },
    'document scripts must not use {{ }} interpolation; read "$SSM_<Name>" instead',
  ],
  [
    "content over 64 KB",
    { script: ["#".repeat(70 * 1024)] },
    "document 'big' is 72106 bytes, over SSM's 64 KB limit",
  ],
])("refuses %s", (_case, overrides, message) => {
  expect(() =>
    renderCommandDocument({
      description: "big",
      timeoutSeconds: 1,
      parameters: [],
      script: [],
      ...overrides,
    }),
  ).toThrow(message);
});

test("the install document's parameters pin the manifest by key and hash", () => {
  const params = JSON.parse(renderCommandDocument(install)).parameters;
  expect(params.ManifestKey).toMatchObject({ default: `artifacts/manifests/${SHA}.txt` });
  expect(params.ManifestSha256).toMatchObject({
    default: SHA,
    allowedPattern: "\\A(?:[0-9a-f]{64})\\z",
  });
  expect(params.SetUpPostgresEngine).toMatchObject({
    default: "yes",
    allowedValues: ["yes", "no"],
  });
});

test("the manifest lists one line per file, sorted by destination, and refuses odd characters", () => {
  expect(
    renderManifest([
      { sha256: SHA, mode: "0644", key: "artifacts/b/x.mjs", dest: "/opt/b.mjs" },
      { sha256: SHA, mode: "0600", key: "artifacts/a/y.json", dest: "/etc/a.json" },
    ]),
  ).toBe(`${SHA} 0600 artifacts/a/y.json /etc/a.json\n${SHA} 0644 artifacts/b/x.mjs /opt/b.mjs\n`);
  expect(() => renderManifest([{ sha256: SHA, mode: "0644", key: "k", dest: "/etc/x y" }])).toThrow(
    "has characters the installer refuses",
  );
});
