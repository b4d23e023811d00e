/**
 * JetStream topology for durable subjects (services/lib/subjects.ts): one stream per
 * prefix bound to `<prefix>.durable.>`, and one durable pull consumer per consumer name.
 * Both are created or updated at start-up, so a config change rolls out with a deploy
 * and two processes starting at once converge on the same definitions.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/** JetStream API error codes (nats-server errors.json). */
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
const STREAM_NAME_IN_USE = 10058;
const CONSUMER_ALREADY_EXISTS = 10148;

export interface DurableStreamOptions {
  name: string;
  subjects: string[];
  duplicateWindowMs: number;
  /** 0 = unlimited; limits retention keeps messages until these bound them. */
  maxAgeMs: number;
  maxBytes: number;
  /** Default limits; `workqueue` removes a message once a consumer acks it. */
  retention?: RetentionPolicy;
}

export async function ensureStream(jsm: JetStreamManager, o: DurableStreamOptions): Promise<void> {
  const cfg: Partial<StreamConfig> & { name: string } = {
    name: o.name,
    subjects: o.subjects,
    storage: StorageType.File,
    retention: o.retention ?? RetentionPolicy.Limits,
    duplicate_window: nanos(o.duplicateWindowMs),
    max_age: nanos(o.maxAgeMs),
    max_bytes: o.maxBytes,
  };
  try {
    await jsm.streams.info(o.name);
  } catch (err) {
    if (!isApiError(err, STREAM_NOT_FOUND)) throw err;
    try {
      await jsm.streams.add(cfg);
      return;
    } catch (addErr) {
      // Another process created it first: fall through and update to our config.
      if (!isApiError(addErr, STREAM_NAME_IN_USE)) throw addErr;
    }
  }
  const { name: _name, storage: _storage, ...updatable } = cfg;
  await jsm.streams.update(o.name, updatable);
}

export interface DurableConsumerSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  maxDeliver: number;
  /** Unacknowledged messages the consumer hands out at most (server default 1,000 when unset). */
  maxAckPending?: number;
}

export async function ensureConsumer(jsm: JetStreamManager, s: DurableConsumerSpec): Promise<void> {
  const mutable: Partial<ConsumerConfig> = {
    filter_subject: s.filterSubject,
    ack_wait: nanos(s.ackWaitMs),
    max_deliver: s.maxDeliver,
    ...(s.maxAckPending === undefined ? {} : { max_ack_pending: s.maxAckPending }),
  };
  try {
    const { config } = await jsm.consumers.info(s.stream, s.durable);
    // Unchanged: no update, so a process with rights to read its consumer only (an agent,
    // deploy/nats/nats.conf) can open it.
    if (
      config.filter_subject === s.filterSubject &&
      config.ack_wait === mutable.ack_wait &&
      config.max_deliver === s.maxDeliver &&
      (s.maxAckPending === undefined || config.max_ack_pending === s.maxAckPending)
    ) return;
  } catch (err) {
    if (!isApiError(err, CONSUMER_NOT_FOUND)) throw err;
    try {
      await jsm.consumers.add(s.stream, {
        ...mutable,
        durable_name: s.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
      return;
    } catch (addErr) {
      if (!isApiError(addErr, CONSUMER_ALREADY_EXISTS)) throw addErr;
    }
  }
  await jsm.consumers.update(s.stream, s.durable, mutable);
}

/** The stream a consumer belongs to does not exist (yet). */
export const isStreamNotFound = (err: unknown): boolean => isApiError(err, STREAM_NOT_FOUND);

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
