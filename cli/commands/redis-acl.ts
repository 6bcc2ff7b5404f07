// `licmon redis-acl`: print a Redis ACL file with one least-privilege user per role (gateway,
// collector, admin) for a key prefix, and the users of Redis' own replicas and Sentinels when it
// is replicated. Passwords come from the environment and are written hashed.
import { ACL_ROLES, ACL_SERVER_ROLES, aclUser, DEV_ACL_PASSWORDS, renderAclFile, type AclPasswords, type AclRole, type AclServerRole } from '../../shared/auth/redis-acl.ts';
import { GatewayConfigSchema } from '../../shared/config.ts';
import { ExitCode, parseCommandArgs, UsageError, type Command } from '../command.ts';

const ENV: Record<AclRole | AclServerRole, string> = {
  gateway: 'REDIS_ACL_GATEWAY_PASSWORD',
  collector: 'REDIS_ACL_COLLECTOR_PASSWORD',
  admin: 'REDIS_ACL_ADMIN_PASSWORD',
  replica: 'REDIS_ACL_REPLICA_PASSWORD',
  sentinel: 'REDIS_ACL_SENTINEL_PASSWORD',
};

const USAGE = `Usage: licmon redis-acl [--prefix PREFIX] [--dev] > users.acl

Print a Redis ACL file (for redis-server --aclfile) with one user per role, each allowed only
the commands, keys and channels its role needs under the key prefix:
  ${aclUser('gateway')}    reads streams, snapshots, usage history and API keys, subscribes; writes only its presence
  ${aclUser('collector')}  publishes (streams, snapshots, channels), records usage history, keeps its queue and alert state
  ${aclUser('admin')}      licmon keys: creates, lists and revokes API keys
and, for a replicated Redis (Sentinel), only when their passwords are set:
  ${aclUser('replica')}    replicas sync from the master as this user (masteruser)
  ${aclUser('sentinel')}   Sentinels monitor and fail over the nodes as this user (sentinel auth-user)
The default user may only PING. Passwords are stored as SHA-256 hashes.

Options:
  --prefix PREFIX  the key prefix (default: REDIS_KEY_PREFIX, else licmon)
  --dev            use the development passwords of deploy/redis/users.acl instead of the environment
  -h, --help       show this help

Environment (unless --dev): ${ACL_ROLES.map((r) => ENV[r]).join(', ')}; optionally ${ACL_SERVER_ROLES.map((r) => ENV[r]).join(', ')}.
Then connect each process as its user, e.g. REDIS_URL=redis://${aclUser('gateway')}:PASSWORD@host:6379.
`;

export const redisAclCommand: Command = {
  usage: USAGE,
  async run(args) {
    const { values } = parseCommandArgs({ args, options: { prefix: { type: 'string' }, dev: { type: 'boolean' } } });
    const prefix = GatewayConfigSchema.shape.REDIS_KEY_PREFIX.safeParse(values.prefix ?? process.env.REDIS_KEY_PREFIX ?? undefined);
    if (!prefix.success) throw new UsageError('--prefix: 1-64 characters of letters, digits, ":", "_", "." or "-"');
    const passwords = values.dev ? DEV_ACL_PASSWORDS : fromEnvironment();
    process.stdout.write(renderAclFile(prefix.data, passwords));
    return ExitCode.OK;
  },
};

function fromEnvironment(): AclPasswords {
  const missing = ACL_ROLES.filter((role) => !process.env[ENV[role]]);
  if (missing.length > 0) throw new UsageError(`set ${missing.map((r) => ENV[r]).join(', ')} (or use --dev for a local cluster)`);
  const given = [...ACL_ROLES, ...ACL_SERVER_ROLES].filter((role) => process.env[ENV[role]]);
  for (const role of given) {
    if (/\s/.test(process.env[ENV[role]]!)) throw new UsageError(`${ENV[role]}: a password cannot contain whitespace`);
  }
  return Object.fromEntries(given.map((role) => [role, process.env[ENV[role]]!])) as AclPasswords;
}
