/**
 * The offline plan format of DESIGN.md section 6, and how it is serialized.
 */
import { stableJson } from "../catalog/stableJson";

export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  /** Name of the parent resource, or null at the top of the stack. */
  readonly parent: string | null;
  readonly inputs: Record<string, unknown>;
  /** Present (true) when the resource is protected from deletion by `pulumi destroy` / replacement. */
  readonly protect?: true;
}

export interface Plan {
  readonly stack: string;
  readonly resources: readonly PlannedResource[];
  readonly outputs: Record<string, unknown>;
}

/** Resources sorted by name then type; keys sorted everywhere: byte-identical across runs. */
export function serializePlan(plan: Plan): string {
  const resources = [...plan.resources].sort(
    (a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type),
  );
  return `${stableJson({ ...plan, resources })}\n`;
}
