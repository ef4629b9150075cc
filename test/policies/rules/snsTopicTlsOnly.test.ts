/**
 * `backup-sns-topic-tls-only` (policies/rules/snsTopicTlsOnly.ts): the prod plan broken in the ways
 * it guards against.
 */
import { editJson } from "../fixtures/plans";
import { T, first, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the paging topic's policy lets requests through without TLS",
    fails: ["backup-sns-topic-tls-only"],
    says: "does not deny sns:* without TLS",
    mutate: (p) =>
      editJson(first(p, T.topicPolicy), "policy", (doc) => {
        doc.Statement = doc.Statement.filter((s: { Effect: string }) => s.Effect !== "Deny");
      }),
  },
];

describeMutations(cases);
