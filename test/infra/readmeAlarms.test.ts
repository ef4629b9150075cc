/**
 * Every page names a runbook section; the section exists and says what the alarm means and what to do.
 */
import { expect, test } from "vitest";
import { ALARM_KINDS } from "../../infra/content/aws/alarmDefinitions";
import { COMMAND_FAILED_RUNBOOK_LINK } from "../../infra/content/aws/failureEvents";
import { heartbeatMarkdownTable } from "../../infra/content/docs/heartbeatTable";
import { headingAnchors, readPage } from "../docs/support/markdown";
import { everyAlarmDefinition } from "../docs/support/everyAlarm";

const RUNBOOK_PAGE = "docs/runbook/alarms.md";
const RUNBOOK = readPage(RUNBOOK_PAGE);

function section(heading: string): string {
  const start = RUNBOOK.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const next = RUNBOOK.slice(start + heading.length + 2).search(/\n#{1,2} /);
  return RUNBOOK.slice(start, next === -1 ? undefined : start + heading.length + 2 + next);
}

test("every anchor a page links to is a heading of the alarms runbook", () => {
  const all = everyAlarmDefinition();
  const linked = [...Object.values(all).map((a) => a.description), COMMAND_FAILED_RUNBOOK_LINK].map(
    (text) => /docs\/runbook\/alarms\.md#([a-z0-9-]+)$/.exec(text)?.[1],
  );
  const headings = headingAnchors(RUNBOOK);
  for (const anchor of new Set(linked))
    expect(headings.has(anchor ?? ""), `${RUNBOOK_PAGE}#${anchor}`).toBe(true);
  expect(new Set(linked).size).toBe(ALARM_KINDS.length + 1);
});

test.each([...ALARM_KINDS, "command-failed"])(
  "the section for %s says what it means and what to do",
  (kind) => {
    const text = section(`## Alarm: ${kind}`);
    expect(text).toContain("*Means:*");
    expect(text).toContain("*What to do:*");
  },
);

test("the paging path runs from the job through metrics and events, alarms and SNS to on-call", () => {
  const text = section("## Paging path");
  for (const step of [
    "EventBridge Scheduler",
    "SSM Run Command",
    "PutMetricData",
    "EventBridge rule",
    "CloudWatch alarms",
    "SNS topic",
    "on-call",
  ]) {
    expect(text, step).toContain(step);
  }
});

test("the runbook's heartbeat table is the alarm definitions'", () => {
  const table = /<!-- heartbeat-table:start -->\n([\s\S]*?)\n<!-- heartbeat-table:end -->/.exec(
    RUNBOOK,
  )?.[1];
  expect(
    table,
    `regenerate it in ${RUNBOOK_PAGE}: npx tsx -e 'import {heartbeatMarkdownTable} from "./infra/content/docs/heartbeatTable"; console.log(heartbeatMarkdownTable())'`,
  ).toBe(heartbeatMarkdownTable());
});
