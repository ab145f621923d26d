import type { Selectable } from 'kysely';
import type { Attachment, AuthorKind, ChannelName, Message, SuggestedArticle } from '../core/model.ts';
import type { MessageRepository } from '../core/ports/repositories.ts';
import type { MessageTable } from './database.ts';
import { type DbScope, fromJson, toJson } from './db-scope.ts';

const fromRow = (r: Selectable<MessageTable>): Message => ({
  id: r.id,
  conversationId: r.conversation_id,
  authorKind: r.author_kind as AuthorKind,
  authorId: r.author_id,
  text: r.text,
  attachments: fromJson<Attachment[]>(r.attachments),
  articles: fromJson<SuggestedArticle[]>(r.articles),
  externalId: r.external_id,
  createdAt: r.created_at,
});

export class KyselyMessageRepository implements MessageRepository {
  constructor(private readonly scope: DbScope) {}

  async insert(message: Message, channel: ChannelName): Promise<boolean> {
    // ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL a failed statement
    // aborts the surrounding transaction, and a redelivered event must stay a quiet no-op.
    const inserted = await this.scope.db
      .insertInto('messages')
      .values({
        id: message.id,
        conversation_id: message.conversationId,
        channel,
        author_kind: message.authorKind,
        author_id: message.authorId,
        text: message.text,
        attachments: toJson(message.attachments),
        articles: toJson(message.articles),
        external_id: message.externalId,
        created_at: message.createdAt,
      })
      .onConflict((oc) => oc.columns(['channel', 'external_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async findByExternalId(channel: ChannelName, externalId: string): Promise<Message | undefined> {
    const row = await this.scope.db
      .selectFrom('messages')
      .selectAll()
      .where('channel', '=', channel)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async listByConversation(conversationId: string): Promise<Message[]> {
    const rows = await this.scope.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'asc')
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(fromRow);
  }
}
