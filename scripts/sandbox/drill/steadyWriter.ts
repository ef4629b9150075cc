/**
 * One sequential writer that remembers every write its store acknowledged, when it was sent and
 * when the acknowledgement came back (milliseconds since the epoch, `Date.now()`). Sequential on
 * purpose: write n+1 is sent only after write n was acknowledged, so a recovery target time that
 * falls between two writes splits them cleanly into "committed before" and "committed after".
 */

export interface AckedWrite {
  /** 0, 1, 2, … in the order the writes were sent. */
  readonly seq: number;
  readonly key: string;
  readonly value: string;
  /** Just before the write was sent: its commit cannot be earlier. */
  readonly sentAt: number;
  /** Just after the acknowledgement arrived: its commit was earlier (to the millisecond). */
  readonly ackedAt: number;
}

export interface SteadyWrites {
  /** When the first write was sent (ms since the epoch). */
  readonly startedAt: number;
  /** Writes acknowledged so far, in order. */
  readonly acked: readonly AckedWrite[];
  /** Stops writing and waits for the write in flight (at the disaster, its error ends it anyway). */
  stop(): Promise<void>;
}

/**
 * Calls `write(key, value)` for seq 0, 1, 2, … with `intervalMs` between an acknowledgement and
 * the next write, until `stop()` or until a write fails (the store went away: nothing after it was
 * acknowledged). `describe(seq)` names each write's key and value.
 */
export function startSteadyWrites(
  write: (key: string, value: string) => Promise<void>,
  describe: (seq: number) => { key: string; value: string },
  intervalMs: number,
): SteadyWrites {
  const acked: AckedWrite[] = [];
  const startedAt = Date.now();
  let running = true;
  const loop = (async () => {
    for (let seq = 0; running; seq++) {
      const { key, value } = describe(seq);
      const sentAt = Date.now();
      try {
        await write(key, value);
      } catch {
        return;
      }
      acked.push({ seq, key, value, sentAt, ackedAt: Date.now() });
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    startedAt,
    acked,
    async stop() {
      running = false;
      await loop;
    },
  };
}
