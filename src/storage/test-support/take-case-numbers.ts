/**
 * Run as a separate process by `sqlite-store.test.ts`: takes case numbers from the store at
 * `url`, alternately alone and inside a transaction that creates the case, and prints them as JSON.
 */
import { randomUUID } from 'node:crypto';
import { openStore } from '../kysely-store.ts';

const [url, countArg] = process.argv.slice(2);
if (!url) throw new Error('usage: take-case-numbers <url> <count>');
const count = Number(countArg ?? 20);
const store = await openStore({ url });
const numbers: number[] = [];
for (let i = 0; i < count; i++) {
  if (i % 2 === 0) {
    numbers.push(await store.cases.nextNumber());
    continue;
  }
  numbers.push(
    await store.transaction(async (tx) => {
      const number = await tx.cases.nextNumber();
      const now = new Date().toISOString();
      await tx.cases.create({
        id: randomUUID(),
        number,
        kind: 'support',
        status: 'new',
        priority: 'normal',
        subject: `from process ${process.pid}`,
        contactId: null,
        assigneeId: null,
        tags: [],
        fields: {},
        rating: null,
        votes: 0,
        openedBy: null,
        postUrl: null,
        createdAt: now,
        updatedAt: now,
      });
      return number;
    }),
  );
}
await store.close();
process.stdout.write(JSON.stringify(numbers));
