/**
 * `backup-ssm-document-parameters-constrained`
 * (policies/rules/ssmDocumentParametersConstrained.ts): the prod plan broken in the ways it guards
 * against.
 */
import { editJson, type MutableResource } from "../fixtures/plans";
import { T, all, first, describeMutations, type Case } from "../support/mutations";

/** A YAML document whose one parameter has an empty (so useless) allowedValues. */
const YAML_DOCUMENT = {
  name: "fixture-unconstrained",
  documentType: "Command",
  documentFormat: "YAML",
  content:
    "schemaVersion: '2.2'\nparameters:\n  Target:\n    type: String\n    allowedValues: []\nmainSteps: []\n",
};

export const cases: Case[] = [
  {
    title: "a JSON document parameter has neither allowedPattern nor allowedValues",
    fails: ["backup-ssm-document-parameters-constrained"],
    says: "parameter 'DryRun' has neither allowedPattern nor allowedValues",
    mutate: (p) =>
      editJson(
        all(p, T.document).find((d) =>
          String(d.inputs.content).includes('"DryRun"'),
        ) as MutableResource,
        "content",
        (doc) => {
          delete doc.parameters.DryRun.allowedValues;
        },
      ),
  },
  {
    title: "a YAML document parameter has an empty allowedValues",
    fails: ["backup-ssm-document-parameters-constrained"],
    says: "parameter 'Target' has neither allowedPattern nor allowedValues",
    mutate: (p) =>
      p.resources.push({
        type: T.document,
        name: "fixture-yaml",
        parent: null,
        inputs: YAML_DOCUMENT,
      }),
  },
  {
    title: "a document's content is not JSON",
    fails: ["backup-ssm-document-parameters-constrained"],
    says: "content is not valid JSON",
    mutate: (p) => (first(p, T.document).inputs.content = "{ not json"),
  },
];

describeMutations(cases);
