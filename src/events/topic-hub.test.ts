/** The topic hub: one listener per topic, ids deduplicated per topic, bounded queues, return() at once. */
import { describe, expect, it } from 'vitest';
import { MAX_PENDING_EVENTS, TopicHub, type EventMessage } from './topic-hub.js';

function memoryHub() {
  const listening = new Map<string, (m: EventMessage) => void>();
  const calls: string[] = [];
  const hub = new TopicHub({
    listen: (topic, deliver) => (calls.push(`listen ${topic}`), listening.set(topic, deliver)),
    unlisten: (topic) => (calls.push(`unlisten ${topic}`), listening.delete(topic)),
    send: (topic, m) => listening.get(topic)?.(m),
  });
  return { hub, calls };
}
const msg = (eventId: string): EventMessage => ({ eventId, topic: 't' });

describe('TopicHub', () => {
  it('listens once per topic, hands every subscriber the same message object once, and unlistens after the last one leaves', async () => {
    const { hub, calls } = memoryHub();
    const subs = Array.from({ length: 3 }, () => hub.subscribe('t'));
    expect(calls).toEqual(['listen t']);
    const m = msg('e1');
    hub.publish('t', m);
    hub.publish('t', msg('e1')); // a second delivery of the same event
    for (const s of subs) expect((await s.next()).value).toBe(m);
    hub.publish('t', msg('e2'));
    for (const s of subs) expect((await s.next()).value?.eventId).toBe('e2');
    for (const s of subs) await s.return();
    expect(calls).toEqual(['listen t', 'unlisten t']);
    expect(hub.subscriberCount('t')).toBe(0);
  });

  it('return() ends a subscriber that is waiting in next()', async () => {
    const { hub } = memoryHub();
    const s = hub.subscribe('t');
    const waiting = s.next();
    await s.return();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    expect(hub.subscriberCount('t')).toBe(0);
  });

  it(`ends a subscriber that falls more than ${MAX_PENDING_EVENTS} events behind with an error; the others go on`, async () => {
    const { hub } = memoryHub();
    const stalled = hub.subscribe('t');
    const live = hub.subscribe('t');
    for (let i = 0; i <= MAX_PENDING_EVENTS; i++) {
      hub.publish('t', msg(`e${i}`));
      await live.next();
    }
    // What it had queued is still read, then the overflow error.
    for (let i = 0; i < MAX_PENDING_EVENTS; i++) expect((await stalled.next()).value?.eventId).toBe(`e${i}`);
    await expect(stalled.next()).rejects.toThrow(/fell 1001 events behind/);
    await expect(stalled.next()).resolves.toEqual({ value: undefined, done: true });
    expect(hub.subscriberCount('t')).toBe(1);
    hub.publish('t', msg('later'));
    expect((await live.next()).value?.eventId).toBe('later');
  });
});
