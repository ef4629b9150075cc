/**
 * Trust policies for the roles AWS services assume on the stack's behalf. Pure.
 */
import { stableJson } from "../../catalog/stableJson";

type Condition = Record<string, Record<string, string | readonly string[]>>;

/** Lets one AWS service assume the role, optionally only under `condition`. */
export function serviceAssumeRolePolicy(service: string, condition?: Condition): string {
  return stableJson({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(condition === undefined ? {} : { Condition: condition }),
      },
    ],
  });
}
