/**
 * The engine's own file reads, recorded by strace: a host config whose engine binary is a wrapper
 * script that runs the real binary under `strace -f`, so every process the engine starts (its
 * parallel workers included) is traced, whichever engine it is and however it reads.
 *
 * Why strace: it records each read call with the file its descriptor names (`-y`) and the bytes the
 * call returned, per process tree, as the engine sees them. The kernel's per-process counters
 * (`/proc/<pid>/io`) cannot say which directory the bytes came from, and their storage counter
 * misses reads served from the page cache, which is where a freshly written test cluster lives.
 * The trace slows the engine, so a traced backup is never a timed one.
 */
import { writeFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { overrideHostConfig } from "../../../infra/content/host/hostConfigFile";
import { ownedDir } from "../owned";
import { executable } from "../tools";
import { STRACE_READ_CALLS, straceFileReads } from "./straceReads";

/** Where scripts/sandbox/install-tools.sh installs strace (the Debian package's path). */
export const STRACE_BINARY = "/usr/bin/strace";

const TRACE_PREFIX = "trace.";

/** undefined when strace can run here; otherwise why not, for a figure that is not measured. */
export function straceUnavailableReason(strace = STRACE_BINARY): string | undefined {
  return executable(strace)
    ? undefined
    : `${strace} is not installed (scripts/sandbox/install-tools.sh installs the strace package)`;
}

function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A host config whose engine runs under strace, and the reads its runs recorded. */
export interface EngineTrace {
  /** `host` with `postgres.engine.binary` set to the wrapper; everything else unchanged. */
  readonly host: HostConfig;
  /**
   * Bytes read per file path (as the kernel resolves it) by every engine run through `host` so
   * far, all processes summed (`straceFileReads`). Throws when a trace file cannot be read.
   */
  reads(): Map<string, number>;
}

/**
 * Writes the wrapper into `dir` (created, owned by the engine's OS user, which writes the traces
 * there: one file per engine run, as the adapter runs the engine several times per call) and
 * returns the traced host config. The wrapper exits as the engine does.
 */
export function traceEngine(host: HostConfig, dir: string, strace = STRACE_BINARY): EngineTrace {
  const { engine } = host.postgres;
  ownedDir(dir, engine.osUser, 0o755);
  const wrapper = join(dir, "engine-under-strace");
  writeFileSync(
    wrapper,
    [
      "#!/bin/sh",
      // exec keeps the shell's pid: each run's trace file has a name of its own.
      `exec ${shellQuoted(strace)} -f -qq -y -s 0 -e trace=${STRACE_READ_CALLS.join(",")} -o ${shellQuoted(join(dir, TRACE_PREFIX))}"$$" -- ${shellQuoted(engine.binary)} "$@"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return {
    host: overrideHostConfig(host, { postgres: { engine: { binary: wrapper } } }),
    reads() {
      const total = new Map<string, number>();
      for (const name of readdirSync(dir).filter((n) => n.startsWith(TRACE_PREFIX)))
        for (const [path, bytes] of straceFileReads(readFileSync(join(dir, name), "utf8")))
          total.set(path, (total.get(path) ?? 0) + bytes);
      return total;
    },
  };
}
