import { Option, type Command } from 'commander';
import { chunkForDisplay, generateApplicationPassword, hashApplicationPassword } from '../../auth/passwords';
import type { Host } from '../../host';
import { DuplicateLoginError, ROLES, type Role, type User } from '../../store/users';
import { print, printRows, withHost, type CliEnvironment } from '../context';
import { CliError } from '../errors';

/** As WordPress's sanitize_user( $login, true ): letters, digits, space, _ . - @; 60 characters at most. */
export const LOGIN_PATTERN = /^[A-Za-z0-9 _.\-@]+$/;
export const MAX_LOGIN_LENGTH = 60;
const MAX_EMAIL_LENGTH = 100;
const MAX_APP_NAME_LENGTH = 191;

export function validateLogin(login: string): string {
  // WordPress trims and collapses runs of whitespace before checking.
  const clean = login.trim().replace(/\s+/g, ' ');
  if (clean.length === 0) throw new CliError('Cannot create a user with an empty login name.');
  if (clean.length > MAX_LOGIN_LENGTH) throw new CliError(`The login "${clean}" is longer than ${MAX_LOGIN_LENGTH} characters.`);
  if (!LOGIN_PATTERN.test(clean)) {
    throw new CliError(`The login "${clean}" contains characters that are not allowed: use letters, digits, spaces and _ . - @ only.`);
  }
  return clean;
}

export function validateEmail(email: string): string {
  const clean = email.trim();
  if (clean.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(clean)) throw new CliError(`"${email}" is not a valid email address.`);
  return clean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function userOrFail(host: Host, login: string): Promise<User> {
  const user = await host.store.users.byLogin(login);
  if (!user) throw new CliError(`Invalid user login: "${login}".`);
  return user;
}

const formatOption = () => new Option('--format <format>', 'render output in a particular format').choices(['table', 'json']).default('table');

/** `user create|list|delete` and `user application-password create|list|delete` (wp-cli conventions). */
export function registerUserCommands(program: Command, e: CliEnvironment): void {
  const user = program.command('user').description('manage users and their application passwords');

  user
    .command('create')
    .description('create a user')
    .argument('<login>', 'login name (letters, digits, space, _ . - @; up to 60 characters)')
    .requiredOption('--email <email>', 'email address')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).default('subscriber'))
    .action(async (loginArg: string, opts: { email: string; role: Role }) => {
      const login = validateLogin(loginArg);
      const email = validateEmail(opts.email);
      await withHost(e, async (host) => {
        try {
          const created = await host.store.users.create(login, email, opts.role);
          print(e.stdout, `Success: Created user ${created.login} (${created.role}).`);
        } catch (err) {
          if (err instanceof DuplicateLoginError) throw new CliError(`The login "${login}" is already registered.`);
          throw err;
        }
      });
    });

  user
    .command('list')
    .description('list users')
    .addOption(formatOption())
    .action(async (opts: { format: 'table' | 'json' }) => {
      await withHost(e, async (host) => {
        const users = await host.store.users.list();
        const rows = users.map((u) => ({ id: u.id, login: u.login, email: u.email, role: u.role, created: iso(u.created) }));
        printRows(e.stdout, opts.format, ['id', 'login', 'email', 'role', 'created'], rows);
      });
    });

  user
    .command('delete')
    .description('delete a user; their application passwords stop working at once')
    .argument('<login>', 'login name')
    .action(async (login: string) => {
      await withHost(e, async (host) => {
        const found = await userOrFail(host, login);
        const passwords = (await host.store.passwords.list(found.id)).length;
        if (!(await host.store.users.delete(login))) throw new CliError(`Invalid user login: "${login}".`);
        print(e.stdout, `Success: Removed user ${login} and revoked ${passwords} application password${passwords === 1 ? '' : 's'}.`);
      });
    });

  const app = user.command('application-password').description("manage a user's application passwords");

  app
    .command('create')
    .description('create an application password; it is shown once')
    .argument('<login>', 'login name')
    .argument('<app-name>', 'name of the application the password is for (unique per user)')
    .option('--porcelain', 'output just the new password')
    .action(async (login: string, appName: string, opts: { porcelain?: boolean }) => {
      const name = appName.trim();
      if (name.length === 0) throw new CliError('The application name must not be empty.');
      if (name.length > MAX_APP_NAME_LENGTH) throw new CliError(`The application name is longer than ${MAX_APP_NAME_LENGTH} characters.`);
      await withHost(e, async (host) => {
        const owner = await userOrFail(host, login);
        if ((await host.store.passwords.list(owner.id)).some((p) => p.name === name)) {
          throw new CliError(`${login} already has an application password named "${name}": each application name should be unique.`);
        }
        const password = generateApplicationPassword();
        const info = await host.store.passwords.create(owner.id, name, hashApplicationPassword(host.secret, password));
        if (opts.porcelain) {
          print(e.stdout, password);
          return;
        }
        print(e.stdout, `Success: Created application password "${name}" for ${login} (uuid ${info.uuid}).`);
        print(e.stdout, `Password: ${chunkForDisplay(password)}`);
        print(e.stdout, 'Copy it now: it cannot be shown again. Spaces are ignored when you use it.');
      });
    });

  app
    .command('list')
    .description("list a user's application passwords (never the passwords themselves)")
    .argument('<login>', 'login name')
    .addOption(formatOption())
    .action(async (login: string, opts: { format: 'table' | 'json' }) => {
      await withHost(e, async (host) => {
        const owner = await userOrFail(host, login);
        const rows = (await host.store.passwords.list(owner.id)).map((p) => ({
          uuid: p.uuid,
          name: p.name,
          created: iso(p.created),
          last_used: iso(p.last_used),
          last_ip: p.last_ip,
        }));
        printRows(e.stdout, opts.format, ['uuid', 'name', 'created', 'last_used', 'last_ip'], rows);
      });
    });

  app
    .command('delete')
    .description('delete (revoke) an application password at once')
    .argument('<login>', 'login name')
    .argument('<uuid>', 'uuid of the application password')
    .action(async (login: string, uuid: string) => {
      await withHost(e, async (host) => {
        const owner = await userOrFail(host, login);
        if (!(await host.store.passwords.delete(owner.id, uuid))) throw new CliError(`${login} has no application password with the uuid "${uuid}".`);
        print(e.stdout, `Success: Deleted application password ${uuid}.`);
      });
    });
}
