/**
 * What every engine adapter does the same way: probe and require the installed version, and write
 * the engine config rendered by its descriptor. Engine-specific work stays in each adapter.
 */
import type { EngineSecrets, PostgresEngineDescriptor } from "../../../infra/catalog/engines";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { clusterSegmentSize } from "../postgres/controlData";
import type { InstallState } from "./adapter";
import { engineInstallState, requireEngineInstalled, writeEngineConfig } from "./engineProcess";

export abstract class EngineAdapterBase {
  abstract readonly descriptor: PostgresEngineDescriptor;
  /** What to do when the engine is missing or unsupported on a host. */
  protected abstract readonly installHint: string;

  constructor(
    protected readonly config: HostConfig,
    protected readonly hostId: string,
  ) {}

  installed(): Promise<InstallState> {
    return engineInstallState(this.descriptor, this.config.postgres.engine.binary);
  }

  requireInstalled(): Promise<string> {
    return requireEngineInstalled(
      this.descriptor,
      this.config.postgres.engine.binary,
      this.installHint,
    );
  }

  writeConfig(secrets?: EngineSecrets): Promise<void> {
    return writeEngineConfig(this.descriptor, this.config, this.hostId, secrets);
  }

  private segmentBytes?: Promise<number>;

  /**
   * This host's cluster's `wal_segment_size` in bytes (pg_control, read once): every WAL segment
   * name is read with it; PostgreSQL's default where the data directory holds no cluster yet
   * (`clusterSegmentSize`).
   */
  protected walSegmentBytes(): Promise<number> {
    this.segmentBytes ??= clusterSegmentSize(this.config).then((s) => s.bytes);
    return this.segmentBytes;
  }
}
