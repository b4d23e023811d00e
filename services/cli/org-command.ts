import { Command, Option } from 'commander';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { OrganizationStore } from '../lib/tenancy/organizations.js';
import { ApiKeyStore } from '../lib/tenancy/api-keys.js';
import { PLANS, type PlanAddons } from '../lib/tenancy/plans.js';
import { openControlPlaneStore } from './infrastructure.js';

async function withStore<T>(fn: (orgs: OrganizationStore, keys: ApiKeyStore) => Promise<T>): Promise<T> {
  const config = loadConfig('cli', process.env);
  const sql = await openControlPlaneStore(config, createLogger('warn'));
  try {
    return await fn(new OrganizationStore(sql), new ApiKeyStore(sql));
  } finally {
    await sql.close();
  }
}

const planOption = () => new Option('--plan <plan>', 'plan').choices(Object.keys(PLANS));

function addons(opts: { extraMonitors?: string; interval30s?: boolean }): PlanAddons {
  const extra = opts.extraMonitors === undefined ? undefined : Number(opts.extraMonitors);
  if (extra !== undefined && (!Number.isInteger(extra) || extra < 0)) throw new Error('--extra-monitors must be a whole number');
  return { ...(extra ? { extraMonitors: extra } : {}), ...(opts.interval30s ? { interval30s: true } : {}) };
}

/** Operators manage tenants: each organization has a plan (and add-ons) and its own keys. */
export function orgCommands(): Command {
  const cmd = new Command('org').description('manage organizations (tenants) and their plans');
  cmd.command('create').description('create an organization and its first admin key (printed once)')
    .requiredOption('--name <name>', 'organization name')
    .addOption(planOption().default('base'))
    .option('--extra-monitors <n>', 'extra monitor add-ons')
    .option('--interval-30s', '30-second check interval add-on')
    .action(async (opts: { name: string; plan: string; extraMonitors?: string; interval30s?: boolean }) => {
      const out = await withStore(async (orgs, keys) => {
        const org = await orgs.create(opts.name, opts.plan, addons(opts));
        const { plaintext } = await keys.create(org.id, 'admin', ['*']);
        return { org, plaintext };
      });
      process.stdout.write(`${out.org.id}\t${out.org.name}\t${out.org.plan}\nAdmin API key (shown only this once): ${out.plaintext}\n`);
    });
  cmd.command('list').description('organizations with their plans').action(async () => {
    const list = await withStore((orgs) => orgs.list());
    for (const o of list) process.stdout.write(`${o.id}\t${o.name}\t${o.plan}\t${JSON.stringify(o.addons)}\n`);
  });
  cmd.command('set-plan').description('change an organization\'s plan and add-ons').argument('<org-id>')
    .addOption(planOption().makeOptionMandatory())
    .option('--extra-monitors <n>', 'extra monitor add-ons')
    .option('--interval-30s', '30-second check interval add-on')
    .action(async (id: string, opts: { plan: string; extraMonitors?: string; interval30s?: boolean }) => {
      const org = await withStore((orgs) => orgs.setPlan(id, opts.plan, addons(opts)));
      if (!org) throw new Error(`no organization ${id}`);
      process.stdout.write(`${org.id}\t${org.name}\t${org.plan}\t${JSON.stringify(org.addons)}\n`);
    });
  return cmd;
}
