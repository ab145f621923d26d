import type { Case, Conversation } from '../model.ts';
import type {
  CaseExportFilter,
  ConversationExportFilter,
  ExportCursor,
  ExportRepository,
} from '../ports/export-repository.ts';
import { csvRecord } from './csv.ts';

export const exportKinds = ['cases', 'conversations'] as const;
export type ExportKind = (typeof exportKinds)[number];
export const exportFormats = ['csv', 'json'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export type ExportRequest =
  | { kind: 'cases'; format: ExportFormat; filter: CaseExportFilter }
  | { kind: 'conversations'; format: ExportFormat; filter: ConversationExportFilter };

type Cell = string | number | boolean | null;

/** The columns of each export, in order; the JSON export has the same fields. */
const caseColumns: [string, (c: Case) => Cell][] = [
  ['number', (c) => c.number],
  ['id', (c) => c.id],
  ['kind', (c) => c.kind],
  ['status', (c) => c.status],
  ['priority', (c) => c.priority],
  ['subject', (c) => c.subject],
  ['contactId', (c) => c.contactId],
  ['assigneeId', (c) => c.assigneeId],
  ['tags', (c) => c.tags.join(' ')],
  ['rating', (c) => c.rating],
  ['votes', (c) => c.votes],
  ['createdAt', (c) => c.createdAt],
  ['updatedAt', (c) => c.updatedAt],
];

const conversationColumns: [string, (c: Conversation) => Cell][] = [
  ['id', (c) => c.id],
  ['channel', (c) => c.channel],
  ['state', (c) => c.state],
  ['contactId', (c) => c.contactId],
  ['queueId', (c) => c.queueId],
  ['agentId', (c) => c.agentId],
  ['caseId', (c) => c.caseId],
  ['language', (c) => c.language],
  ['wrapUpNote', (c) => c.wrapUpNote],
  ['createdAt', (c) => c.createdAt],
  ['queuedAt', (c) => c.queuedAt],
  ['assignedAt', (c) => c.assignedAt],
  ['firstAgentReplyAt', (c) => c.firstAgentReplyAt],
  ['closedAt', (c) => c.closedAt],
];

export const defaultExportOptions = {
  /** Rows read per keyset page: memory stays at one page whatever the export's size. */
  pageSize: 1000,
} as const;

/** How many rows the export will have (sent first, so that a reader can show its progress). */
export function countExport(repo: ExportRepository, request: ExportRequest): Promise<number> {
  return request.kind === 'cases' ? repo.countCases(request.filter) : repo.countConversations(request.filter);
}

async function* pages<T extends { createdAt: string; id: string }>(
  read: (after: ExportCursor | null, limit: number) => Promise<T[]>,
  pageSize: number,
): AsyncGenerator<T[]> {
  let after: ExportCursor | null = null;
  for (;;) {
    const page = await read(after, pageSize);
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/**
 * The export as text chunks, one per page read: a CSV header then records, or a JSON array whose elements
 * come a page at a time.
 */
export async function* exportChunks(
  repo: ExportRepository,
  request: ExportRequest,
  options: Partial<typeof defaultExportOptions> = {},
): AsyncGenerator<string> {
  const { pageSize } = { ...defaultExportOptions, ...options };
  const rows: AsyncGenerator<Record<string, Cell>[]> =
    request.kind === 'cases'
      ? mapPages(
          pages((after, limit) => repo.pageCases(request.filter, after, limit), pageSize),
          caseColumns,
        )
      : mapPages(
          pages((after, limit) => repo.pageConversations(request.filter, after, limit), pageSize),
          conversationColumns,
        );
  const names = (request.kind === 'cases' ? caseColumns : conversationColumns).map(([name]) => name);
  if (request.format === 'csv') {
    yield csvRecord(names);
    for await (const page of rows) yield page.map((row) => csvRecord(names.map((n) => row[n]))).join('');
    return;
  }
  yield '[';
  let first = true;
  for await (const page of rows) {
    const text = page.map((row) => JSON.stringify(row)).join(',\n');
    yield first ? `\n${text}` : `,\n${text}`;
    first = false;
  }
  yield '\n]\n';
}

async function* mapPages<T>(
  source: AsyncGenerator<T[]>,
  columns: [string, (row: T) => Cell][],
): AsyncGenerator<Record<string, Cell>[]> {
  for await (const page of source)
    yield page.map((row) => Object.fromEntries(columns.map(([name, value]) => [name, value(row)])));
}
