/**
 * What the SSM agent on a database host needs to register the host, receive and answer commands
 * and State Manager associations, and open sessions: the AWS-managed AmazonSSMManagedInstanceCore
 * (v2) without its `ssm:GetParameter` and `ssm:GetParameters` on every parameter (`*`), which would
 * let each host read every parameter of the account, the other stacks' secrets included. Pure.
 *
 * The agent reads a parameter only for a document that names one (`{{ssm:…}}`); this stack's
 * documents name none. The one parameter a host reads, the PostgreSQL repository passphrase, is
 * granted by name in the client-side encryption policy (clientSideEncryptionPolicy.ts).
 *
 * Sources: AWS Managed Policy Reference, "AmazonSSMManagedInstanceCore" (its JSON policy
 * document, v2); AWS Systems Manager user guide, "Reference: ec2messages, ssmmessages, and other
 * API operations" (what the agent calls).
 */
import { policyDocument } from "./bucketPolicies";

/** AmazonSSMManagedInstanceCore's `ssm:` actions, its two parameter reads left out. */
export const SSM_AGENT_ACTIONS = [
  "ssm:DescribeAssociation",
  "ssm:DescribeDocument",
  "ssm:GetDeployablePatchSnapshotForInstance",
  "ssm:GetDocument",
  "ssm:GetManifest",
  "ssm:ListAssociations",
  "ssm:ListInstanceAssociations",
  "ssm:PutComplianceItems",
  "ssm:PutConfigurePackageResult",
  "ssm:PutInventory",
  "ssm:UpdateAssociationStatus",
  "ssm:UpdateInstanceAssociationStatus",
  "ssm:UpdateInstanceInformation",
] as const;

/** Session Manager's and Run Command's message channels (AmazonSSMManagedInstanceCore's own). */
export const SSM_MESSAGE_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
] as const;
export const EC2_MESSAGE_ACTIONS = [
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
] as const;

/**
 * The SSM agent's policy, in place of AmazonSSMManagedInstanceCore. Every action is on `*`, as in
 * the managed policy: these operations act on the calling instance itself (the agent's own
 * registration, its messages, its associations), not on a resource a policy could name.
 */
export function ssmAgentPolicy(): string {
  return policyDocument([
    { Sid: "SsmAgentCore", Effect: "Allow", Action: [...SSM_AGENT_ACTIONS], Resource: "*" },
    { Sid: "SsmAgentSessions", Effect: "Allow", Action: [...SSM_MESSAGE_ACTIONS], Resource: "*" },
    { Sid: "SsmAgentMessages", Effect: "Allow", Action: [...EC2_MESSAGE_ACTIONS], Resource: "*" },
  ]);
}
