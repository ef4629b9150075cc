/**
 * Runs the real Pulumi program under Pulumi's mock runtime and records every resource with its
 * resolved inputs and parent: what `pulumi up` would create, without credentials or network.
 */
import * as pulumi from "@pulumi/pulumi";
import { OFFLINE_SECRET_PLACEHOLDER } from "../config/stackConfig";
import { deterministicMocks } from "./mocks";
import type { Plan, PlannedResource } from "./plan";

export interface SynthesizeOptions {
  readonly project: string;
  readonly stack: string;
  /** `"<namespace>:<key>" → string`, as Pulumi hands config to a program. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
  /** Imports the program; called after the mocks are in place. Returns the module's exports. */
  readonly loadProgram: () => Promise<Record<string, unknown>>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean;
}

interface Registration {
  readonly parent: string | null;
  readonly protect: boolean;
}

/** Pulumi's marker for a secret value on the wire (`{ <sig>: <secret sig>, value }`). */
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces every secret value with the offline placeholder: a plan never holds a secret. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE) return OFFLINE_SECRET_PLACEHOLDER;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
}

interface FileAssetLike {
  readonly __pulumiAsset: true;
  readonly path: Promise<string>;
}

function isFileAsset(value: unknown): value is FileAssetLike {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as { __pulumiAsset?: unknown }).__pulumiAsset === true &&
    typeof (value as { path?: { then?: unknown } }).path?.then === "function"
  );
}

/** File assets hold their path as a promise; the plan shows it as `{ "fileAsset": <path> }`. */
async function resolveAssets(value: unknown): Promise<unknown> {
  if (isFileAsset(value)) return { fileAsset: await value.path };
  if (Array.isArray(value)) return Promise.all(value.map(resolveAssets));
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value as Record<string, unknown>).map(
        async ([k, v]) => [k, await resolveAssets(v)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

/** The name at the end of a URN: `urn:pulumi:prod::proj::a$b::name` → `name`. */
function nameFromUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** An export's value with every Output inside it (at any depth) resolved. */
async function resolve(value: unknown): Promise<unknown> {
  const output = pulumi.output(value as pulumi.Input<object>) as pulumi.Output<unknown>;
  return new Promise((done) => output.apply((v) => done(v)));
}

export async function synthesize(options: SynthesizeOptions): Promise<Plan> {
  pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);
  const region = options.config["aws:region"] ?? "us-east-1";
  const recorded: Omit<PlannedResource, "parent">[] = [];
  await pulumi.runtime.setMocks(
    deterministicMocks(region, (args) => {
      recorded.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs as Record<string, unknown>,
      });
    }),
    options.project,
    options.stack,
    false,
  );

  // The mock API passes neither a resource's parent nor its options; the registration request does.
  const registrations = new Map<string, Registration>();
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const parentUrn = req.getParent();
    registrations.set(`${req.getType()}::${req.getName()}`, {
      parent: parentUrn ? nameFromUrn(parentUrn) : null,
      protect: req.getProtect(),
    });
    return register(req, callback);
  };

  const exported = await options.loadProgram();
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exported)) {
    if (key === "default" || typeof value === "function") continue;
    outputs[key] = redactSecrets(await resolve(value));
  }
  await waitForRegistrations();

  const resolved = await Promise.all(
    recorded.map(async (r) => ({
      ...r,
      inputs: redactSecrets(await resolveAssets(r.inputs)) as Record<string, unknown>,
    })),
  );
  return {
    stack: options.stack,
    resources: resolved.map((r) => {
      const registration = registrations.get(`${r.type}::${r.name}`);
      return {
        ...r,
        parent: registration?.parent ?? null,
        ...(registration?.protect ? { protect: true as const } : {}),
      };
    }),
    outputs,
  };
}

/** Waits until the mock monitor has seen every registration the program started. */
export async function waitForRegistrations(): Promise<void> {
  // `waitForRPCs` is exported by the runtime's settings module but not typed as public API.
  const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as {
    waitForRPCs(): Promise<void>;
  };
  await settings.waitForRPCs();
}
