/**
 * A time zone's wall clock over a window of time: which instants a local date and time stands for.
 * The zone's rules come from luxon (the IANA database that Node's `Intl` ships); this module only
 * reads its UTC offsets and finds where they change, so that turning a wall time into instants is
 * cheap for the hundreds of thousands of runs a year of a schedule can have. Pure module.
 */
import { IANAZone } from "luxon";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Where a zone's UTC offset changes. Offsets in minutes east of UTC, as luxon gives them. */
export interface OffsetChange {
  /** First instant (ms since the epoch) with the new offset. */
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

export interface ZoneClock {
  readonly zone: string;
  /** UTC offset in minutes at an instant. */
  offsetAt(instant: number): number;
  /**
   * The instants at which the wall time `wall` (its fields read as if UTC, in ms) happens,
   * ascending: none in a spring-forward gap, two in a repeated hour, otherwise one.
   */
  instantsOf(wall: number): number[];
  /** Whether the offset is the same over the whole local day starting at wall time `dayStart`. */
  steadyOn(dayStart: number): number | undefined;
}

/** Whether `zone` is a time zone luxon (and so `Intl`) knows. */
export function isKnownZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * The zone's clock between two instants. Offsets are sampled every 12 hours and each change is
 * narrowed to the minute (IANA transitions fall on whole minutes); real zones never change twice
 * within 12 hours.
 */
export function zoneClock(zone: string, from: number, to: number): ZoneClock {
  const tz = IANAZone.create(zone);
  const step = 12 * HOUR_MS;
  const changes: OffsetChange[] = [];
  const start = from - DAY_MS;
  const first = tz.offset(start);
  let previous = first;
  for (let t = start + step; t <= to + DAY_MS; t += step) {
    const offset = tz.offset(t);
    if (offset === previous) continue;
    let low = t - step;
    let high = t;
    while (high - low > MINUTE_MS) {
      const mid = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (tz.offset(mid) === previous) low = mid;
      else high = mid;
    }
    changes.push({ at: high, before: previous, after: offset });
    previous = offset;
  }

  const offsetAt = (instant: number): number => {
    let offset = first;
    for (const change of changes) {
      if (change.at > instant) break;
      offset = change.after;
    }
    return offset;
  };

  const instantsOf = (wall: number): number[] => {
    // Candidate offsets: those in force a day either side (as luxon's getPossibleOffsets does).
    const candidates = new Set([offsetAt(wall - DAY_MS), offsetAt(wall + DAY_MS)]);
    const instants: number[] = [];
    for (const offset of candidates) {
      const instant = wall - offset * MINUTE_MS;
      if (offsetAt(instant) === offset) instants.push(instant);
    }
    return instants.sort((a, b) => a - b);
  };

  const steadyOn = (dayStart: number): number | undefined => {
    // The local day lies within [dayStart - 14 h, dayStart + 24 h + 12 h] in UTC.
    const lo = dayStart - 15 * HOUR_MS;
    const hi = dayStart + 37 * HOUR_MS;
    const offset = offsetAt(lo);
    return changes.some((c) => c.at > lo && c.at <= hi) ? undefined : offset;
  };

  return { zone, offsetAt, instantsOf, steadyOn };
}
