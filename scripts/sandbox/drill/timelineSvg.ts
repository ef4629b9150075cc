/**
 * The drill's timeline as an inline SVG chart (no scripts, no external fonts): one bar per step at
 * its start and length, green when it passed and red when it failed, a time axis in seconds, and
 * the disaster and recovery marks with the RTO between them. Pure function of plain values.
 */
import type { StepResult } from "./steps";

export interface TimelineMarks {
  /** Seconds since the drill started. */
  readonly disasterAtSeconds?: number;
  readonly recoveredAtSeconds?: number;
}

const WIDTH = 1080;
const LABEL = 380;
const ROW = 24;
const TOP = 46;
const RIGHT = 20;
const COLOURS = { ok: "#2e7d32", failed: "#c62828" } as const;

/** Escapes text for an XML text node or attribute. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A tick spacing of 1, 2 or 5 times a power of ten giving at most about 10 ticks. */
export function tickStep(total: number): number {
  const raw = Math.max(total, 1) / 10;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function timelineSvg(steps: readonly StepResult[], marks: TimelineMarks = {}): string {
  const total = Math.max(1, ...steps.map((s) => s.startSeconds + s.seconds));
  const plot = WIDTH - LABEL - RIGHT;
  const x = (t: number) => (LABEL + (t / total) * plot).toFixed(1);
  const height = TOP + steps.length * ROW + 44;
  const bottom = TOP + steps.length * ROW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${WIDTH} ${height}" width="100%" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>Drill timeline: ${steps.length} steps over ${total.toFixed(1)} s</title>`,
  ];
  const step = tickStep(total);
  for (let t = 0; t <= total + 1e-9; t += step) {
    parts.push(
      `<line x1="${x(t)}" y1="${TOP - 6}" x2="${x(t)}" y2="${bottom}" stroke="#e0e0e0"/>`,
      `<text x="${x(t)}" y="${bottom + 14}" text-anchor="middle" fill="#555">${Number(t.toFixed(3))} s</text>`,
    );
  }
  steps.forEach((s, i) => {
    const y = TOP + i * ROW;
    const w = Math.max(2, (s.seconds / total) * plot);
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 16}" text-anchor="end" fill="#222">${escapeXml(shorten(`${i + 1}. ${s.name}`, 54))}</text>`,
      `<rect x="${x(s.startSeconds)}" y="${y + 5}" width="${w.toFixed(1)}" height="${ROW - 9}" rx="2" fill="${COLOURS[s.status]}"><title>${escapeXml(`${s.name}: ${s.seconds.toFixed(2)} s, ${s.status}`)}</title></rect>`,
    );
  });
  const { disasterAtSeconds: d, recoveredAtSeconds: r } = marks;
  if (d !== undefined)
    parts.push(
      `<line x1="${x(d)}" y1="${TOP - 10}" x2="${x(d)}" y2="${bottom}" stroke="#c62828" stroke-width="2" stroke-dasharray="5 3"/>`,
      `<text x="${x(d)}" y="${TOP - 14}" text-anchor="end" fill="#c62828" font-weight="bold">disaster</text>`,
    );
  if (r !== undefined) {
    // Near the right edge the label goes left of its line, one line higher than "disaster".
    const room = WIDTH - RIGHT - Number(x(r)) > 130;
    parts.push(
      `<line x1="${x(r)}" y1="${TOP - 24}" x2="${x(r)}" y2="${bottom}" stroke="#1565c0" stroke-width="2" stroke-dasharray="5 3"/>`,
      `<text x="${x(r)}" y="${TOP - 28}" text-anchor="${room ? "start" : "end"}" fill="#1565c0" font-weight="bold">writable, verified</text>`,
    );
  }
  if (d !== undefined && r !== undefined)
    parts.push(
      `<line x1="${x(d)}" y1="${bottom + 38}" x2="${x(r)}" y2="${bottom + 38}" stroke="#1565c0" stroke-width="3"/>`,
      `<text x="${((Number(x(d)) + Number(x(r))) / 2).toFixed(1)}" y="${bottom + 33}" text-anchor="middle" fill="#1565c0" font-weight="bold">RTO ${(r - d).toFixed(1)} s</text>`,
    );
  parts.push("</svg>");
  return parts.join("\n");
}
