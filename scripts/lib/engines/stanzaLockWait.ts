/**
 * Waiting out another pgBackRest process that holds this stanza's lock. `stanza-create` takes
 * every lock of the stanza, archive's included, and pgBackRest gives up at once ([050] "unable to
 * acquire lock ... Resource temporarily unavailable") while the asynchronous archive-push holds the
 * archive lock: it does for as long as it works through the spool queue, which on a busy host is
 * most of the time. Running the install document on such a host must wait, not fail.
 */
import pRetry from "p-retry";
import { JobError } from "../job/errors";
import type { Logger } from "../job/log";

/** How long to wait for the lock in all; milliseconds. Async archive-push exits once its queue is empty. */
export const STANZA_LOCK_WAIT_MS = 120_000;

/**
 * pgBackRest's lock failure when another process holds the lock (`EWOULDBLOCK` from flock, as
 * engineError words it): other [050] causes, such as a lock file it may not write, are not waited on.
 */
const LOCK_HELD = /failed: \[050\] .*Resource temporarily unavailable/;

/** Whether `error` says another pgBackRest process holds the stanza's lock. */
export function isStanzaLockHeld(error: unknown): boolean {
  return error instanceof JobError && LOCK_HELD.test(error.message);
}

/**
 * Runs `command` (a pgBackRest command that takes the stanza's locks) again while it fails because
 * another process holds a lock, with growing pauses (1 s up to 15 s) for `waitMs` in all, logging
 * each wait. Any other failure is thrown at once; a lock still held at the end is thrown with how
 * long was waited.
 */
export async function whileStanzaLockHeld<T>(
  command: () => Promise<T>,
  log?: Logger,
  waitMs: number = STANZA_LOCK_WAIT_MS,
): Promise<T> {
  const started = Date.now();
  try {
    return await pRetry(
      async () => {
        try {
          return await command();
        } catch (error) {
          if (isStanzaLockHeld(error)) throw error;
          throw new pRetry.AbortError(error as Error);
        }
      },
      {
        retries: 1_000,
        factor: 1.5,
        minTimeout: 1_000,
        maxTimeout: 15_000,
        maxRetryTime: waitMs,
        onFailedAttempt: (error) => {
          log?.info("another pgBackRest process holds this stanza's lock; waiting for it", {
            attempt: error.attemptNumber,
            waitedSeconds: Math.round((Date.now() - started) / 1000),
            limitSeconds: Math.round(waitMs / 1000),
          });
        },
      },
    );
  } catch (error) {
    if (!isStanzaLockHeld(error)) throw error;
    const held = error as JobError;
    throw new JobError(
      `${held.message}; still held after waiting ${Math.round((Date.now() - started) / 1000)} s`,
      held.hint,
    );
  }
}
