import { resourcePolicy } from "../lib/define";
import { parsePolicyDocument } from "../lib/policyDocument";
import { isTlsDenial } from "../lib/tlsDenial";

export const snsTopicTlsOnly = resourcePolicy({
  name: "backup-sns-topic-tls-only",
  description:
    "Every SNS topic policy denies sns:* to everyone when aws:SecureTransport is false: pages name " +
    "hosts, buckets and failures, and never travel or get published in clear text.",
  kinds: ["snsTopicPolicy"],
  check: (props) => {
    const parsed = parsePolicyDocument(props.policy);
    if (parsed.ok === "unknown") return [];
    if (parsed.ok !== true) return [`has an unreadable policy: ${parsed.reason}`];
    return parsed.statements.some((s) => isTlsDenial(s, "sns"))
      ? []
      : ["does not deny sns:* without TLS (Deny, Principal '*', Bool aws:SecureTransport=false)"];
  },
});
