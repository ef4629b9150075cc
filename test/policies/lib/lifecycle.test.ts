import type { PolicyResource } from "@pulumi/policy";
import { expect, test } from "vitest";
import { UNKNOWN } from "../../../policies/lib/known";
import {
  lifecycleRules,
  retentionProblems,
  type RetentionRequirement,
} from "../../../policies/lib/lifecycle";

function rulesOf(...rules: Record<string, unknown>[]) {
  const configuration = {
    resource: { urn: "urn:lc" } as PolicyResource,
    props: { bucket: "b", rules },
  };
  const read = lifecycleRules([configuration]);
  if (read === UNKNOWN) throw new Error("fixture rules must be known");
  return read;
}

const configs: RetentionRequirement = {
  prefix: "configs/",
  minimumDays: 90,
  strictlyLonger: false,
  reason: "row keeps 90",
};
const expire = (days: number) => ({ days });

test.each([
  [
    "an exact rule, long enough",
    [{ id: "c", status: "Enabled", filter: { prefix: "configs/" }, expiration: expire(90) }],
    [],
  ],
  [
    "a whole-bucket rule, long enough",
    [{ id: "all", status: "Enabled", expiration: expire(400) }],
    [],
  ],
  [
    "a rule through filter.and",
    [
      {
        id: "c",
        status: "Enabled",
        filter: { and: { prefix: "configs/" } },
        expiration: expire(90),
      },
    ],
    [],
  ],
  [
    "a rule through the deprecated rule-level prefix",
    [{ id: "c", status: "Enabled", prefix: "configs/", expiration: expire(90) }],
    [],
  ],
  [
    "the shape AWS returns as outputs (nulls, empty rule prefix)",
    [
      {
        id: "c",
        status: "Enabled",
        prefix: "",
        filter: { prefix: "configs/", tag: null, and: null, objectSizeGreaterThan: 0 },
        expiration: { days: 90, date: null },
      },
    ],
    [],
  ],
  ["no rule", [], ["no enabled lifecycle rule expires everything under 'configs/' (row keeps 90)"]],
  [
    "a disabled rule",
    [{ id: "c", status: "Disabled", filter: { prefix: "configs/" }, expiration: expire(90) }],
    ["no enabled lifecycle rule expires everything under 'configs/' (row keeps 90)"],
  ],
  [
    "a rule on another prefix",
    [{ id: "l", status: "Enabled", filter: { prefix: "logs/" }, expiration: expire(1) }],
    ["no enabled lifecycle rule expires everything under 'configs/' (row keeps 90)"],
  ],
  [
    "a rule that is too short",
    [{ id: "c", status: "Enabled", filter: { prefix: "configs/" }, expiration: expire(89) }],
    [
      "lifecycle rule 'c' expires objects under 'configs/' after 89 days, but 'configs/' needs at least 90: row keeps 90",
    ],
  ],
  [
    "a tag-filtered rule only covers part of the prefix",
    [
      {
        id: "t",
        status: "Enabled",
        filter: { and: { prefix: "configs/", tags: { tmp: "1" } } },
        expiration: expire(90),
      },
    ],
    ["no enabled lifecycle rule expires everything under 'configs/' (row keeps 90)"],
  ],
  [
    "a narrower rule that is too short, next to a good one",
    [
      { id: "c", status: "Enabled", filter: { prefix: "configs/" }, expiration: expire(90) },
      { id: "tmp", status: "Enabled", filter: { prefix: "configs/tmp/" }, expiration: expire(1) },
    ],
    [
      "lifecycle rule 'tmp' expires objects under 'configs/tmp/' after 1 day, but 'configs/' needs at least 90: row keeps 90",
    ],
  ],
  [
    "a fixed expiration date",
    [
      { id: "c", status: "Enabled", filter: { prefix: "configs/" }, expiration: expire(90) },
      { status: "Enabled", filter: { prefix: "" }, expiration: { date: "2030-01-01T00:00:00Z" } },
    ],
    [
      "lifecycle rule #2 expires objects under the whole bucket on a fixed date (2030-01-01T00:00:00Z); row keeps 90",
    ],
  ],
])("%s", (_title, rules, expected) => {
  expect(retentionProblems(rulesOf(...rules), configs).map((p) => p.message)).toEqual(expected);
});

test("strictly longer: expiring on the retention's last day is already too early", () => {
  const engine = {
    prefix: "postgres/",
    minimumDays: 30,
    strictlyLonger: true,
    reason: "the PostgreSQL engine keeps 30",
  };
  const at = (days: number) =>
    rulesOf({
      id: "w",
      status: "Enabled",
      filter: { prefix: "postgres/" },
      expiration: expire(days),
    });
  expect(retentionProblems(at(31), engine)).toEqual([]);
  expect(retentionProblems(at(30), engine).map((p) => p.message)).toEqual([
    "lifecycle rule 'w' expires objects under 'postgres/' after 30 days, but 'postgres/' needs more than 30: the PostgreSQL engine keeps 30",
  ]);
});

test("a rule unknown during preview proves nothing either way", () => {
  const rules = rulesOf({
    id: "c",
    status: "Enabled",
    filter: { prefix: "configs/" },
    expiration: UNKNOWN,
  });
  expect(retentionProblems(rules, configs)).toEqual([]);
});
