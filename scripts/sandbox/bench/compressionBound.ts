/**
 * What compression alone costs on this machine: the raw file compressed and decompressed with the
 * project engine's algorithm and level, on as many threads as the engine runs processes, by the
 * same library's command-line tool (zstd and lz4 CLIs, as Debian packages them; pgBackRest links
 * the same libzstd / liblz4). A backup that compresses cannot beat this time, nor a restore the
 * decompression: the floor under the engine's ratios when the CPU, not the network, bounds them.
 */
import { rmSync, statSync } from "node:fs";
import { findOnPath } from "../tools";
import { runChecked } from "../../lib/job/exec";

export interface CompressionTiming {
  readonly tool: string;
  readonly compressSeconds: number;
  readonly decompressSeconds: number;
  readonly compressedBytes: number;
}

interface Cli {
  readonly shown: string;
  compress(input: string, output: string): string[];
  decompress(input: string, output: string): string[];
}

/** The CLI invocation for `type`; undefined for an algorithm without a CLI here. */
function cliFor(type: string, level: number, threads: number): Cli | undefined {
  const lvl = `-${Math.max(1, level)}`;
  if (type === "zst") {
    const bin = findOnPath("zstd");
    if (!bin) return undefined;
    return {
      shown: `zstd ${lvl} -T${threads}`,
      compress: (i, o) => [bin, "-q", "-f", lvl, `-T${threads}`, i, "-o", o],
      decompress: (i, o) => [bin, "-q", "-f", "-d", i, "-o", o],
    };
  }
  if (type === "lz4") {
    const bin = findOnPath("lz4");
    if (!bin) return undefined;
    // The lz4 CLI compresses on one thread: with more engine processes the floor is lower still.
    return {
      shown: `lz4 ${lvl} (one thread)`,
      compress: (i, o) => [bin, "-q", "-f", lvl, i, o],
      decompress: (i, o) => [bin, "-q", "-f", "-d", i, o],
    };
  }
  return undefined;
}

/** undefined when no CLI for the algorithm is installed (the figure is then left out, and says why). */
export async function timedCompression(
  file: string,
  type: string,
  level: number,
  threads: number,
): Promise<CompressionTiming | undefined> {
  const cli = cliFor(type, level, threads);
  if (!cli) return undefined;
  const packed = `${file}.${type}`;
  const unpacked = `${file}.back`;
  try {
    let started = performance.now();
    await runChecked(cli.compress(file, packed), { timeoutMs: 30 * 60_000 });
    const compressSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    await runChecked(cli.decompress(packed, unpacked), { timeoutMs: 30 * 60_000 });
    const decompressSeconds = (performance.now() - started) / 1000;
    return {
      tool: cli.shown,
      compressSeconds,
      decompressSeconds,
      compressedBytes: statSync(packed).size,
    };
  } finally {
    rmSync(packed, { force: true });
    rmSync(unpacked, { force: true });
  }
}
