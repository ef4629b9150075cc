import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's mock runtime is process-global state: one test file per process.
    pool: "forks",
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line. Colours are
    // switched off for CI logs by `npm test` (NO_COLOR when CI is set): vitest picks its colours
    // when it starts, before it reads this file, so setting NO_COLOR here would be too late.
    reporters: ["default", "json"],
    outputFile: { json: "out/test-results/vitest.json" },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Host tests build their sandbox bucket from one offline synth of the prod stack.
    globalSetup: ["test/host/support/globalSetup.ts"],
  },
});
