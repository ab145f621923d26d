import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { agentRoles } from '../core/model.ts';
import type { Switchboard } from '../main.ts';
import { holdYoungGeneration, releaseYoungGeneration } from './young-generation.ts';

// Each command imports what it runs when it runs: `--help` or `migrate` does not load the server, and
// `start` does not load the Discord setup or the Markdown importer.
const composition = () => import('../main.ts');

/** The `switchboard` command. */
export function buildCli(): Command {
  const program = new Command('switchboard').description(
    'Switchboard: a self-hosted contact center for Discord communities',
  );

  program
    .command('start')
    .description('migrate the database and run the server')
    .action(async () => {
      holdYoungGeneration();
      try {
        // Only `start` sets an installation up (first admin, sample knowledge base) and says how to sign in.
        const { createSwitchboard } = await composition();
        const switchboard = await createSwitchboard(loadConfig());
        stopOnSignals(switchboard);
        const url = await switchboard.start();
        switchboard.logger.info({ url }, `Switchboard is running at ${url}`);
        await switchboard.settled();
      } finally {
        releaseYoungGeneration();
      }
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const config = loadConfig();
      const { openStore } = await import('../storage/kysely-store.ts');
      const store = await openStore({ url: config.databaseUrl, dataDir: config.dataDir });
      console.log(`database (${store.engine}) is up to date`);
      await store.close();
    });

  const agents = program.command('agents').description('manage agents');
  agents
    .command('create')
    .description('create an agent who can sign in to the desktop')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .option('--role <role>', `one of ${agentRoles.join(', ')}`, parseRole, 'agent')
    .option('--skills <skills>', 'comma-separated skills', (v: string) => v.split(','), [] as string[])
    .option('--capacity <n>', 'maximum concurrent conversations', parseCapacity, 3)
    .option(
      '--password <password>',
      'password (at least 8 characters); read from SWITCHBOARD_AGENT_PASSWORD if absent',
    )
    .action(
      async (options: {
        email: string;
        name: string;
        role: (typeof agentRoles)[number];
        skills: string[];
        capacity: number;
        password?: string;
      }) => {
        const password = options.password ?? process.env.SWITCHBOARD_AGENT_PASSWORD;
        if (!password) throw new InvalidArgumentError('give --password or set SWITCHBOARD_AGENT_PASSWORD');
        const { createSwitchboard } = await composition();
        const switchboard = await createSwitchboard(loadConfig(), { bootstrap: false });
        try {
          const agent = await switchboard.center.agents.create({ ...options, password });
          console.log(`agent ${agent.email} created (${agent.role}, id ${agent.id})`);
        } finally {
          await switchboard.stop();
        }
      },
    );

  agents
    .command('reset-password')
    .description(
      "set a new password (generated and printed once unless given) and end the agent's sessions and API tokens",
    )
    .requiredOption('--email <email>', 'sign-in email of the agent')
    .option(
      '--password <password>',
      'the new password (at least 8 characters); or SWITCHBOARD_AGENT_PASSWORD',
    )
    .action(async (options: { email: string; password?: string }) => {
      const given = options.password ?? process.env.SWITCHBOARD_AGENT_PASSWORD;
      const { resetAgentPassword } = await import('./reset-password-command.ts');
      const result = await resetAgentPassword(loadConfig(), options.email, given || undefined);
      console.log(
        `password of ${result.email} reset; ${result.endedCredentials} session(s) and API token(s) ended`,
      );
      if (result.generated) console.log(`new password (shown once): ${result.generated}`);
    });

  const kb = program.command('kb').description('knowledge base');
  kb.command('import')
    .argument('<folder>', 'folder of Markdown files with front matter (title, tags, locale, examples)')
    .description('import or update knowledge-base articles')
    .action(async (folder: string) => {
      const [{ createSwitchboard }, { importKnowledgeBase }] = await Promise.all([
        composition(),
        import('../knowledge/import-knowledge-base.ts'),
      ]);
      const switchboard = await createSwitchboard(loadConfig(), { bootstrap: false });
      try {
        const tty = process.stderr.isTTY;
        const result = await importKnowledgeBase(folder, switchboard.center.articles, (done, total) => {
          if (tty) process.stderr.write(`\rimporting ${done}/${total}`);
          else if (done === total || done % 500 === 0) process.stderr.write(`imported ${done}/${total}\n`);
        });
        if (tty) process.stderr.write('\n');
        console.log(`${result.created} created, ${result.updated} updated, ${result.failed.length} failed`);
        for (const failure of result.failed) console.log(`  ${failure.file}: ${failure.reason}`);
        if (result.failed.length > 0) process.exitCode = 1;
      } finally {
        await switchboard.stop();
      }
    });

  const discord = program.command('discord').description('Discord servers');
  discord
    .command('setup')
    .description(
      'create or link the official channels (announcements, bug-report, feature-request, customer-service); safe to run again',
    )
    .option(
      '--guild <id>',
      'server (guild) id; repeat for several (default: DISCORD_GUILD_IDS)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .action(async (options: { guild: string[] }) => {
      const config = loadConfig();
      const { runDiscordSetup } = await import('./discord-setup-command.ts');
      const reports = await runDiscordSetup(
        config,
        options.guild.length > 0 ? options.guild : config.discord.guildIds,
      );
      if (reports.some((r) => !r.ok)) process.exitCode = 1;
    });

  return program;
}

/** How long a stop may take (open connections, a connector's goodbye) before the process exits anyway. */
const stopPatienceMs = 10_000;

/**
 * SIGTERM (a supervisor, `docker stop`, npm passing it on) and SIGINT (Ctrl-C): drain and close the
 * database, then exit 0. A second signal, or a stop that hangs, exits at once with 1.
 */
function stopOnSignals(switchboard: Switchboard): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      switchboard.logger.warn({ signal }, 'second signal while shutting down: exiting now');
      process.exit(1);
    }
    stopping = true;
    switchboard.logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      switchboard.logger.error({ signal, afterMs: stopPatienceMs }, 'shutdown took too long: exiting now');
      process.exit(1);
    }, stopPatienceMs).unref();
    switchboard.stop().then(
      () => {
        switchboard.logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        switchboard.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function parseRole(value: string): (typeof agentRoles)[number] {
  const role = agentRoles.find((r) => r === value);
  if (!role) throw new InvalidArgumentError(`must be one of ${agentRoles.join(', ')}`);
  return role;
}

function parseCapacity(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
