/**
 * A real, small file system (tmpfs) mounted over a directory: a backup volume that fills up.
 * Needs root (CAP_SYS_ADMIN), which the host tests have.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";

export interface SmallVolume {
  readonly path: string;
  unmount(): void;
}

export function mountSmallVolume(path: string, sizeKiB: number): SmallVolume {
  mkdirSync(path, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=0755`, "tmpfs", path]);
  let mounted = true;
  return {
    path,
    unmount: () => {
      if (mounted) execFileSync("umount", [path]);
      mounted = false;
    },
  };
}
