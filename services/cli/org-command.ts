import { Command, Option } from 'commander';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import { OrganizationStore } from '../lib/tenancy/organizations.js';
import { createOrganizationWithAdminKey } from '../lib/tenancy/create-organization.js';
import { PLANS, type PlanAddons } from '../lib/tenancy/plans.js';
import { openControlPlaneStore } from './infrastructure.js';

async function withStore<T>(fn: (sql: SqlClient) => Promise<T>): Promise<T> {
  const config = loadConfig('cli', process.env);
  const sql = await openControlPlaneStore(config, createLogger('warn'));
  try {
    return await fn(sql);
  } finally {
    await sql.close();
  }
}

const planOption = () => new Option('--plan <plan>', 'plan').choices(Object.keys(PLANS));

export interface OrgCreateOptions {
  name: string;
  plan: string;
  extraMonitors?: string;
  interval30s?: boolean;
}

/** `pharos org create`: the organization's line, then its admin key, which is shown only here. */
export async function runOrgCreate(sql: SqlClient, opts: OrgCreateOptions): Promise<string> {
  const { organization: org, adminKey } = await createOrganizationWithAdminKey({ ctx: { sql }, input: { name: opts.name, plan: opts.plan, addons: addons(opts) } });
  return `${org.id}\t${org.name}\t${org.plan}\nAdmin API key (shown only this once): ${adminKey}\n`;
}

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
    .action(async (opts: OrgCreateOptions) => {
      process.stdout.write(await withStore((sql) => runOrgCreate(sql, opts)));
    });
  cmd.command('list').description('organizations with their plans').action(async () => {
    const list = await withStore((sql) => new OrganizationStore(sql).list());
    for (const o of list) process.stdout.write(`${o.id}\t${o.name}\t${o.plan}\t${JSON.stringify(o.addons)}\n`);
  });
  cmd.command('set-plan').description('change an organization\'s plan and add-ons').argument('<org-id>')
    .addOption(planOption().makeOptionMandatory())
    .option('--extra-monitors <n>', 'extra monitor add-ons')
    .option('--interval-30s', '30-second check interval add-on')
    .action(async (id: string, opts: { plan: string; extraMonitors?: string; interval30s?: boolean }) => {
      const org = await withStore((sql) => new OrganizationStore(sql).setPlan(id, opts.plan, addons(opts)));
      if (!org) throw new Error(`no organization ${id}`);
      process.stdout.write(`${org.id}\t${org.name}\t${org.plan}\t${JSON.stringify(org.addons)}\n`);
    });
  return cmd;
}
