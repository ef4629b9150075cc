// ESLint flat config: typescript-eslint's recommended rules, with type information so that
// @pulumi/eslint-plugin can tell a pulumi.Output inside a template literal. Such a string holds a
// warning in place of the value (an Output has no value until deploy time), so an Output is never
// interpolated in a template string: pulumi.interpolate or .apply builds the text instead. Also the
// import boundaries between the project's parts (README.md, "Layout").
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// Import boundaries (README.md, "Layout"). Specifiers are relative, so each pattern matches the
// top-level folder after any number of "../"; inside scripts/ a sibling folder is reached without
// naming scripts/ (no folder below scripts/ is called sandbox, lib or jobs but those).
const PULUMI = {
  regex: "^@pulumi/",
  message: "the catalog and content functions import no Pulumi package.",
};
const HOST_CODE = {
  regex: "^(\\.\\./)+scripts/(lib|jobs)(/|$)",
  message:
    "host code (scripts/lib, scripts/jobs) runs on the hosts: share through infra/catalog instead.",
};
const SANDBOX = {
  regex: "^(\\.\\./)+scripts/sandbox(/|$)",
  message: "the sandbox is a local test bed: nothing that ships imports it.",
};
const SANDBOX_FROM_HOST = { ...SANDBOX, regex: "^(\\.\\./)+(scripts/)?sandbox(/|$)" };
const CONTROL_PLANE = {
  regex: "^(\\.\\./)+infra(/(?!catalog(/|$)).*)?$",
  message:
    "host code reaches the control plane only through infra/catalog (no component, no Pulumi program).",
};
const SIBLINGS_OF_CLI = {
  regex: "^\\.\\./(lib|jobs|sandbox|console)(/|$)",
  message:
    "command-line parsing is shared by every entry point, so it imports no host, sandbox or console code.",
};
const CONSOLE = {
  regex: "^(\\.\\./)+(scripts/)?console(/|$)",
  message:
    "the console runs on an operator's laptop with the operator's credentials: nothing that ships to a host imports it.",
};
const JOBS_FROM_CONSOLE = {
  regex: "^(\\.\\./)+(scripts/)?jobs(/|$)",
  message:
    "a job's entry file runs the job when imported: the console shares host code through scripts/lib.",
};
const refuse = (files, patterns) => ({
  files,
  rules: { "no-restricted-imports": ["error", { patterns }] },
});
const importBoundaries = [
  refuse(["infra/catalog/**/*.ts", "infra/content/**/*.ts"], [PULUMI, HOST_CODE, SANDBOX]),
  refuse(
    ["infra/*.ts", "infra/{components,config,build,synth}/**/*.ts", "policies/**/*.ts"],
    [HOST_CODE, SANDBOX],
  ),
  refuse(["scripts/{lib,jobs}/**/*.ts"], [PULUMI, CONTROL_PLANE, SANDBOX_FROM_HOST, CONSOLE]),
  refuse(["scripts/console/**/*.ts"], [SANDBOX_FROM_HOST, JOBS_FROM_CONSOLE]),
  refuse(["scripts/cli/**/*.ts"], [PULUMI, CONTROL_PLANE, SIBLINGS_OF_CLI]),
];

export default defineConfig(
  { ignores: ["node_modules/", "out/", "**/__snapshots__/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      // `_name` marks a value deliberately unused (a destructured field left out, a test's label).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  ...importBoundaries,
  {
    // What these folders build ends up in a command line, a rendered file or a stack resource: a
    // value that may be undefined is never interpolated, or "undefined" would be run or shipped
    // (an optional host-config path, say, reaches a command through engineConfigPath instead).
    files: ["infra/catalog/**/*.ts", "infra/content/**/*.ts", "scripts/lib/engines/**/*.ts"],
    rules: {
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        {
          allowAny: true,
          allowBoolean: true,
          allowNever: true,
          allowNullish: false,
          allowNumber: true,
          allowRegExp: true,
        },
      ],
    },
  },
);
