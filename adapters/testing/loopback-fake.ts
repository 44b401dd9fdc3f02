/**
 * What every fake ERP of the adapters' tests shares: an HTTP server on a free loopback port,
 * a clock tests move, outages (the next requests answer a status), refused writes (the
 * next creates or saves fail with a message) and lost replies (a create commits, its reply
 * never arrives), each queued by the test and taken in order by
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
  /** Per lost reply to come: how many requests after it fail (503) too. */
  private readonly lostCreateReplies: number[] = [];

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

  /**
   * The next `count` creates over HTTP commit, then the connection is dropped instead of
   * answered: the client sees a reset with the record already made (a timeout, a proxy
   * restart, a dropped link between commit and reply). `thenFail` requests after it answer
   * 503, so whatever the client does next (its lookup) fails as well.
   */
  loseNextCreateReply(count = 1, thenFail = 0): void {
    for (let i = 0; i < count; i++) this.lostCreateReplies.push(thenFail);
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

  /** After a create committed: drops the connection when a test asked to lose this reply (answers true), else false. */
  protected dropReplyOfCreate(res: http.ServerResponse): boolean {
    const thenFail = this.lostCreateReplies.shift();
    if (thenFail === undefined) return false;
    this.failures.unshift(...Array.from({ length: thenFail }, () => 503));
    res.socket?.destroy();
    return true;
  }

  /** Answers one request in the ERP's protocol. */
  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}
