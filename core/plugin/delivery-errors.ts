/** Errors that change how the dispatcher treats a failed delivery. */

/**
 * Thrown by a subscriber whose *downstream* is unavailable (a broker connection is down),
 * as opposed to an event it cannot handle. The dispatcher then keeps the subscriber's
 * progress at this event and tries again later, with backoff: nothing is parked as a
 * failure, nothing is dead-lettered by an outage, and order is kept.
 */
export class SubscriberUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SubscriberUnavailableError';
  }
}

/** A fenced progress write found the subscriber's lease taken by another node. */
export class LeaseLostError extends Error {
  constructor(readonly subscriberId: string) {
    super(`the dispatch lease of ${subscriberId} was taken over by another node`);
    this.name = 'LeaseLostError';
  }
}
