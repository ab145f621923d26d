import type { Compilable, CompiledQuery, Kysely, Transaction, UpdateResult } from 'kysely';
import { conflict, notFound } from '../core/errors.ts';
import { type Database, directStatementsOf, type Engine, engineOf } from './database.ts';

/**
 * Where a repository sends its queries: the root database or the transaction it is bound to.
 * Resolved per query, so a store can route calls made inside its own transaction into it.
 */
export interface DbScope {
  readonly db: Kysely<Database>;
}

/** Runs `work` atomically: inside the current transaction if there is one, else in a new one. */
export function atomically<T>(db: Kysely<Database>, work: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute((tx: Transaction<Database>) => work(tx));
}

/** `update*` of a missing row is a `not_found` DomainError, as the repository ports promise. */
export function assertUpdated(result: UpdateResult, what: string, id: string | number): void {
  if (result.numUpdatedRows === 0n) throw notFound(what, id);
}

/** SQLite's and PostgreSQL's words for "a unique index refused this row". */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * Runs a write that a unique index guards; losing a race to another writer is a `conflict`
 * DomainError (409), not an unexpected failure.
 */
export async function uniquely<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(message);
    throw error;
  }
}

export const toJson = (value: unknown): string => JSON.stringify(value);

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export const toFlag = (value: boolean): number => (value ? 1 : 0);
export const fromFlag = (value: number | boolean): boolean => value === true || Number(value) === 1;

/** Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern. */
export const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** SQLite needs a LIMIT before OFFSET; this is "no limit" on both engines. */
export const noLimit = Number.MAX_SAFE_INTEGER;

/** A value slot of a query compiled once (see `compiledOnce`). */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A query of a hot path (every inbound message runs it) built and compiled once per engine instead of on
 * every call; each call binds its own values. `build` gets placeholders for its arguments and must use each
 * as a value (a `where` operand, an inserted value), never as a name, a list or in a condition of the
 * builder itself: the query's shape must not depend on the arguments.
 */
export function compiledOnce<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
  /** How many arguments follow `db` (a rest parameter is not counted by `build.length`). */
  arity = build.length - 1,
): (db: Kysely<Database>, ...args: Args) => Promise<Row[]> {
  const compiled = new Map<Engine, { query: CompiledQuery<Row>; bind: (args: Args) => unknown[] }>();
  const compile = (db: Kysely<Database>) => {
    const slots = Array.from({ length: arity }, (_, i) => new Slot(i));
    const query = build(db, ...(slots as unknown as Args)).compile();
    const used = new Set<number>();
    const plan = query.parameters.map((p) => {
      if (p instanceof Slot) used.add(p.index);
      return p;
    });
    if (used.size !== slots.length)
      throw new Error('compiledOnce: every argument must be a value of the query');
    return {
      query,
      bind: (args: Args) => plan.map((p) => (p instanceof Slot ? args[p.index] : p)),
    };
  };
  return (db, ...args) => {
    const engine = engineOf(db);
    let entry = compiled.get(engine);
    if (!entry) {
      entry = compile(db);
      compiled.set(engine, entry);
    }
    return executeCompiled(db, entry.query, entry.bind(args));
  };
}

/**
 * Runs a compiled query. Inside an open SQLite transaction it runs straight on the connection the transaction
 * holds: the same statement on the same connection, without Kysely's per-query connection hand-over and its
 * promises, which cost more than the short statements of a receive. Elsewhere (PostgreSQL, the root
 * database, whose single connection a transaction may hold) it goes through Kysely.
 */
export function executeCompiled<Row>(
  db: Kysely<Database>,
  query: CompiledQuery<Row>,
  parameters: readonly unknown[] = query.parameters,
): Promise<Row[]> {
  const direct = directStatementsOf(db);
  if (!direct) return db.executeQuery<Row>({ ...query, parameters }).then((result) => result.rows);
  try {
    return Promise.resolve(direct.execute<Row>(query.sql, parameters));
  } catch (error) {
    return Promise.reject(error);
  }
}
