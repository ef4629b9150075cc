/**
 * pgBackRest's repository cipher under client-side encryption (prod turns it on): real PostgreSQL
 * 15, real pgBackRest, moto's S3 and SSM behind the sandbox's TLS front. Compression is off here so
 * that a row value is findable in plaintext: it is in the local repository (not encrypted, by
 * design) and in no object of the S3 repository. The passphrase comes from the SSM SecureString;
 * setup refuses a missing or changed passphrase and a repository created with another cipher.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeleteParameterCommand, GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { engineConfigPath } from "../../infra/catalog/engines";
import { PGBACKREST_CIPHER_TYPE } from "../../infra/catalog/engines/pgbackrest";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { engineUnavailableReason } from "../../scripts/sandbox/engineBinary";
import { putCipherPass } from "../../scripts/sandbox/cipherPass";
import { sandboxClientSettings } from "../../scripts/sandbox/moto";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { getObjectBytes, listKeys } from "../host/support/aws";
import { runJobProcess, type JobRun } from "../host/support/jobs";
import { serializeHostConfig } from "../../infra/content/host/hostConfigFile";
import { engineFor } from "../../scripts/lib/engines";
import { SANDBOX_AWS_ENV } from "../../scripts/sandbox/moto";
import {
  anchorNames,
  archiveCurrentSegment,
  insertAnchors,
  postgresLogTail,
} from "./restoreSupport";

const reason = engineUnavailableReason("pgbackrest");
const lastLine = (run: JobRun) => run.stderr.trim().split("\n").at(-1) ?? "";

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

describe.skipIf(reason !== undefined)(
  `[pgbackrest] repository cipher${reason ? ` — skipped: ${reason}` : ""}`,
  () => {
    let sb: Sandbox;
    let ssm: SSMClient;
    const value = `pgmark${randomBytes(8).toString("hex")}`;
    const setup = (extra: Record<string, string> = {}) =>
      runJobProcess("pg-engine-setup", { ...sb.env, ...extra });

    async function s3Objects(prefix: string): Promise<{ key: string; body: Buffer }[]> {
      const keys = await listKeys(sb, prefix);
      return Promise.all(keys.map(async (key) => ({ key, body: await getObjectBytes(sb, key) })));
    }

    beforeAll(async () => {
      sb = await startSandbox({
        redis: false,
        postgresEngine: "pgbackrest",
        hostId: "cipher-host",
        overrides: { postgres: { engine: { compression: { type: "none", level: 0 } } } },
      });
      const settings = sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region);
      ssm = new SSMClient(settings);
    }, 180_000);
    afterAll(async () => {
      ssm?.destroy();
      await sb?.stop();
    });

    test("the engine config carries the SSM passphrase (mode 0600); the host config names only the parameter", async () => {
      const cse = sb.hostConfig.clientSideEncryption!;
      const pass = (
        await ssm.send(
          new GetParameterCommand({ Name: cse.cipherPassParameter, WithDecryption: true }),
        )
      ).Parameter?.Value as string;
      const engineConfig = readFileSync(engineConfigPath(sb.hostConfig.postgres.engine), "utf8");
      expect(engineConfig).toContain(`repo1-cipher-type=${PGBACKREST_CIPHER_TYPE}\n`);
      expect(engineConfig).toContain(`repo1-cipher-pass=${pass}\n`);
      expect(engineConfig).not.toContain("repo2-cipher");
      expect(statSync(engineConfigPath(sb.hostConfig.postgres.engine)).mode & 0o777).toBe(0o600);
      expect(readFileSync(sb.hostConfigPath, "utf8")).not.toContain(pass);
    });

    test("a row value written before the backup is in the local repository and in no object of the S3 repository", async () => {
      await insertAnchors(sb, [value]);
      const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
      expect(run.code, run.stderr).toBe(0);

      const local = filesUnder(join(sb.hostConfig.local.root, "postgres"));
      expect(local.some((path) => readFileSync(path).includes(value))).toBe(true);
      const objects = await s3Objects(`postgres/${hostIdOf(sb.hostConfig)}/`);
      const backupFiles = objects.filter((o) => o.key.includes("/backup/main/"));
      expect(backupFiles.length).toBeGreaterThan(2);
      expect(objects.filter((o) => o.body.includes(value)).map((o) => o.key)).toEqual([]);
      // pgBackRest's cipher writes OpenSSL's salted format; its plain info files start with [backrest].
      const info = objects.find((o) => o.key.endsWith("/backup/main/backup.info"));
      expect(info?.body.subarray(0, 8).toString()).toBe("Salted__");
    }, 300_000);

    test("restores from the encrypted S3 repository with the passphrase", async () => {
      await insertAnchors(sb, ["after-backup"]);
      await archiveCurrentSegment(sb);
      const run = await runJobProcess("pg-restore", {
        ...sb.env,
        CONFIRM: "yes-restore",
        TARGET: "latest",
        REPOSITORY: "s3",
      });
      expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
      expect(await anchorNames(sb)).toEqual(expect.arrayContaining([value, "after-backup"]));
    }, 600_000);

    test("a restore with another passphrase refuses, saying where the right one comes from", async () => {
      const configFile = engineConfigPath(sb.hostConfig.postgres.engine);
      const good = readFileSync(configFile, "utf8");
      await engineFor(sb.hostConfig, hostIdOf(sb.hostConfig)).writeConfig({
        staticCredentials: {
          accessKeyId: SANDBOX_AWS_ENV.AWS_ACCESS_KEY_ID,
          secretAccessKey: SANDBOX_AWS_ENV.AWS_SECRET_ACCESS_KEY,
        },
        repositoryCipherPass: randomBytes(48).toString("base64"),
      });
      try {
        const run = await runJobProcess("pg-restore", { ...sb.env, TARGET: "latest" });
        expect(run.code, run.stderr).toBe(1);
        expect(lastLine(run)).toContain(
          "pgBackRest cannot read repository 1 (s3, cipher aes-256-cbc) with the passphrase in its config: [FormatError] unable to load info file",
        );
        expect(lastLine(run)).toContain(
          "the repository cannot be decrypted with the passphrase in the engine config",
        );
        expect(lastLine(run)).toContain("run the install document");
      } finally {
        writeFileSync(configFile, good);
      }
    }, 300_000);

    test("setup refuses a changed passphrase, explains it, and keeps the working engine config", async () => {
      const configFile = engineConfigPath(sb.hostConfig.postgres.engine);
      const parameter = sb.hostConfig.clientSideEncryption!.cipherPassParameter;
      const good = readFileSync(configFile, "utf8");
      const original = (
        await ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }))
      ).Parameter?.Value as string;
      await putCipherPass(sb.moto.endpoint, sb.hostConfig, randomBytes(48).toString("base64"));
      try {
        const run = await setup();
        expect(run.code).toBe(1);
        const line = lastLine(run);
        expect(line).toContain(
          `the stack says encrypted (aes-256-cbc) with the passphrase in SSM parameter ${parameter}`,
        );
        expect(line).toContain("pgBackRest cannot change either on an existing repository");
        expect(line).toContain(
          `aws ssm get-parameter-history --name ${parameter} --with-decryption`,
        );
        expect(line).toContain("The previous engine config was put back");
        expect(readFileSync(configFile, "utf8")).toBe(good);
      } finally {
        await putCipherPass(sb.moto.endpoint, sb.hostConfig, original);
      }
    }, 300_000);

    test("setup reads the parameter in the replica's region when the host's region has none; without either it names both regions and the commands that create it; a String parameter is refused", async () => {
      const cse = sb.hostConfig.clientSideEncryption!;
      const parameter = cse.cipherPassParameter;
      const primary = sb.hostConfig.region;
      const replica = sb.hostConfig.replica!.region;
      const configFile = engineConfigPath(sb.hostConfig.postgres.engine);
      const original = (
        await ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }))
      ).Parameter?.Value as string;
      const replicaSsm = new SSMClient(sandboxClientSettings(sb.moto.endpoint, replica));
      await ssm.send(new DeleteParameterCommand({ Name: parameter }));
      try {
        // Given no parameter in the host's region: a host rebuilt with that region gone
        rmSync(configFile);
        const fromReplica = await setup();
        expect(fromReplica.code, fromReplica.stderr).toBe(0);
        const output = fromReplica.stdout + fromReplica.stderr;
        expect(output).toContain(
          `${parameter} does not exist in ${primary}; reading its copy in ${replica}`,
        );
        expect(output).toContain(`read the repository passphrase ${parameter} in ${replica}`);
        expect(readFileSync(configFile, "utf8")).toContain(`repo1-cipher-pass=${original}\n`);
        expect(output).not.toContain(original);

        // And none in the replica's either
        await replicaSsm.send(new DeleteParameterCommand({ Name: parameter }));
        const good = readFileSync(configFile, "utf8");
        const missing = await setup();
        expect(missing.code).toBe(1);
        expect(lastLine(missing)).toContain(
          `the PostgreSQL repository passphrase parameter could be read in neither ${primary} nor ${replica}: ${parameter} does not exist in ${primary}; ${parameter} does not exist in ${replica}`,
        );
        // Each region's parameter under the key the host role may decrypt it with through SSM
        // there: the bucket's key in the host's region, the envelope key's replica in the replica's.
        expect(lastLine(missing)).toContain(
          `(1) openssl rand -base64 48 | tr -d '\\n' > /dev/shm/pass && aws ssm put-parameter --region ${primary} --name ${parameter} --type SecureString --key-id alias/${sb.bucket.name} `,
        );
        expect(lastLine(missing)).toContain(
          `(2) with the passphrase of ${primary} (or its offline copy) in /dev/shm/pass: aws ssm put-parameter --region ${replica} --name ${parameter} --type SecureString --key-id ${cse.kmsKeyAlias} `,
        );
        expect(missing.stdout + missing.stderr).not.toContain(original);
        expect(readFileSync(configFile, "utf8")).toBe(good);

        await putCipherPass(sb.moto.endpoint, sb.hostConfig, original, "String");
        const plain = await setup();
        expect(plain.code).toBe(1);
        expect(lastLine(plain)).toContain(
          `${parameter} in ${primary} is a String parameter: the repository passphrase must be a SecureString`,
        );
        expect(plain.stdout + plain.stderr).not.toContain(original);
      } finally {
        await putCipherPass(sb.moto.endpoint, sb.hostConfig, original);
        await putCipherPass(sb.moto.endpoint, sb.hostConfig, original, "SecureString", replica);
        replicaSsm.destroy();
      }
      const again = await setup();
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout + again.stderr).toContain(
        `read the repository passphrase ${parameter} in ${primary}`,
      );
      expect(again.stdout).toContain(
        `the S3 repository is encrypted with the passphrase in ${parameter}`,
      );
      expect(again.stdout).not.toContain(original);
    }, 300_000);

    test("turning encryption on over an existing unencrypted repository is refused with what to do", async () => {
      // Given host plain-host's repository created without encryption (its own engine config file)
      const dir = join(sb.dir, "etc", "plain-host");
      mkdirSync(dir, { recursive: true });
      const { clientSideEncryption: cse, ...withoutCse } = sb.hostConfig;
      const plainConfig = {
        ...withoutCse,
        hostId: "plain-host",
        postgres: {
          ...sb.hostConfig.postgres,
          engine: {
            ...sb.hostConfig.postgres.engine,
            configFile: join(dir, "postgres-engine.conf"),
          },
        },
      };
      const path = join(dir, "host-config.json");
      writeFileSync(path, serializeHostConfig(plainConfig));
      const created = await setup({ STELLAR_BACKUP_CONFIG: path });
      expect(created.code, created.stderr).toBe(0);
      expect(readFileSync(engineConfigPath(plainConfig.postgres.engine), "utf8")).not.toContain(
        "cipher",
      );

      // When the stack turns client-side encryption on for it
      writeFileSync(path, serializeHostConfig({ ...plainConfig, clientSideEncryption: cse }));
      const run = await setup({ STELLAR_BACKUP_CONFIG: path });

      // Then setup refuses, says why, and the unencrypted config stays in place
      expect(run.code).toBe(1);
      const line = lastLine(run);
      expect(line).toContain(
        "this host's PostgreSQL repository cannot be opened with its cipher settings",
      );
      expect(line).toContain("(the stanza must be new)");
      expect(line).toContain("give this host a new hostId");
      expect(readFileSync(engineConfigPath(plainConfig.postgres.engine), "utf8")).not.toContain(
        "cipher",
      );
    }, 300_000);
  },
);
