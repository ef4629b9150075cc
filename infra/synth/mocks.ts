/**
 * Deterministic stand-ins for what AWS would return (ids, ARNs), so the real program can run under
 * Pulumi's mock runtime with no credentials. The account id is the documentation placeholder.
 */
import type * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT_ID = "123456789012";

/** The service part of a type token: `aws:s3/bucket:Bucket` → `s3`. */
function service(type: string): string {
  return type.split(":")[1]?.split("/")[0] ?? "unknown";
}

/** The key id of a replica key: its primary's (`primaryKeyArn`'s last segment). */
function replicaKeyId(inputs: Record<string, unknown>): string {
  return (
    String(inputs.primaryKeyArn ?? "")
      .split("/")
      .at(-1) ?? ""
  );
}

export function mockArn(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
): string {
  const account = MOCK_ACCOUNT_ID;
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return `arn:aws:s3:::${String(inputs.bucket ?? name)}`;
    case "aws:kms/key:Key":
      return `arn:aws:kms:${region}:${account}:key/${name}-id`;
    case "aws:kms/replicaKey:ReplicaKey":
      // A replica has its primary's key id, in its own region.
      return `arn:aws:kms:${String(inputs.region ?? region)}:${account}:key/${replicaKeyId(inputs)}`;
    case "aws:iam/role:Role":
      return `arn:aws:iam::${account}:role/${String(inputs.name ?? name)}`;
    case "aws:iam/instanceProfile:InstanceProfile":
      return `arn:aws:iam::${account}:instance-profile/${String(inputs.name ?? name)}`;
    case "aws:cloudwatch/logGroup:LogGroup":
      return `arn:aws:logs:${region}:${account}:log-group:${String(inputs.name ?? name)}`;
    case "aws:sns/topic:Topic":
      return `arn:aws:sns:${region}:${account}:${String(inputs.name ?? name)}`;
    case "aws:sqs/queue:Queue":
      return `arn:aws:sqs:${region}:${account}:${String(inputs.name ?? name)}`;
    case "aws:ssm/document:Document":
      return `arn:aws:ssm:${region}:${account}:document/${String(inputs.name ?? name)}`;
    default:
      return `arn:aws:${service(type)}:${region}:${account}:${name}`;
  }
}

/** Mocks whose outputs echo the inputs plus the ids and ARNs a real provider would compute. */
export function deterministicMocks(
  region: string,
  onResource?: (args: pulumi.runtime.MockResourceArgs) => void,
): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      onResource?.(args);
      const inputs = args.inputs as Record<string, unknown>;
      // As in AWS, a bucket's id is its name, so resources that name a bucket join on it.
      const id =
        args.type === "aws:s3/bucket:Bucket"
          ? String(inputs.bucket ?? args.name)
          : `${args.name}-id`;
      const state: Record<string, unknown> = {
        ...inputs,
        arn: inputs.arn ?? mockArn(args.type, args.name, inputs, region),
        name: inputs.name ?? args.name,
      };
      if (args.type === "aws:kms/key:Key") state.keyId = id;
      if (args.type === "aws:kms/replicaKey:ReplicaKey") state.keyId = replicaKeyId(inputs);
      if (args.type === "aws:s3/bucket:Bucket") state.bucket = inputs.bucket ?? args.name;
      if (args.type === "aws:sqs/queue:Queue")
        state.url = `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${String(state.name)}`;
      return { id: args.custom === false ? undefined : id, state };
    },
    call(args) {
      // The only invokes the program may use: who and where it deploys.
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return {
            accountId: MOCK_ACCOUNT_ID,
            arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/synth`,
            userId: "synth",
            id: MOCK_ACCOUNT_ID,
          };
        case "aws:index/getRegion:getRegion":
          return {
            name: region,
            region,
            id: region,
            endpoint: `ec2.${region}.amazonaws.com`,
            description: region,
          };
        case "aws:index/getPartition:getPartition":
          return {
            partition: "aws",
            dnsSuffix: "amazonaws.com",
            id: "aws",
            reverseDnsPrefix: "com.amazonaws",
          };
      }
      throw new Error(
        `offline synth has no mock for invoke '${args.token}'; the program must not depend on it`,
      );
    },
  };
}
