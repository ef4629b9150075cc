/**
 * A host job's refusal of a parameter quotes the value as it is, not as it looks: a zero-width
 * space, a Cyrillic letter or a Unicode minus pasted from a chat or a web page shows as its code
 * point (the stack config's `showValue`), so "TARGET=latest is not allowed" never reads as if the
 * right value were refused; a secret-shaped value is not echoed into the job's log.
 */
import { describe, expect, test } from "vitest";
import { JOB_PARAMETERS } from "../../../infra/catalog/jobParameters";
import { awsCallLimits } from "../../../scripts/lib/storage/aws";
import { Params } from "../../../scripts/lib/job/params";
import { parseTargetTime } from "../../../scripts/lib/postgres/targetTime";

/** The refusal `Params.check()` throws after `read` ran on `env`. */
function refusal(env: NodeJS.ProcessEnv, read: (p: Params) => void): string {
  const p = new Params(env);
  read(p);
  try {
    p.check();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

const TARGET = (p: Params) => p.text("TARGET", /^(latest|backup|time)$/, "latest, backup or time");

describe("job parameters refused", () => {
  test.each([
    ["a zero-width space", "latest\u200b", 'TARGET="latest\\u{200B}" is not allowed'],
    ["a Cyrillic e", "lat\u0435st", 'TARGET="lat\\u{435}st" is not allowed'],
    ["a no-break space", "latest\u00a0", 'TARGET="latest\\u{A0}" is not allowed'],
    ["a terminal escape", "\u001b[2Jlatest", 'TARGET="\\u{1B}[2Jlatest" is not allowed'],
    ["a plain typo", "lates", 'TARGET="lates" is not allowed: expected latest, backup or time'],
  ])("a refused TARGET with %s reads as what it is", (_, value, shown) => {
    expect(refusal({ TARGET: value }, TARGET)).toContain(shown);
  });

  test("a secret pasted into a parameter is not echoed", () => {
    const pasted = "Zq8vN2xLr5Tb9KpW3mYd7HcF";
    const message = refusal({ TARGET: pasted }, TARGET);
    expect(message).not.toContain(pasted);
    expect(message).toContain(`TARGET=<hidden: ${pasted.length} characters> is not allowed`);
  });

  test("lists and the confirmation show what was typed the same way", () => {
    expect(
      refusal({ REPOSITORIES: "s3,loc\u0430l" }, (p) => p.list("REPOSITORIES", ["s3", "local"])),
    ).toContain('REPOSITORIES="s3,loc\\u{430}l" is not allowed');
    expect(
      refusal({ CONFIRM: "yes-restore\u200b" }, (p) =>
        p.confirmed(JOB_PARAMETERS["pg-restore"].confirm),
      ),
    ).toContain('CONFIRM="yes-restore\\u{200B}" is not the confirmation');
  });

  test("a target time with a Unicode minus or a hidden space shows it", () => {
    const minus = parseTargetTime("2026-11-29T14:30:00\u221202:00");
    expect("problem" in minus && minus.problem).toContain(
      'TARGET_TIME="2026-11-29T14:30:00\\u{2212}02:00" is not a time',
    );
    const space = parseTargetTime("2026-11-29T14:30:00Z\u200b");
    expect("problem" in space && space.problem).toContain(
      'TARGET_TIME="2026-11-29T14:30:00Z\\u{200B}" is not a time',
    );
  });

  test("an AWS call limit shows it", () => {
    expect(() => awsCallLimits({ STELLAR_AWS_MAX_ATTEMPTS: "３" })).toThrow(
      'STELLAR_AWS_MAX_ATTEMPTS="\\u{FF13}": must be a whole number',
    );
  });
});
