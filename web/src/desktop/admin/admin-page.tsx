import { ArticlesAdmin } from '../article-editor.tsx';
import { Link } from '../router.tsx';
import { AgentsAdmin } from './agents-page.tsx';
import { AnnouncementsAdmin } from './announcements-page.tsx';
import { BotTextsAdmin } from './bot-texts-page.tsx';
import { BusinessHoursAdmin } from './business-hours-page.tsx';
import { CannedAdmin } from './canned-responses-page.tsx';
import { ChannelsAdmin } from './channels-page.tsx';
import { FlowAdmin } from './flow-page.tsx';
import { IdleConversationsAdmin } from './idle-conversations-page.tsx';
import { QueuesAdmin } from './queues-page.tsx';
import { RetentionAdmin } from './retention-page.tsx';
import { RoleRoutingAdmin } from './role-routing-page.tsx';
import { ServersAdmin } from './servers-page.tsx';
import { SlaPoliciesAdmin } from './sla-policies-page.tsx';
import { WebhooksAdmin } from './webhooks-page.tsx';

const sections = [
  ['agents', 'Agents'],
  ['queues', 'Queues'],
  ['hours', 'Business hours'],
  ['sla', 'SLA policies'],
  ['roles', 'Role routing'],
  ['articles', 'Articles'],
  ['canned', 'Canned responses'],
  ['flow', 'Flow'],
  ['channels', 'Channels'],
  ['servers', 'Servers'],
  ['announcements', 'Announcements'],
  ['webhooks', 'Webhooks'],
  ['retention', 'Retention'],
  ['texts', 'Bot texts'],
  ['idle', 'Idle conversations'],
] as const;

/** Admin: one tab per setting, each page in a file of its own beside this one. */
export function AdminPage({ section }: { section: string }) {
  return (
    <div className="page admin">
      <h1>Admin</h1>
      <nav className="tabs" aria-label="Admin sections">
        {sections.map(([key, label]) => (
          <Link key={key} to={`/admin/${key}`} className={key === section ? 'tab active' : 'tab'}>
            {label}
          </Link>
        ))}
      </nav>
      {section === 'agents' && <AgentsAdmin />}
      {section === 'queues' && <QueuesAdmin />}
      {section === 'hours' && <BusinessHoursAdmin />}
      {section === 'sla' && <SlaPoliciesAdmin />}
      {section === 'roles' && <RoleRoutingAdmin />}
      {section === 'articles' && <ArticlesAdmin />}
      {section === 'canned' && <CannedAdmin />}
      {section === 'flow' && <FlowAdmin />}
      {section === 'channels' && <ChannelsAdmin />}
      {section === 'servers' && <ServersAdmin />}
      {section === 'announcements' && <AnnouncementsAdmin />}
      {section === 'webhooks' && <WebhooksAdmin />}
      {section === 'retention' && <RetentionAdmin />}
      {section === 'texts' && <BotTextsAdmin />}
      {section === 'idle' && <IdleConversationsAdmin />}
    </div>
  );
}
