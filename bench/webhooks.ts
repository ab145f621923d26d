/**
 * Webhook benchmark (`npm run bench:webhooks`): what outbound webhooks cost the receive path. The same
 * workload — contacts writing their first message, each through `core.receive()` with the default flow and
 * the virtual agent's answer, on a fresh SQLite file — with no subscription (what every installation pays: one
 * indexed read of the enabled subscriptions per change that emits an integrator event), and with one and
 * three subscriptions to every event (each change also writes its deliveries in its transaction). Deliveries
 * are recorded, not sent (no sender), so the figures are the writer's side only. The baseline is the read the
 * hook adds, timed alone in the same run. Prints figures; asserts nothing. `--quick`: small sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { webhookEventTypes } from '../src/core/webhooks/webhook.ts';
import { createTestCenter } from '../test/support/test-center.ts';

const QUICK = process.argv.includes('--quick');
const MESSAGES = QUICK ? 100 : 400;
const RUNS = QUICK ? 3 : 5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function measure(subscriptions: number, dir: string) {
  const tc = await createTestCenter({ url: path.join(dir, `bench-${subscriptions}.db`) });
  try {
    for (let n = 0; n < subscriptions; n++)
      await tc.center.webhooks.create({
        url: `https://hooks${n}.example.com/`,
        events: [...webhookEventTypes],
      });
    let contact = 0;
    const write = () => tc.connector.receive({ text: 'I forgot my password', from: `member-${contact++}` });
    for (let n = 0; n < 50; n++) await write();
    const perMessage: number[] = [];
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const began = performance.now();
      for (let n = 0; n < MESSAGES; n++) {
        const start = performance.now();
        await write();
        perMessage.push(performance.now() - start);
      }
      rates.push(MESSAGES / ((performance.now() - began) / 1000));
    }
    const deliveries = (await tc.store.webhooks.listSubscriptions()).length
      ? (
          await tc.store.webhooks.listDeliveries({
            subscriptionId: (await tc.store.webhooks.listSubscriptions())[0]!.id,
            limit: 100_000,
          })
        ).length
      : 0;
    // The read the hook adds, alone.
    const reads: number[] = [];
    for (let n = 0; n < 2_000; n++) {
      const start = performance.now();
      await tc.store.webhooks.listEnabledSubscriptions();
      reads.push(performance.now() - start);
    }
    return { p50: median(perMessage), rate: median(rates), deliveries, read: median(reads) };
  } finally {
    await tc.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-bench-webhooks-'));
try {
  console.log(`# Webhook benchmark (npm run bench:webhooks${QUICK ? ' --quick' : ''})`);
  console.log(`${RUNS} runs of ${MESSAGES} first messages each (medians), SQLite file, the default flow.\n`);
  // A discarded layout first: the JIT and the caches warm up on it, not on the first measured one.
  await measure(0, dir);
  const none = await measure(0, dir);
  const rows = [
    ['no subscription', none],
    ['1 subscription, every event', await measure(1, dir)],
    ['3 subscriptions, every event', await measure(3, dir)],
  ] as const;
  console.log(
    '| layout | msg/s | p50 ms per message | vs no subscription | deliveries per subscription | subscription read µs |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, r] of rows)
    console.log(
      `| ${name} | ${r.rate.toFixed(0)} | ${r.p50.toFixed(2)} | ${(r.rate / none.rate).toFixed(2)}× | ${r.deliveries} | ${(r.read * 1000).toFixed(0)} |`,
    );
  console.log(
    `\nThe hook's read alone (no subscription): ${(none.read * 1000).toFixed(0)} µs, ${((none.read / none.p50) * 100).toFixed(1)}% of a message's ${none.p50.toFixed(2)} ms.`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
