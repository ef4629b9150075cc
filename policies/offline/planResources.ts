/**
 * Turns an offline plan (`npm run synth`: `{stack, resources: [{type, name, parent, inputs}], outputs}`)
 * into the resources @pulumi/policy hands to policies, as close as a plan allows to what the Pulumi
 * engine sends: URNs with the parent type chain, parent links, the root stack resource carrying the
 * outputs, and props = inputs (the synth mocks echo inputs as outputs, a bucket's id being its name).
 *
 * A plan records no dependencies, so `dependencies` and `propertyDependencies` stay empty and
 * bucket-level resources join their bucket by name (see lib/buckets.ts).
 */
import type { PolicyResource, PolicyResourceOptions } from "@pulumi/policy";
import type { Plan, PlannedResource } from "../../infra/synth/plan";
import { STACK_TYPE } from "../lib/awsTypes";

/** Type token of a resource class (`aws.s3.Bucket` → `aws:s3/bucket:Bucket`), as @pulumi/policy reads it. */
export function typeToken(resourceClass: unknown): string | undefined {
  return (resourceClass as { __pulumiType?: string } | undefined)?.__pulumiType;
}

function options(parentUrn: string | undefined, protect = false): PolicyResourceOptions {
  return {
    protect,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(parentUrn ? { parent: parentUrn } : {}),
  };
}

/** Components have a three-part token without a module path (`stellar:backup:BackupBucket`). */
function isComponentType(type: string): boolean {
  return !type.split(":")[1]?.includes("/");
}

/**
 * The plan names a parent only by name, and a component and its main child often share one
 * (`backups` and `backups`): the parent is another resource of that name, a component if there is one.
 */
function findParent(plan: Plan, child: PlannedResource): PlannedResource | undefined {
  if (child.parent === null) return undefined;
  const candidates = plan.resources.filter((r) => r !== child && r.name === child.parent);
  return candidates.find((r) => isComponentType(r.type)) ?? candidates[0];
}

export function stackResourceName(project: string, stack: string): string {
  return `${project}-${stack}`;
}

export function planPolicyResources(plan: Plan, project: string): PolicyResource[] {
  const stackName = stackResourceName(project, plan.stack);
  const urnPrefix = `urn:pulumi:${plan.stack}::${project}::`;
  const chains = new Map<PlannedResource, string>();
  const typeChain = (
    r: PlannedResource,
    seen: ReadonlySet<PlannedResource> = new Set(),
  ): string => {
    const cached = chains.get(r);
    if (cached !== undefined) return cached;
    const parent = findParent(plan, r);
    if (parent !== undefined && seen.has(parent))
      throw new Error(`plan: parent cycle through '${r.name}'`);
    const chain = parent ? `${typeChain(parent, new Set([...seen, r]))}$${r.type}` : r.type;
    chains.set(r, chain);
    return chain;
  };

  const stack = makeResource(STACK_TYPE, stackName, `${urnPrefix}${STACK_TYPE}::${stackName}`, {
    ...plan.outputs,
  });
  const byPlanned = new Map<PlannedResource, PolicyResource>();
  for (const r of plan.resources) {
    byPlanned.set(
      r,
      makeResource(
        r.type,
        r.name,
        `${urnPrefix}${typeChain(r)}::${r.name}`,
        structuredClone(r.inputs),
      ),
    );
  }
  for (const [planned, resource] of byPlanned) {
    const parentPlanned = findParent(plan, planned);
    const parent = parentPlanned ? byPlanned.get(parentPlanned) : stack;
    resource.parent = parent;
    resource.opts = options(parent?.urn, planned.protect === true);
  }
  return [stack, ...byPlanned.values()];
}

function makeResource(
  type: string,
  name: string,
  urn: string,
  props: Record<string, unknown>,
): PolicyResource {
  return {
    type,
    name,
    urn,
    props,
    opts: options(undefined),
    dependencies: [],
    propertyDependencies: {},
    isType: (resourceClass) => typeToken(resourceClass) === type,
    asType: (resourceClass) => (typeToken(resourceClass) === type ? (props as never) : undefined),
  };
}
