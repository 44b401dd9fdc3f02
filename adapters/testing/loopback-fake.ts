/**
 * What every fake ERP of the adapters' tests shares: an HTTP server on a free loopback port,
 * a clock tests move, outages (the next requests answer a status) and refused writes (the
 * next creates or saves fail with a message), each queued by the test and taken in order by
 * the fake's own handler, which speaks its ERP's protocol.
 *
 * @module
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake ERP on 127.0.0.1: subclasses handle the requests. */
export abstract class LoopbackFake {
  /** The fake's clock; tests move it to order writes. */
  now = new Date('2026-12-01T08:00:00Z');
  /** Where it listens, once started. */
  url = '';
  private server: http.Server | undefined;
  private readonly failures: number[] = [];
  private readonly writeRejections: string[] = [];

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The next `statuses.length` requests answer with these HTTP statuses (outage simulation). */
  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  /** The next creates or saves over HTTP are refused with these messages, as the ERP's validation refuses values. */
  rejectNextWrites(...messages: string[]): void {
    this.writeRejections.push(...messages);
  }

  /** Moves the clock forward. */
  tick(seconds = 1): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  /** The status of an outage a test queued for this request, if any. */
  protected nextFailure(): number | undefined {
    return this.failures.shift();
  }

  /** The message of a refusal a test queued for this write, if any. */
  protected nextWriteRejection(): string | undefined {
    return this.writeRejections.shift();
  }

  /** Answers one request in the ERP's protocol. */
  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}
