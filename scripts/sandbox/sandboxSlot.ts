/**
 * The sandbox of a command that can be interrupted at any moment: before it starts, while it
 * starts (moto up, PostgreSQL still initdb-ing), or up. Stopping the slot waits for a start under
 * way and stops what it brought up; a start that failed has already undone itself.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from "./sandbox";

export class SandboxSlot {
  private starting: Promise<Sandbox> | undefined;

  /** `startSandbox(options)`, remembered for `stop`. */
  start(options: SandboxOptions): Promise<Sandbox> {
    this.starting = startSandbox(options);
    return this.starting;
  }

  /**
   * Stops the sandbox (`Sandbox.stop`: once, however often called); resolves to what was done,
   * for a person: `sandbox stopped, /tmp/stellar-sandbox-… removed`.
   */
  async stop(): Promise<string> {
    const sandbox = await this.starting?.catch(() => undefined);
    if (sandbox === undefined) return "no sandbox was running";
    await sandbox.stop();
    return `sandbox stopped, ${sandbox.dir} removed`;
  }
}
