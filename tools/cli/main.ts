import { CliError, parseArguments, type Invocation } from './cli-runtime';
import { projectionCommands } from './projections.commands';
import { tenantCommands } from './tenant.commands';

type Command = (invocation: Invocation) => Promise<void>;

/** Every command: `npm run cli -- <group> <command> [--flags] [--json]`. */
const COMMANDS: Record<string, Record<string, Command>> = {
  tenant: tenantCommands,
  projections: projectionCommands,
};

const USAGE = `usage: npm run cli -- <command> [--json]

  tenant create --name NAME     create a company; prints tenantId and its first adminToken
  tenant list                   list companies
  projections list              the read models
  projections rebuild NAME      replay the event store into an emptied read model (NAME or its context)
                                (uses DATABASE_URL, or the running embedded stack's database)

Talks to IDENTITY_URL (default http://localhost:3000) with IDENTITY_TOKEN (default: the embedded
stack's token in .data/platform-admin-token). --json prints JSON; failures exit non-zero.`;

async function main(argv: readonly string[]): Promise<number> {
  const invocation = parseArguments(argv);
  const [group, name] = invocation.words;
  if (!group || invocation.flags.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    return group ? 0 : 2;
  }
  const command = COMMANDS[group]?.[name ?? ''];
  if (!command) {
    process.stderr.write(`unknown command: ${invocation.words.join(' ')}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    await command(invocation);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (invocation.json) process.stdout.write(`${JSON.stringify({ error: message, details: (error as CliError).details }, null, 2)}\n`);
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
