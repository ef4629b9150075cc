/**
 * ECR lifecycle policy of the restore-verification image repository. Pure.
 */
import { stableJson } from "../../catalog/stableJson";

/** Enough to roll back a few builds; older images only cost storage and scan findings. */
export const KEPT_IMAGES = 5;

export function ecrLifecyclePolicy(keep: number = KEPT_IMAGES): string {
  return stableJson({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the last ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}
