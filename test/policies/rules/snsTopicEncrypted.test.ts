/**
 * `backup-sns-topic-encrypted` (policies/rules/snsTopicEncrypted.ts): the prod plan broken in the
 * ways it guards against.
 */
import { T, first, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the paging topic is not encrypted",
    fails: ["backup-sns-topic-encrypted"],
    says: "has no kmsMasterKeyId",
    mutate: (p) => delete first(p, T.topic).inputs.kmsMasterKeyId,
  },
];

describeMutations(cases);
