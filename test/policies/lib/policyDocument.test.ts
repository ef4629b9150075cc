import { describe, expect, test } from "vitest";
import { UNKNOWN } from "../../../policies/lib/known";
import { parsePolicyDocument } from "../../../policies/lib/policyDocument";

const BUCKET = "arn:aws:s3:::stellar-insights-backups";

describe("parsePolicyDocument", () => {
  test.each([
    ["not JSON", "{", false, "is not valid JSON"],
    ["not an object", "[1]", false, "is not a policy document object"],
    [
      "a statement without Effect",
      JSON.stringify({ Statement: [{ Action: "s3:*" }] }),
      false,
      "statement #1 has no Effect of Allow or Deny",
    ],
  ])("%s is refused", (_title, text, ok, reason) => {
    const parsed = parsePolicyDocument(text);
    expect(parsed.ok).toBe(ok);
    expect(parsed.ok === false && parsed.reason).toContain(reason);
  });

  test("one statement object (not a list) and an object document both read", () => {
    const parsed = parsePolicyDocument({
      Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: [BUCKET] },
    });
    expect(parsed).toEqual({
      ok: true,
      statements: [
        {
          label: "#1",
          effect: "Allow",
          principal: undefined,
          actions: ["s3:GetObject"],
          notActions: undefined,
          resources: [BUCKET],
          notResources: undefined,
          condition: {},
        },
      ],
    });
  });

  test("a document unknown during preview is neither good nor bad yet", () => {
    expect(parsePolicyDocument(UNKNOWN)).toEqual({ ok: "unknown" });
  });
});
