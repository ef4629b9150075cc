/**
 * `backup-iam-host-prefix-scoped` (policies/rules/iamHostPrefixScoped.ts): the prod plan broken in
 * the ways it guards against.
 */
import { editJson } from "../fixtures/plans";
import { named, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the host role may write every host's configs",
    fails: ["backup-iam-host-prefix-scoped"],
    says: "policy: statement 'ReadWriteOwnBackups' allows s3:AbortMultipartUpload, s3:GetObject, s3:ListMultipartUploadParts, s3:PutObject on 'arn:aws:s3:::stellar-insights-backups/configs/*', every host's 'configs/<host>/' objects",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-backup-policy"), "policy", (doc) => {
        const own = doc.Statement.find((st: { Sid?: string }) => st.Sid === "ReadWriteOwnBackups");
        own.Resource = own.Resource.map((r: string) =>
          r.replace("/configs/prod-db-1/", "/configs/"),
        );
      }),
  },
];

describeMutations(cases);
