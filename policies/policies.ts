/**
 * Every policy of the pack, in the order they are reported. The pack's entry (index.ts), the
 * offline runner (`npm run policy`) and the tests all use this one array.
 */
import type { Policies } from "@pulumi/policy";
import { alarmHasActions } from "./rules/alarmHasActions";
import { bucketAccessLogging } from "./rules/bucketAccessLogging";
import { bucketConfiguredOnce } from "./rules/bucketConfiguredOnce";
import { bucketKmsEncrypted } from "./rules/bucketKmsEncrypted";
import { bucketObjectLockConfigured } from "./rules/bucketObjectLockConfigured";
import { bucketPublicAccessBlocked } from "./rules/bucketPublicAccessBlocked";
import { bucketTlsOnly } from "./rules/bucketTlsOnly";
import { bucketVersioningEnabled } from "./rules/bucketVersioningEnabled";
import { catalogJobsHeartbeatAlarmed } from "./rules/catalogJobsHeartbeatAlarmed";
import { catalogJobsScheduled } from "./rules/catalogJobsScheduled";
import { catalogRowsAgeAlarmed } from "./rules/catalogRowsAgeAlarmed";
import { clientSideEncryptionComplete } from "./rules/clientSideEncryptionComplete";
import { hostCredentialsBound } from "./rules/hostCredentialsBound";
import { iamHostPrefixScoped } from "./rules/iamHostPrefixScoped";
import { iamNoWildcardGrants } from "./rules/iamNoWildcardGrants";
import { lifecycleCoversCatalog } from "./rules/lifecycleCoversCatalog";
import { lifecycleEngineBackstop } from "./rules/lifecycleEngineBackstop";
import { logGroupRetention } from "./rules/logGroupRetention";
import { noPlaintextSecrets } from "./rules/noPlaintextSecrets";
import { noGovernanceBypass } from "./rules/noGovernanceBypass";
import { replicationConfigured } from "./rules/replicationConfigured";
import { scheduleDeadLetterAndRetry } from "./rules/scheduleDeadLetterAndRetry";
import { snapshotPolicyCoversCatalog } from "./rules/snapshotPolicyCoversCatalog";
import { snsTopicEncrypted } from "./rules/snsTopicEncrypted";
import { snsTopicTlsOnly } from "./rules/snsTopicTlsOnly";
import { ssmDocumentParametersConstrained } from "./rules/ssmDocumentParametersConstrained";

export const POLICY_PACK_NAME = "stellar-insights-backup";

export const BACKUP_POLICIES: Policies = [
  // One resource at a time, on its inputs, before it is created or changed.
  iamNoWildcardGrants,
  iamHostPrefixScoped,
  noGovernanceBypass,
  alarmHasActions,
  scheduleDeadLetterAndRetry,
  snsTopicEncrypted,
  snsTopicTlsOnly,
  ssmDocumentParametersConstrained,
  logGroupRetention,
  noPlaintextSecrets,
  // Across resources, on the whole stack after preview and after update.
  bucketKmsEncrypted,
  bucketVersioningEnabled,
  bucketPublicAccessBlocked,
  bucketTlsOnly,
  bucketAccessLogging,
  bucketConfiguredOnce,
  bucketObjectLockConfigured,
  replicationConfigured,
  lifecycleCoversCatalog,
  lifecycleEngineBackstop,
  catalogJobsScheduled,
  catalogRowsAgeAlarmed,
  catalogJobsHeartbeatAlarmed,
  snapshotPolicyCoversCatalog,
  clientSideEncryptionComplete,
  hostCredentialsBound,
];
