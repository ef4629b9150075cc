/**
 * A policy's `configSchema` (the JSON schema `pulumi preview --policy-pack-config` checks a policy's
 * properties against) generated from the valibot schema the policy itself parses its config with,
 * so the two never disagree.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { isPlainObject } from "../../infra/catalog/schema/parts";

/**
 * @param schema an object schema (`v.object`); its properties become the policy's properties.
 * @throws Error if the schema holds a step JSON schema cannot express (conversion stays strict).
 */
export function policyConfigSchema(schema: v.GenericSchema): PolicyConfigSchema {
  const json = toJsonSchema(schema, {
    // exactObject is a pipe of two schemas (the object check, then the fields); the second one,
    // what the policy reads, is the JSON schema. These config schemas hold no transformations.
    typeMode: "output",
    // exactObject's "not a list" step is a custom check; in JSON schema `type: object` says it.
    overrideSchema: ({ valibotSchema }) =>
      (valibotSchema as { readonly check?: unknown }).check === isPlainObject
        ? { type: "object" }
        : undefined,
  });
  if (json.type !== "object" || json.properties === undefined) {
    throw new Error("a policy's config schema must be an object schema with properties");
  }
  return {
    properties: json.properties as PolicyConfigSchema["properties"],
    ...(json.required && json.required.length > 0 ? { required: json.required } : {}),
  };
}
