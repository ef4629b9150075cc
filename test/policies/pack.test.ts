/**
 * The policy pack as the Pulumi CLI runs it (`pulumi preview --policy-pack policies`): started by
 * @pulumi/pulumi's own `run-policy-pack` (ts-node, from the pack directory), spoken to over the
 * Analyzer gRPC protocol the CLI uses. There is no Pulumi CLI here; this is the same conversation.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { PolicyResource } from "@pulumi/policy";
import { afterAll, beforeAll, expect, test } from "vitest";
import { planPolicyResources } from "../../policies/offline/planResources";
import { BACKUP_POLICIES, POLICY_PACK_NAME } from "../../policies/policies";
import { prodPlanCopy, onBucket, PROJECT, ROOT, type MutablePlan } from "./fixtures/plans";
import type { Plan } from "../../infra/synth/plan";

/** How the engine marks a string output it cannot know during preview. */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";

let pack: ChildProcess;
let client: AnalyzerClient;
let stderr = "";

beforeAll(async () => {
  pack = spawn(
    process.execPath,
    [join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."],
    {
      cwd: join(ROOT, "policies"),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  pack.stderr?.on("data", (chunk) => (stderr += String(chunk)));
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    pack.stdout?.on("data", (chunk) => {
      out += String(chunk);
      const line = /^(\d+)\n/.exec(out);
      if (line) resolve(line[1]);
    });
    pack.on("exit", (code) =>
      reject(new Error(`policy pack exited ${code} before listening:\n${stderr}`)),
    );
  });
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

function call<Req, Res>(
  method: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, req, (e, r) => (e ? reject(e) : resolve(r))),
  );
}

function options(resource: PolicyResource): analyzer.AnalyzerResourceOptions {
  const o = new analyzer.AnalyzerResourceOptions();
  o.setProtect(resource.opts.protect);
  if (resource.opts.parent) o.setParent(resource.opts.parent);
  return o;
}

function toAnalyzerResource(
  resource: PolicyResource,
  dependencies: Record<string, string[]> = {},
): analyzer.AnalyzerResource {
  const r = new analyzer.AnalyzerResource();
  r.setType(resource.type);
  r.setName(resource.name);
  r.setUrn(resource.urn);
  r.setProperties(Struct.fromJavaScript(resource.props as Record<string, never>));
  r.setOptions(options(resource));
  if (resource.parent) r.setParent(resource.parent.urn);
  for (const [property, urns] of Object.entries(dependencies)) {
    const d = new analyzer.AnalyzerPropertyDependencies();
    d.setUrnsList(urns);
    r.getPropertydependenciesMap().set(property, d);
  }
  return r;
}

interface Diagnostic {
  policy: string;
  urn: string;
  message: string;
  level: analyzer.EnforcementLevel;
}

function diagnostics(response: analyzer.AnalyzeResponse): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    urn: d.getUrn(),
    message: d.getMessage(),
    level: d.getEnforcementlevel(),
  }));
}

async function analyzeStack(
  plan: MutablePlan,
  edit?: (resources: analyzer.AnalyzerResource[], byUrn: Map<string, PolicyResource>) => void,
) {
  const resources = planPolicyResources(plan as Plan, PROJECT);
  const request = new analyzer.AnalyzeStackRequest();
  const converted = resources.map((r) => toAnalyzerResource(r));
  edit?.(converted, new Map(resources.map((r) => [r.urn, r])));
  request.setResourcesList(converted);
  return diagnostics(await call(client.analyzeStack, request));
}

test("the pack announces its name and all 26 policies, each mandatory, with the retention config schema", async () => {
  const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
  expect(info.getName()).toBe(POLICY_PACK_NAME);
  const policies = info.getPoliciesList();
  expect(policies.map((p) => p.getName())).toEqual(BACKUP_POLICIES.map((p) => p.name));
  expect(
    policies.every((p) => p.getEnforcementlevel() === analyzer.EnforcementLevel.MANDATORY),
  ).toBe(true);
  const lifecycle = policies.find((p) => p.getName() === "backup-lifecycle-covers-catalog");
  expect(lifecycle?.getConfigschema()?.getProperties()?.toJavaScript()).toHaveProperty(
    "retentionDays",
  );
});

