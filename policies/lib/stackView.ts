/**
 * A stack as the stack policies see it: every resource with its props copied to plain data (see
 * known.ts), looked up by kind, plus the stack's name and outputs.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isKind, STACK_TYPE, type AwsKind } from "./awsTypes";
import { plain, record } from "./known";

export interface ViewResource {
  readonly resource: PolicyResource;
  readonly props: Record<string, unknown>;
}

export class StackView {
  readonly resources: readonly ViewResource[];

  constructor(resources: readonly PolicyResource[]) {
    this.resources = resources.map((resource) => ({
      resource,
      props: record(plain(resource.props)) ?? {},
    }));
  }

  ofKind(kind: AwsKind): ViewResource[] {
    return this.resources.filter((r) => isKind(r.resource.type, kind));
  }

  /** The stack name, from the URNs (`urn:pulumi:<stack>::<project>::…`). */
  stackName(): string | undefined {
    for (const { resource } of this.resources) {
      const match = /^urn:pulumi:([^:]+)::/.exec(resource.urn);
      if (match) return match[1];
    }
    return undefined;
  }

  /** The stack's outputs: the props of its root `pulumi:pulumi:Stack` resource, when present. */
  stackOutputs(): Record<string, unknown> {
    return this.resources.find((r) => r.resource.type === STACK_TYPE)?.props ?? {};
  }
}
