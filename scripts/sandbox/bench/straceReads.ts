/**
 * The bytes a traced process tree read from files, from strace's own record of each read: output
 * of `strace -f -y -e trace=<STRACE_READ_CALLS>` (`-y` names each descriptor's file, as the kernel
 * resolves it). Pure.
 */

/** The system calls that move bytes out of a file: what the trace must record. */
export const STRACE_READ_CALLS = [
  "read",
  "readv",
  "pread64",
  "preadv",
  "preadv2",
  "sendfile",
  "copy_file_range",
] as const;

type ReadCall = (typeof STRACE_READ_CALLS)[number];

/**
 * `<pid>  <call>(` at the start of a line, the pid absent when strace traced a single process.
 * sendfile reads its second descriptor, every other call its first.
 */
const CALL = new RegExp(`^(?:(\\d+)\\s+)?(${STRACE_READ_CALLS.join("|")})\\((.*)$`);
const RESUMED = /^(?:(\d+)\s+)?<\.\.\. (\w+) resumed>(.*)$/;
/** The descriptor argument with its path: `5</tmp/x/base/1/1259>, `. */
const FIRST_FD = /^\d+<(.+?)>(?:, | <unfinished)/;
const SECOND_FD = /^\d+(?:<.*?>)?, \d+<(.+?)>(?:, | <unfinished)/;
/** The result at the end of a finished call: `= 8192`, `= -1 EAGAIN (…)`, `= ? <unavailable>`. */
const RESULT = /\) += (-?\d+|\?)(?: [A-Z][A-Z0-9]* \(.*\)| <unavailable>)?$/;

function pathOf(call: ReadCall, args: string): string | undefined {
  return (call === "sendfile" ? SECOND_FD : FIRST_FD).exec(args)?.[1];
}

function bytesOf(line: string): number {
  const result = RESULT.exec(line)?.[1];
  const bytes = result === undefined || result === "?" ? 0 : Number(result);
  return bytes > 0 ? bytes : 0;
}

/**
 * Bytes read per file path, summed over every process of the trace: each call's return value when
 * positive (errors and end of file count 0). A call strace split across lines (`<unfinished ...>`,
 * then `<... read resumed>`, when another process's line came between) counts once, for the path
 * its first line names. Descriptors that are no file (pipes, sockets: `pipe:[…]`, `TCP:[…]`) and
 * lines of other calls are passed over. Never throws: an unreadable line counts nothing.
 */
export function straceFileReads(trace: string): Map<string, number> {
  const reads = new Map<string, number>();
  const pending = new Map<string, string | undefined>();
  const add = (path: string | undefined, bytes: number) => {
    if (path === undefined || !path.startsWith("/") || bytes === 0) return;
    reads.set(path, (reads.get(path) ?? 0) + bytes);
  };
  for (const line of trace.split("\n")) {
    const call = CALL.exec(line);
    if (call) {
      const [, pid = "", name, args] = call;
      const path = pathOf(name as ReadCall, args);
      if (args.endsWith("<unfinished ...>")) pending.set(pid, path);
      else add(path, bytesOf(line));
      continue;
    }
    const resumed = RESUMED.exec(line);
    if (resumed && (STRACE_READ_CALLS as readonly string[]).includes(resumed[2])) {
      const pid = resumed[1] ?? "";
      add(pending.get(pid), bytesOf(line));
      pending.delete(pid);
    }
  }
  return reads;
}

/** Files under one directory and what was read from them, largest first. */
export interface DirectoryReads {
  /** Bytes read from every file under the directory. */
  readonly bytes: number;
  /** Each file under it that was read, its path relative to the directory, bytes largest first. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

/**
 * The part of `reads` (`straceFileReads`) under directory `dir`, an absolute path as the kernel
 * resolves it (no trailing slash, symbolic links resolved: what `-y` prints). A sibling whose name
 * merely starts with `dir`'s (`pgdata2` beside `pgdata`) is not under it.
 */
export function readsUnder(reads: ReadonlyMap<string, number>, dir: string): DirectoryReads {
  const prefix = `${dir.replace(/\/+$/, "")}/`;
  const files = [...reads]
    .filter(([path]) => path.startsWith(prefix))
    .map(([path, bytes]) => ({ path: path.slice(prefix.length), bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
  return { bytes: files.reduce((sum, f) => sum + f.bytes, 0), files };
}
