import type { OutboxRepository, Repositories, Store } from '../ports/repositories.ts';

export interface InboundProcessingOptions {
  /** This instance's name in claims; unique per process. */
  owner: string;
  /** How long a claim holds a message for its handler before another instance may take it over. */
  leaseMs: number;
  /** How often a handler that is still running extends its claim. */
  renewMs: number;
  /** How often the sweep looks for messages whose handling never committed (a crash in between). */
  sweepMs: number;
  /** The sweep leaves messages younger than this to the instance that is receiving them. */
  minAgeMs: number;
  /** Claims of one message before it is given up (logged at error): a message that keeps failing. */
  maxAttempts: number;
  /** Messages claimed per sweep. */
  batch: number;
}

export const defaultInboundProcessingOptions: Omit<InboundProcessingOptions, 'owner'> = {
  leaseMs: 15_000,
  renewMs: 5_000,
  sweepMs: 5_000,
  minAgeMs: 3_000,
  maxAttempts: 5,
  batch: 50,
};

/** The message's claim was taken by another instance (this one stalled past its lease): its work is undone. */
export class ClaimLost extends Error {
  override readonly name = 'ClaimLost';
  constructor(readonly messageId: string) {
    super(`inbound message ${messageId} is being handled by another instance`);
  }
}

export interface ClaimedMessage {
  messageId: string;
  owner: string;
  /** The instant the claim is held until, when a transaction commits now. */
  leaseUntil(): string;
  now(): string;
  /** Set once a transaction marked the message processed (its first answer committed). */
  processed?: boolean;
}

/**
 * The store a message's handling (its flow) writes through. Every transaction it runs also checks that
 * this instance still holds the message's claim, and fails (rolls back) when another instance took it;
 * the first transaction that sends the contact something (an outbox item) also marks the message
 * processed, so a crash after that answer never answers twice, and a crash before it handles the
 * message again from the start.
 */
export function claimedStore(base: Store, claim: ClaimedMessage): Store {
  const transaction: Store['transaction'] = (work) => {
    let answered = false;
    return base
      .transaction(async (tx) => {
        answered = false;
        const result = await work(
          watchOutbox(tx, () => {
            answered = true;
          }),
        );
        const held = answered
          ? await tx.messages.markProcessed(claim.messageId, claim.owner, claim.now())
          : await tx.messages.holdClaim(claim.messageId, claim.owner, claim.leaseUntil());
        if (!held) throw new ClaimLost(claim.messageId);
        return result;
      })
      .then((result) => {
        // After the commit: a transaction that rolled back marked nothing.
        if (answered) claim.processed = true;
        return result;
      });
  };
  // A handling's transactions check the claim, so they are never grouped with others'.
  return forward(base, { transaction, groupedTransaction: transaction });
}

/** `tx` with its outbox reporting each item added. */
function watchOutbox(tx: Repositories, onAdd: () => void): Repositories {
  const outbox = forward<OutboxRepository>(tx.outbox, {
    add: (item) => {
      onAdd();
      return tx.outbox.add(item);
    },
  });
  return forward(tx, { outbox });
}

/**
 * `target` with some members replaced; every other member is the target's own (methods bound to it, as
 * the store's classes keep private state that a copy or a prototype chain would not reach).
 */
function forward<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}
