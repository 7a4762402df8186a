import { CliError, parseArguments, type Invocation } from './cli-runtime';
import { eventCommands } from './events.commands';
import { licenseCommands } from './license.commands';
import { projectionCommands } from './projections.commands';
import { scimCommands } from './scim.commands';
import { siteCommands } from './site.commands';
import { ssoCommands } from './sso.commands';
import { numberCommands, telephonyCommands } from './telephony.commands';
import { tenantCommands } from './tenant.commands';
import { directoryCommands, userCommands } from './user.commands';

/** Resolves to the exit code when the command ran but did not wholly succeed (an import with failed rows). */
type Command = (invocation: Invocation) => Promise<void | number>;

/** Every command: `npm run cli -- <group> <command> [--flags] [--json]`. */
const COMMANDS: Record<string, Record<string, Command>> = {
  tenant: tenantCommands,
  site: siteCommands,
  scim: scimCommands,
  user: userCommands,
  directory: directoryCommands,
  license: licenseCommands,
  sso: ssoCommands,
  telephony: telephonyCommands,
  number: numberCommands,
  projections: projectionCommands,
  events: eventCommands,
};

const USAGE = `usage: npm run cli -- <command> [--json]

  tenant create --name NAME     create a company; prints JSON with tenantId and its first adminToken
  tenant list [--limit N]       list companies
  site create --tenant T --name N            create a site; prints siteId
  site rename --tenant T --site S --name N   rename a site (its old name keeps matching SCIM)
  site list --tenant T
  scim enable --tenant T --idp azure-ad|okta turn SCIM on; prints JSON with scimUrl and token (shown once)
  scim rotate --tenant T [--overlap-seconds N] new token; the old one works N more seconds (default a day)
  scim revoke --tenant T                     revoke every SCIM token
  scim disable --tenant T
  scim retrieval --tenant T --mode all|idp-only
  scim status --tenant T
  scim logs --tenant T [--outcome failure] [--from ISO] [--to ISO] [--limit N]
  user create --tenant T --user-name U [--given-name G --family-name F --email E --title T --site-id S --visible true|false]
  user list --tenant T [--q TEXT --status active|deactivated --owner idp|admin --source azure-ad|okta|admin-console --sort -userName --limit N]
  user get --tenant T --user ID|USERNAME
  user extension --tenant T --user U [--extension N | --release]   the next free extension, or N (licensed users only)
  user number --tenant T --user U [--number E164 | --release]       the next free direct number of the pool, or E164
  directory search --tenant T [--q NAME] [--number PREFIX] [--extension PREFIX] [--view company|contact-center|switchboard|desk-phone]
  telephony status --tenant T
  telephony plan --tenant T [--length 4 --from 2000 --to 2999] [--auto-extension true|false] [--auto-number true|false] [--quarantine-days N]
  number import --tenant T FILE                     (operators) E.164 direct numbers, one per line
  license plan set --tenant T --plan X2 --seats N   (operators) seats of a plan; never below those in use
  license assign --tenant T --user USERNAME --plan X2 [--swap]
  license unassign --tenant T --user USERNAME
  license usage --tenant T
  license import --tenant T FILE.csv [--dry-run]     username,plan[,action][,extension][,number]; follows the job's progress, exits 1 if a row fails
  sso configure --tenant T --idp azure-ad|saml2 --sign-in-url U --issuer I [--sign-out-url S] [--admin-role ROLE] [--certificate FILE] [--disabled]
                                upload the Base64 certificate and enable SSO; prints the Entity ID / Reply URL for Azure AD
                                (a sign-out URL or admin role left out stays as it is; '' clears it)
  sso status --tenant T
  sso certificate add --tenant T FILE | sso certificate remove --tenant T --thumbprint SHA1|SHA256   (rollover: two at once)
  sso disable --tenant T
  projections list              the read models
  projections rebuild NAME      replay the event store into an emptied read model (NAME or its context)
                                (uses DATABASE_URL, or the running embedded stack's database)
  events dead-letters           consumer groups with a dead-letter topic, and how many of its events no redrive sent back
  events redrive --group G      send G's dead letters back to their topics, for G alone (a reaction, once its cause is fixed;
                                a read model is rebuilt instead); uses the services' KAFKA_* variables

Talks to IDENTITY_URL (default http://localhost:3000) with IDENTITY_TOKEN (default: the embedded
stack's token in .data/platform-admin-token). --json prints JSON; failures exit non-zero.`;

async function main(argv: readonly string[]): Promise<number> {
  let invocation: ReturnType<typeof parseArguments>;
  try {
    invocation = parseArguments(argv);
  } catch (error) {
    // A switch given a value (`--json file.csv`): said like any other mistake in the command line.
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const [group, name] = invocation.words;
  if (!group || invocation.flags.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    return group || invocation.flags.has('help') ? 0 : 2;
  }
  const command = COMMANDS[group]?.[name ?? ''];
  if (!command) {
    process.stderr.write(`unknown command: ${invocation.words.join(' ')}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return (await command(invocation)) ?? 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (invocation.json) process.stdout.write(`${JSON.stringify({ error: message, details: (error as CliError).details }, null, 2)}\n`);
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
