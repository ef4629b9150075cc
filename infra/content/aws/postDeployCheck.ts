/**
 * The post-deploy check's shell: send the verification job to the hosts through SSM, wait for it,
 * and exit non-zero (failing `pulumi up`) unless it succeeded on every targeted host and on at
 * least one. Pure: the script is constant text; everything variable reaches it as environment
 * variables, never spliced into the script.
 */

export interface PostDeployCheckInputs {
  readonly region: string;
  /** `sendCommandInput(...)` JSON: the same request the schedule sends. */
  readonly sendCommandInput: string;
  /** How long to wait for the result before giving up (and cancelling the command). */
  readonly waitSeconds: number;
  readonly pollSeconds: number;
}

export function postDeployCheckEnvironment(inputs: PostDeployCheckInputs): Record<string, string> {
  return {
    CHECK_REGION: inputs.region,
    CHECK_SEND_COMMAND_INPUT: inputs.sendCommandInput,
    CHECK_WAIT_SECONDS: String(inputs.waitSeconds),
    CHECK_POLL_SECONDS: String(inputs.pollSeconds),
  };
}

export const POST_DEPLOY_CHECK_SCRIPT = `set -eu
for n in "$CHECK_WAIT_SECONDS" "$CHECK_POLL_SECONDS"; do
  case "$n" in ''|*[!0-9]*) echo "post-deploy check: '$n' is not a number of seconds" >&2; exit 2 ;; esac
done
command_id=$(aws ssm send-command --region "$CHECK_REGION" --cli-input-json "$CHECK_SEND_COMMAND_INPUT" \\
  --query Command.CommandId --output text)
echo "post-deploy check: command $command_id sent"
deadline=$(( $(date +%s) + CHECK_WAIT_SECONDS ))
while :; do
  counts=$(aws ssm list-commands --region "$CHECK_REGION" --command-id "$command_id" \\
    --query 'Commands[0].[Status,TargetCount,CompletedCount,ErrorCount,DeliveryTimedOutCount]' --output text)
  set -- $counts
  status=$1 targets=$2 completed=$3 errors=$4 undelivered=$5
  case "$status" in
    Pending|InProgress|Delayed|Cancelling) ;;
    *)
      if [ "$status" = Success ] && [ "$targets" -gt 0 ] && [ "$completed" -eq "$targets" ] \\
        && [ "$errors" -eq 0 ] && [ "$undelivered" -eq 0 ]; then
        echo "post-deploy check: passed on $targets host(s)"
        exit 0
      fi
      echo "post-deploy check: FAILED: command $command_id ended $status on $targets host(s): $errors failed, $undelivered not delivered" >&2
      [ "$targets" -gt 0 ] || echo "post-deploy check: no running instance carries the host tag" >&2
      aws ssm list-command-invocations --region "$CHECK_REGION" --command-id "$command_id" --details \\
        --query 'CommandInvocations[].{host:InstanceId,status:Status,output:CommandPlugins[0].Output}' --output json >&2
      exit 1
      ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "post-deploy check: FAILED: command $command_id still $status after $CHECK_WAIT_SECONDS s; cancelling it" >&2
    aws ssm cancel-command --region "$CHECK_REGION" --command-id "$command_id" >&2 || true
    exit 1
  fi
  sleep "$CHECK_POLL_SECONDS"
done
`;
