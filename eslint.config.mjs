// ESLint flat config: typescript-eslint's recommended rules, with type information so that
// @pulumi/eslint-plugin can tell a pulumi.Output inside a template literal. Such a string holds a
// warning in place of the value (an Output has no value until deploy time), so an Output is never
// interpolated in a template string: pulumi.interpolate or .apply builds the text instead.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

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
);
