/** The repository root: Pulumi runs the program here, and file assets resolve from here. */
import { resolve } from "node:path";

export const REPO_ROOT = resolve(__dirname, "..");
