/**
 * The SSM `SendCommand` request that runs a job on the database hosts. One shape serves both the
 * schedules (EventBridge Scheduler's universal target takes the API request as its input JSON)
 * and the post-deploy check (`aws ssm send-command --cli-input-json`), so the two cannot drift.
 *
 * Pure: plain values in, deterministic JSON out.
 */
import type { HostTarget } from "../../catalog";
import { stableJson } from "../../catalog/stableJson";

export interface SendCommandInputs {
  readonly documentName: string;
  readonly hostTarget: HostTarget;
  /**
   * SendCommand's `TimeoutSeconds` is the delivery deadline: a run that has not started within
   * one run's allowance is stale, and ends as `TimedOut` (which pages) instead of overlapping the
   * next run. The document's own step timeout bounds the run itself.
   */
  readonly timeoutSeconds: number;
  /** Log group the SSM agent copies the run's stdout and stderr to. */
  readonly outputLogGroupName: string;
  /** Shown in the Run Command history; at most 100 characters. */
  readonly comment: string;
}

/** SSM accepts 30 s to 30 days. */
const MIN_TIMEOUT_SECONDS = 30;
const MAX_TIMEOUT_SECONDS = 2_592_000;

export function sendCommandRequest(inputs: SendCommandInputs): Record<string, unknown> {
  if (inputs.timeoutSeconds < MIN_TIMEOUT_SECONDS || inputs.timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    throw new Error(
      `timeoutSeconds ${inputs.timeoutSeconds} is outside SSM's ${MIN_TIMEOUT_SECONDS}-${MAX_TIMEOUT_SECONDS}`,
    );
  }
  if (inputs.comment.length > 100)
    throw new Error(`SSM comments take at most 100 characters: '${inputs.comment}'`);
  return {
    DocumentName: inputs.documentName,
    Targets: [{ Key: `tag:${inputs.hostTarget.tagKey}`, Values: [inputs.hostTarget.tagValue] }],
    TimeoutSeconds: inputs.timeoutSeconds,
    // Every host runs its own backup: one host's failure must not stop the others from trying.
    MaxConcurrency: "100%",
    MaxErrors: "100%",
    CloudWatchOutputConfig: {
      CloudWatchLogGroupName: inputs.outputLogGroupName,
      CloudWatchOutputEnabled: true,
    },
    Comment: inputs.comment,
  };
}

export function sendCommandInput(inputs: SendCommandInputs): string {
  return stableJson(sendCommandRequest(inputs), 0);
}
