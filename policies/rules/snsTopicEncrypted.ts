import type { SnsTopicProps } from "../lib/awsProps";
import { resourcePolicy } from "../lib/define";
import { text } from "../lib/known";

export const snsTopicEncrypted = resourcePolicy({
  name: "backup-sns-topic-encrypted",
  description:
    "Every SNS topic is encrypted with a KMS key (kmsMasterKeyId): alert messages name hosts, buckets " +
    "and failures, which stay encrypted at rest like the backups they are about.",
  kinds: ["snsTopic"],
  check: (props) =>
    text((props as SnsTopicProps).kmsMasterKeyId) === undefined
      ? ["has no kmsMasterKeyId: messages are stored unencrypted"]
      : [],
});