test("the completed prod plan passes; versioning suspended fails mandatory at the versioning resource", async () => {
  const plan = await prodPlanCopy();
  expect(await analyzeStack(plan)).toEqual([]);

  onBucket(plan, VERSIONING, "backups").inputs.versioningConfiguration.status = "Suspended";
  const found = await analyzeStack(plan);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({
    policy: "backup-bucket-versioning-enabled",
    level: analyzer.EnforcementLevel.MANDATORY,
  });
  expect(found[0].urn).toBe(
    `urn:pulumi:prod::${PROJECT}::stellar:backup:BackupBucket$${VERSIONING}::backups-versioning`,
  );
});

test("during preview an unknown bucket id joins through property dependencies", async () => {
  const plan = await prodPlanCopy();
  const unknownBucket =
    (withDependency: boolean) =>
    (resources: analyzer.AnalyzerResource[], byUrn: Map<string, PolicyResource>) => {
      const bucketUrn =
        [...byUrn.values()].find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "backups")
          ?.urn ?? "";
      const index = resources.findIndex((r) => r.getType() === VERSIONING);
      const resource = byUrn.get(resources[index].getUrn()) as PolicyResource;
      resources[index] = toAnalyzerResource(
        { ...resource, props: { ...resource.props, bucket: UNKNOWN_STRING } },
        withDependency ? { bucket: [bucketUrn] } : {},
      );
    };
  expect(await analyzeStack(plan, unknownBucket(true))).toEqual([]);
  const unjoined = await analyzeStack(plan, unknownBucket(false));
  expect(unjoined.map((d) => d.policy)).toEqual(["backup-bucket-versioning-enabled"]);
  expect(unjoined[0].message).toContain("has no versioning configuration");
});

test("resource policies check inputs one at a time, and wait for values unknown during preview", async () => {
  const analyze = async (type: string, props: Record<string, unknown>) => {
    const request = new analyzer.AnalyzeRequest();
    request.setType(type);
    request.setName("probe");
    request.setUrn(`urn:pulumi:prod::${PROJECT}::${type}::probe`);
    request.setProperties(Struct.fromJavaScript(props as Record<string, never>));
    request.setOptions(new analyzer.AnalyzerResourceOptions());
    return diagnostics(await call(client.analyze, request));
  };
  const wide = JSON.stringify({
    // Under artifacts/ (no host's prefix), so only the wildcard policy speaks.
    Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/artifacts/*" }],
  });
  const found = await analyze("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: wide });
  // The pack prefixes each message with the policy's description, as the CLI shows it.
  const iam = BACKUP_POLICIES.find((p) => p.name === "backup-iam-no-wildcard-grants");
  expect(found.map((d) => [d.policy, d.message])).toEqual([
    ["backup-iam-no-wildcard-grants", `${iam?.description}\npolicy: statement #1 allows 's3:*'`],
  ]);
  expect(
    await analyze("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: UNKNOWN_STRING }),
  ).toEqual([]);
});

test("pack config sent by the CLI reaches the policies: a longer retention for configs fails the 90-day rule", async () => {
  const policyConfig = new analyzer.PolicyConfig();
  policyConfig.setEnforcementlevel(analyzer.EnforcementLevel.ADVISORY);
  policyConfig.setProperties(Struct.fromJavaScript({ retentionDays: { configs: 120 } }));
  const request = new analyzer.ConfigureAnalyzerRequest();
  request.getPolicyconfigMap().set("backup-lifecycle-covers-catalog", policyConfig);
  await call(client.configure, request);

  const found = await analyzeStack(await prodPlanCopy());
  expect(found.map((d) => [d.policy, d.level])).toEqual([
    ["backup-lifecycle-covers-catalog", analyzer.EnforcementLevel.ADVISORY],
  ]);
  expect(found[0].message).toContain("after 90 days, but 'configs/' needs at least 120");

  await call(client.configure, new analyzer.ConfigureAnalyzerRequest());
  expect(await analyzeStack(await prodPlanCopy())).toEqual([]);
});
