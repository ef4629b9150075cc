/** The backup catalog: the single source of truth shared by infra/, scripts/ and policies/. */
export * from "./backupTypes";
export * from "./jobs";
export * from "./metrics";
export * from "./scheduleExpression";
export * from "./documents";
export * from "./bucketRoles";
export * from "./stackDefaults";
export * from "./metricsInsights";
export * from "./durability";
