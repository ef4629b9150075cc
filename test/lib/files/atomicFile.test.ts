/** Atomic writes go through symlinks: the file the link points at is replaced, the link stays. */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  copyFileAtomic,
  publishFile,
  tempSibling,
  writeFileAtomic,
  writeTarget,
} from "../../../scripts/lib/files/atomicFile";

describe("atomic writes through symlinks", () => {
  let dir: string;
  let shared: string;
  let etc: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "atomic-links-"));
    shared = join(dir, "shared");
    etc = join(dir, "etc");
    mkdirSync(shared);
    mkdirSync(etc);
    writeFileSync(join(shared, "app.env"), "OLD\n");
    // etc/app.env -> ../shared/app.env (relative, as deploy tools make them)
    symlinkSync("../shared/app.env", join(etc, "app.env"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const expectLinkKept = () => {
    expect(lstatSync(join(etc, "app.env")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(etc, "app.env"))).toBe("../shared/app.env");
  };

  test.each([
    ["writeFileAtomic", (link: string) => writeFileAtomic(link, "NEW\n")],
    [
      "copyFileAtomic",
      (link: string) => {
        const source = join(dir, "source");
        writeFileSync(source, "NEW\n");
        return copyFileAtomic(source, link);
      },
    ],
    [
      "publishFile",
      async (link: string) => {
        const temp = tempSibling(link);
        writeFileSync(temp, "NEW\n");
        await publishFile(temp, link);
        expect(readdirSync(etc)).toEqual(["app.env"]);
      },
    ],
  ])("%s replaces the link's target and keeps the link", async (_name, write) => {
    await write(join(etc, "app.env"));
    expectLinkKept();
    expect(readFileSync(join(shared, "app.env"), "utf8")).toBe("NEW\n");
    expect(readdirSync(shared)).toEqual(["app.env"]);
  });

  test("a chain of links and a dangling link resolve to the final target; a loop is ELOOP", async () => {
    symlinkSync(join(etc, "app.env"), join(dir, "chain"));
    expect(await writeTarget(join(dir, "chain"))).toBe(join(shared, "app.env"));
    symlinkSync("missing.conf", join(etc, "dangling"));
    expect(await writeTarget(join(etc, "dangling"))).toBe(join(etc, "missing.conf"));
    expect(await writeTarget(join(etc, "plain"))).toBe(join(etc, "plain"));
    symlinkSync("b", join(dir, "a"));
    symlinkSync("a", join(dir, "b"));
    await expect(writeTarget(join(dir, "a"))).rejects.toMatchObject({ code: "ELOOP" });
  });
});
