import type { LogGroupProps } from "../lib/awsProps";
import { resourcePolicy } from "../lib/define";
import { isUnknown } from "../lib/known";

export const logGroupRetention = resourcePolicy({
  name: "backup-log-group-retention",
  description:
    "Every CloudWatch log group sets retentionInDays: without it job output is kept, and billed, forever.",
  kinds: ["logGroup"],
  check: (props) => {
    const days = (props as LogGroupProps).retentionInDays;
    if (isUnknown(days) || (typeof days === "number" && days > 0)) return [];
    return ["has no retentionInDays: its events never expire"];
  },
});
