/**
 * Schema pieces every stack config key shares: YAML maps (Pulumi hands them over JSON-encoded),
 * numbers written inside them (as numbers or numeric text), AWS regions and S3 bucket names, and the
 * issue paths of rules that relate keys. Pure: tested through `validateStackConfig`.
 */
import { Region } from "@pulumi/aws/types/enums";
import * as v from "valibot";
import { exactObject, isPlainObject, wholeNumber } from "../catalog/schema/parts";

export const NOT_A_MAP = "must be an object (a YAML map)";
const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;

/** The regions the AWS provider knows (`aws.Region` of @pulumi/aws), not a list of our own. */
export const AWS_REGIONS: readonly string[] = Object.values(Region).sort();

/** Whether `region` is one `@pulumi/aws` knows. */
export const isKnownRegion = (region: string): boolean => AWS_REGIONS.includes(region);

/** Stack files may quote numbers inside maps (`"30"`): they count as the number. */
export const fromNumericText = (value: unknown): unknown =>
  typeof value === "string" && NUMERIC_TEXT.test(value) ? Number(value) : value;

/** A number inside a YAML map, written as a number or as numeric text. */
export function mapCount(min: number, max: number, message: string) {
  return v.pipe(v.unknown(), v.transform(fromNumericText), wholeNumber(min, max, message));
}

/** A top-level number: Pulumi hands it over as text, which problems quote as written. */
export function countText(min: number, max: number, message: string) {
  return v.pipe(
    v.string(message),
    v.check((text) => {
      const n = Number(text);
      return NUMERIC_TEXT.test(text) && Number.isInteger(n) && n >= min && n <= max;
    }, message),
  );
}

/** A YAML map as Pulumi passes it: JSON text, parsed; anything else is "not a map". */
export const jsonMap = () =>
  v.pipe(
    v.string(NOT_A_MAP),
    v.rawTransform<string, Record<string, unknown>>(({ dataset, addIssue, NEVER }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(dataset.value);
      } catch {
        parsed = undefined;
      }
      if (isPlainObject(parsed)) return parsed;
      addIssue({ message: NOT_A_MAP });
      return NEVER;
    }),
  );

/**
 * A YAML map with exactly `entries` (an unknown field is a problem saying `unknownField`; a missing
 * required one says what it must be, from `missing`, by field).
 */
export function yamlMap<const E extends v.ObjectEntries>(
  entries: E,
  unknownField: string,
  missing?: Readonly<Record<string, string>>,
) {
  return v.pipe(jsonMap(), exactObject(entries, { notObject: NOT_A_MAP, unknownField, missing }));
}

/** An issue path item for a rule that relates keys. */
export function pathItem(
  input: Record<string, unknown>,
  key: string,
  value: unknown,
): v.IssuePathItem {
  return { type: "object", origin: "value", input, key, value };
}

/**
 * S3 bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html),
 * each broken rule its own problem; `lengthMessage` says why the limit is `maxLength`.
 */
export function s3BucketName(maxLength: number, lengthMessage: string) {
  return v.pipe(
    v.string(),
    v.check((name) => name.length >= 3 && name.length <= maxLength, lengthMessage),
    v.regex(
      /^[a-z0-9][a-z0-9-]*[a-z0-9]$/,
      "must be DNS-compatible: lowercase letters, digits and hyphens, starting and ending with a letter or digit " +
        "(no dots: they break TLS on virtual-hosted S3 addresses)",
    ),
    v.check(
      (name) =>
        !name.startsWith("xn--") && !name.startsWith("sthree-") && !name.endsWith("-s3alias"),
      "must not start with 'xn--' or 'sthree-' nor end with '-s3alias' (reserved by S3)",
    ),
  );
}
