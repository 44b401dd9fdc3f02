/**
 * The one background loop every durable worker uses (event dispatch, webhook delivery, a
 * plugin's scheduler): run a pass, then run again at once while there is more to do, else
 * wait the poll interval. Passes never overlap; a `wake()` during a pass runs another pass
 * right after it, so work that arrives mid-pass is not left waiting a whole interval.
 * A failing pass is logged and retried on the next tick: durable state lives in the
 * database, so the loop itself holds nothing that could be lost.
 */
import type { Logger } from 'pino';

/** What a polling loop runs. */
export interface PollingLoopOptions {
  /** Shown in the log line of a failed pass (`webhook delivery`). */
  name: string;
  /** Wait between passes when the last one found nothing more to do. */
  intervalMs: number;
  logger: Logger;
  /** One pass; resolves true when more work may be waiting right now. */
  pass(): Promise<boolean>;
}

/** A start/stop/wake loop around a pass. */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private wakeRequested = false;

  constructor(private readonly options: PollingLoopOptions) {}

  /** Whether the loop has been started and not stopped. */
  get active(): boolean {
    return !this.stopped;
  }

  /** Starts the loop with a pass now. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Asks for a pass soon: now when idle, right after the current one when busy. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.wakeRequested = true;
    else this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, delay);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let more = false;
    try {
      more = await this.options.pass();
    } catch (err) {
      this.options.logger.error({ err }, `${this.options.name} pass failed; retrying`);
    }
    if (this.stopped) return;
    const again = more || this.wakeRequested;
    this.wakeRequested = false;
    this.schedule(again ? 0 : this.options.intervalMs);
  }
}
