import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { Document, isScalar, visit } from 'yaml';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { mergeImportedHolidays } from '../calendars/calendars.service.js';
import { CalendarsService } from '../calendars/calendars.service.js';
import { inOneTransaction, inTransaction } from '../common/ambient-transaction.js';
import { DomainError } from '../common/errors.js';
import { CustomersService } from '../customers/customers.service.js';
import {
  type DirectoryBody,
  directoryBodySchema,
  type DirectoryKey,
} from '../directory/directory.schemas.js';
import { DirectoryService } from '../directory/directory.service.js';
import { validateCalendarDefinition } from '../engine/calendar/index.js';
import { ALWAYS_OPEN_CALENDAR_ID, type HolidayDefinition } from '../engine/types.js';
import { LaddersService } from '../escalations/ladders.service.js';
import { IntegrationEntity } from '../integrations/integration.entity.js';
import {
  type CreateIntegrationInput,
  createIntegrationSchema,
  type UpdateIntegrationInput,
} from '../integrations/integration.schemas.js';
import { IntegrationsService } from '../integrations/integrations.service.js';
import { SecretBox } from '../integrations/secret-box.js';
import { verifySecretHash } from '../integrations/secret-hash.js';
import {
  supportsWriteBack,
  writeBackAuthSchemas,
  type WriteBackInput,
  writeBackTagsSchema,
} from '../integrations/write-back.schemas.js';
import { type ChannelBody, channelBodySchema } from '../notifications/channels.schemas.js';
import { ChannelsService } from '../notifications/channels.service.js';
import { canonicalJson } from '../policies/config-core/canonical-json.js';
import { normaliseTargets, PoliciesService } from '../policies/policies.service.js';
import { TiersService } from '../tiers/tiers.service.js';
import { isSecretProperty } from '../audit/audit-log.js';
import { type ConfigProblem, ConfigSource, type PathSegment } from './config-document.js';
import {
  NEW_SECRET,
  type PlanResult,
  type ResourceChange,
  STORED_SECRET,
  diffFields,
} from './config-diff.js';
import {
  type CalendarEntry,
  type ChannelEntry,
  configFileSchema,
  type DirectoryEntry,
  type IntegrationEntry,
  isSecretRef,
  orderLikeSchema,
  type PolicyEntry,
  SECTIONS,
  type Section,
} from './config-file.schema.js';

type Doc = Record<string, unknown>;

/** A resource as stored: how it compares, and how `export` writes it. */
interface Current {
  id: string;
  compare: Doc;
  file: Doc;
  /** Opened credentials (channels, integrations), to tell whether the file changes them. */
  secrets?: SecretCheck;
}

/** Whether a credential at a path (e.g. "secret", "basicAuth.password") equals a value; undefined: not stored. */
type SecretCheck = (path: string, value: string) => Promise<boolean | undefined>;

/** A resource as the file wants it: how it compares, and the body the service's write path takes. */
interface Desired {
  id: string;
  index: number;
  compare: Doc;
  body: unknown;
}

interface Plan {
  result: PlanResult;
  desired: Map<Section, Map<string, Desired>>;
  current: Map<Section, Map<string, Current>>;
}

/** A file the configuration refuses, with every problem (400), or a write a service refused (its status). */
export class ConfigRejectedError extends DomainError {
  constructor(
    readonly problems: ConfigProblem[],
    status = 400,
  ) {
    super(
      status,
      status === 400 ? 'validation_failed' : 'config_conflict',
      `The configuration file has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ` +
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      { problems },
    );
  }
}

/** Thrown inside a plan's transaction to roll back the writes it tried. */
class DryRunRollback extends Error {
  constructor(readonly plan: PlanResult) {
    super('dry run');
  }
}

export interface RunOptions {
  prune: boolean;
  /** Environment variables that credentials are read from (process.env for the CLI and the API). */
  env?: Record<string, string | undefined>;
}

/**
 * Configuration as code: export the whole SLA setup as one document, plan the changes a document makes, and
 * apply them in one transaction through the same services (and business rules, versions and audit entries) as the
 * API. Credentials in the document are environment variable names, resolved when planning and applying.
 */
@Injectable()
export class ConfigAsCodeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tiers: TiersService,
    private readonly calendars: CalendarsService,
    private readonly ladders: LaddersService,
    private readonly channels: ChannelsService,
    private readonly integrations: IntegrationsService,
    private readonly policies: PoliciesService,
    private readonly customers: CustomersService,
    private readonly directory: DirectoryService,
    @InjectRepository(IntegrationEntity) private readonly integrationRows: Repository<IntegrationEntity>,
    private readonly secretBox: SecretBox,
  ) {}

  /** The whole configuration as YAML; credentials as `{ env: NAME }` references, never values. */
  async export(): Promise<string> {
    const current = await this.readCurrent();
    const document: Doc = { version: 1 };
    for (const section of SECTIONS) {
      const element = configFileSchema.shape[section].unwrap().element as z.ZodType;
      document[section] = [...current.get(section)!.values()].map((resource) => {
        const { id, ...rest } = orderLikeSchema(resource.file, element) as Doc;
        // Directory entries have no id: their key is integrationId, kind and externalId.
        return id === undefined ? rest : { id, ...rest };
      });
    }
    const yaml = new Document(document);
    // Small leaf mappings ({ day: 1, start: '09:00', end: '17:00' }, { env: NAME }) on one line each.
    visit(yaml, {
      Map(_key, node) {
        if (node.items.length <= 4 && node.items.every((pair) => isScalar(pair.value))) node.flow = true;
      },
      Seq(_key, node) {
        if (node.items.length <= 12 && node.items.every((item) => isScalar(item))) node.flow = true;
      },
    });
    return (
      '# SLA Tracker configuration: npm run config -- plan FILE, then apply FILE.\n' +
      '# Credentials are names of environment variables ({ env: NAME }); set them before plan or apply.\n' +
      yaml.toString({ lineWidth: 0 })
    );
  }

  /** What applying the document would change; writes nothing. Throws ConfigRejectedError with every problem. */
  plan(source: ConfigSource, actor: Actor, options: RunOptions): Promise<PlanResult> {
    return this.run(source, actor, options, false);
  }

  /** Applies the document in one transaction (all or nothing); a second apply changes nothing. */
  apply(source: ConfigSource, actor: Actor, options: RunOptions): Promise<PlanResult> {
    return this.run(source, actor, options, true);
  }

  private async run(source: ConfigSource, actor: Actor, options: RunOptions, apply: boolean) {
    try {
      return await inOneTransaction(this.dataSource, async () => {
        // Configuration writes are serialised on the revision row: lock it first, so the plan reads what it changes.
        await inTransaction(this.dataSource.manager, (tx) =>
          tx.query('SELECT revision FROM config_revision WHERE id = 1 FOR UPDATE'),
        );
        const plan = await this.makePlan(source, options);
        // A plan tries the writes too (and rolls them back), so that it reports what the services would refuse.
        await this.execute(plan, actor, source);
        if (!apply) throw new DryRunRollback(plan.result);
        return { ...plan.result, applied: true };
      });
    } catch (error) {
      if (error instanceof DryRunRollback) return error.plan;
      throw error;
    }
  }

  private async makePlan(source: ConfigSource, options: RunOptions): Promise<Plan> {
    const env = options.env ?? process.env;
    const problems: ConfigProblem[] = [];
    const report = (path: PathSegment[], message: string) => problems.push(source.locate(path, message));

    const entries = this.parseSections(source, report);
    const current = await this.readCurrent();
    const present = new Set(SECTIONS.filter((s) => entries.has(s)));
    const known = (section: Section) => {
      // Entries with problems of their own still count as there, so that references to them are not reported too.
      const raw = (source.value as Doc | null)?.[section];
      const ids = new Set(
        (Array.isArray(raw) ? raw : []).flatMap((entry: unknown) => {
          const id = (entry as Doc | null)?.id;
          return typeof id === 'string' ? [entryKey(section, entry as Doc)] : [];
        }),
      );
      if (!(options.prune && present.has(section)))
        for (const id of current.get(section)!.keys()) ids.add(id);
      return ids;
    };

    const desired = new Map<Section, Map<string, Desired>>();
    for (const section of SECTIONS) {
      const list = entries.get(section);
      if (!list) continue;
      const bySection = new Map<string, Desired>();
      desired.set(section, bySection);
      for (const { index, value } of list) {
        const key = entryKey(section, value);
        if (bySection.has(key)) {
          report(
            [section, index, section === 'directory' ? 'externalId' : 'id'],
            `"${key}" appears more than once in ${section}`,
          );
          continue;
        }
        const at = (...path: PathSegment[]) => [section, index, ...path];
        const item = await this.desiredItem(section, value, current.get(section)!.get(key), env, (p, m) =>
          report(at(...p), m),
        );
        if (item) bySection.set(key, { id: key, index, ...item });
      }
    }

    this.crossCheck(desired, known, report);
    if (problems.length > 0) throw new ConfigRejectedError(problems);
    return { result: diff(desired, current, options.prune), desired, current };
  }

  /** Every section's entries, each checked on its own with the API's schema, so that all problems show at once. */
  private parseSections(
    source: ConfigSource,
    report: (path: PathSegment[], message: string) => void,
  ): Map<Section, Array<{ index: number; value: Doc }>> {
    const out = new Map<Section, Array<{ index: number; value: Doc }>>();
    const root = source.value;
    if (typeof root !== 'object' || root === null || Array.isArray(root)) {
      report([], 'the document must be a mapping with sections such as tiers, calendars and policies');
      return out;
    }
    for (const key of Object.keys(root)) {
      if (key !== 'version' && !(SECTIONS as readonly string[]).includes(key))
        report([key], `unknown section "${key}"; allowed: version, ${SECTIONS.join(', ')}`);
    }
    const version = (root as Doc).version;
    if (version !== undefined && version !== 1) report(['version'], 'only version 1 exists');
    for (const section of SECTIONS) {
      const list = (root as Doc)[section];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        report([section], `${section} must be a list`);
        continue;
      }
      const element = configFileSchema.shape[section].unwrap().element as z.ZodType;
      const parsed: Array<{ index: number; value: Doc }> = [];
      list.forEach((value, index) => {
        const result = element.safeParse(value);
        if (result.success) parsed.push({ index, value: result.data as Doc });
        else
          for (const issue of result.error.issues) report([section, index, ...pathOf(issue)], issue.message);
      });
      out.set(section, parsed);
    }
    return out;
  }

  /** One entry as the service's body, with its comparison form; credentials resolved from the environment. */
  private async desiredItem(
    section: Section,
    entry: Doc,
    current: Current | undefined,
    env: Record<string, string | undefined>,
    report: (path: PathSegment[], message: string) => void,
  ): Promise<{ compare: Doc; body: unknown } | null> {
    const { id: _id, ...rest } = entry;
    switch (section) {
      case 'tiers': {
        const body = { ...rest, description: (rest.description as string | null | undefined) ?? null };
        return { compare: body, body };
      }
      case 'calendars': {
        const { importHolidays, ...calendar } = rest as Omit<CalendarEntry, 'id'>;
        if (entry.id === ALWAYS_OPEN_CALENDAR_ID) {
          report(['id'], `"${ALWAYS_OPEN_CALENDAR_ID}" is the built-in 24/7 calendar; choose another id`);
          return null;
        }
        let holidays: HolidayDefinition[] = calendar.holidays;
        let ok = true;
        (importHolidays ?? []).forEach((spec, j) => {
          try {
            holidays = mergeImportedHolidays({ weekly: calendar.weekly, holidays }, spec).holidays;
          } catch (error) {
            report(['importHolidays', j], (error as Error).message);
            ok = false;
          }
        });
        const body = { ...calendar, holidays };
        for (const problem of validateCalendarDefinition({ id: entry.id as string, ...body }))
          report([], problem);
        return ok ? { compare: body, body } : null;
      }
      case 'ladders':
        return { compare: rest, body: rest };
      case 'policies': {
        const policy = rest as Omit<PolicyEntry, 'id'>;
        return { compare: { ...policy, targets: normaliseTargets(policy.targets) }, body: policy };
      }
      case 'customers': {
        const body = {
          customerId: entry.id as string,
          integrationId: (rest.integrationId as string | null | undefined) ?? null,
          name: (rest.name as string | null | undefined) ?? null,
          tier: rest.tier,
        };
        return { compare: { tier: body.tier, name: body.name }, body };
      }
      case 'channels':
        return this.desiredChannel(rest as Omit<ChannelEntry, 'id'>, current, env, report);
      case 'integrations':
        return this.desiredIntegration(entry as IntegrationEntry, current, env, report);
      case 'directory': {
        const { integrationId, kind, externalId, ...fields } = entry as DirectoryEntry;
        const result = directoryBodySchema.safeParse(fields);
        if (!result.success) {
          for (const issue of result.error.issues) report(pathOf(issue), issue.message);
          return null;
        }
        const body = result.data;
        return {
          compare: { name: body.name ?? null, email: body.email ?? null, channelId: body.channelId ?? null },
          body: { key: { integrationId, kind, externalId }, body } satisfies DirectoryWrite,
        };
      }
    }
  }

  private async desiredChannel(
    entry: Omit<ChannelEntry, 'id'>,
    current: Current | undefined,
    env: Record<string, string | undefined>,
    report: (path: PathSegment[], message: string) => void,
  ): Promise<{ compare: Doc; body: unknown } | null> {
    const resolved = resolveSecrets(entry, env, report);
    if (!resolved) return null;
    const result = channelBodySchema.safeParse(resolved);
    if (!result.success) {
      for (const issue of result.error.issues) report(pathOf(issue), issue.message);
      return null;
    }
    const body = result.data as ChannelBody & Doc;
    return { compare: (await maskSecrets(body, current?.secrets)) as Doc, body };
  }

  private async desiredIntegration(
    entry: IntegrationEntry,
    current: Current | undefined,
    env: Record<string, string | undefined>,
    report: (path: PathSegment[], message: string) => void,
  ): Promise<{ compare: Doc; body: unknown } | null> {
    const resolved = resolveSecrets(entry as unknown as Doc, env, report);
    if (!resolved) return null;
    // `writeBack: null` is the file's way to say "none"; the API's create body just leaves it out.
    const { writeBack: _none, ...withoutWriteBack } = resolved;
    const result = createIntegrationSchema.safeParse(resolved.writeBack ? resolved : withoutWriteBack);
    if (!result.success) {
      for (const issue of result.error.issues) report(pathOf(issue), issue.message);
      return null;
    }
    const input = result.data;
    if (current && current.compare.provider !== input.provider) {
      report(
        ['provider'],
        `integration "${entry.id}" is a ${String(current.compare.provider)} integration; the provider cannot change ` +
          '(its stored deliveries were written by it). Use a new id, or delete it first.',
      );
      return null;
    }
    const secrets = current?.secrets;
    let writeBack: Doc | null = null;
    if (input.writeBack) {
      const checked = await desiredWriteBack(input.provider, input.writeBack, secrets, report);
      if (!checked) return null;
      input.writeBack = checked.body;
      writeBack = checked.compare;
    }
    const compare: Doc = {
      name: input.name,
      provider: input.provider,
      mapping: input.mapping,
      replayWindowSeconds: input.replayWindowSeconds ?? null,
      secret: input.secret ? await secretMarker(secrets, 'secret', input.secret) : null,
      basicAuth: input.basicAuth
        ? {
            username: input.basicAuth.username,
            password: await secretMarker(secrets, 'basicAuth.password', input.basicAuth.password),
          }
        : null,
      secretHeader: input.secretHeader
        ? {
            name: input.secretHeader.name.toLowerCase(),
            value: await secretMarker(secrets, 'secretHeader.value', input.secretHeader.value),
          }
        : null,
      writeBack,
    };
    return { compare, body: input };
  }

  /** References between resources: to tiers, calendars, ladders and channels the database will have. */
  private crossCheck(
    desired: Map<Section, Map<string, Desired>>,
    known: (section: Section) => Set<string>,
    report: (path: PathSegment[], message: string) => void,
  ): void {
    const tiers = known('tiers');
    const calendars = known('calendars');
    const ladders = known('ladders');
    const channels = known('channels');
    const unknown = (what: string, id: string, where: Section) =>
      `refers to ${what} "${id}", which is neither in the file's ${where} nor ${
        where === 'calendars' ? 'built in or ' : ''
      }in the database`;

    const defaults = [...(desired.get('tiers')?.values() ?? [])].filter((t) => t.compare.isDefault);
    for (const extra of defaults.slice(1))
      report(
        ['tiers', extra.index, 'isDefault'],
        `only one tier can be the default ("${defaults[0].id}" is)`,
      );

    const positions = new Map<number, string>();
    for (const policy of desired.get('policies')?.values() ?? []) {
      const body = policy.body as Omit<PolicyEntry, 'id'>;
      (body.conditions.tiers ?? []).forEach((tier, i) => {
        if (!tiers.has(tier))
          report(['policies', policy.index, 'conditions', 'tiers', i], unknown('tier', tier, 'tiers'));
      });
      for (const [priority, byMetric] of Object.entries(body.targets)) {
        for (const [metric, target] of Object.entries(byMetric ?? {})) {
          const at = ['policies', policy.index, 'targets', priority, metric];
          if (
            target?.calendarId &&
            target.calendarId !== ALWAYS_OPEN_CALENDAR_ID &&
            !calendars.has(target.calendarId)
          )
            report([...at, 'calendarId'], unknown('calendar', target.calendarId, 'calendars'));
          if (target?.ladderId && !ladders.has(target.ladderId))
            report([...at, 'ladderId'], unknown('ladder', target.ladderId, 'ladders'));
        }
      }
      if (body.active) {
        const holder = positions.get(body.position);
        if (holder)
          report(
            ['policies', policy.index, 'position'],
            `position ${body.position} is taken by active policy "${holder}"; active policies need distinct positions`,
          );
        else positions.set(body.position, policy.id);
      }
    }
    for (const ladder of desired.get('ladders')?.values() ?? []) {
      const body = ladder.body as {
        tiers: string[];
        steps: Array<{ notify: Array<{ type: string; id?: string }> }>;
      };
      body.tiers.forEach((tier, i) => {
        if (!tiers.has(tier)) report(['ladders', ladder.index, 'tiers', i], unknown('tier', tier, 'tiers'));
      });
      body.steps.forEach((step, s) =>
        step.notify.forEach((recipient, r) => {
          if (recipient.type === 'channel' && recipient.id && !channels.has(recipient.id))
            report(
              ['ladders', ladder.index, 'steps', s, 'notify', r, 'id'],
              unknown('channel', recipient.id, 'channels'),
            );
        }),
      );
    }
    for (const customer of desired.get('customers')?.values() ?? []) {
      const tier = (customer.body as { tier: string }).tier;
      if (!tiers.has(tier)) report(['customers', customer.index, 'tier'], unknown('tier', tier, 'tiers'));
    }
    const integrations = known('integrations');
    for (const entry of desired.get('directory')?.values() ?? []) {
      const { key, body } = entry.body as DirectoryWrite;
      if (!integrations.has(key.integrationId))
        report(
          ['directory', entry.index, 'integrationId'],
          unknown('integration', key.integrationId, 'integrations'),
        );
      if (body.channelId !== undefined && !channels.has(body.channelId))
        report(['directory', entry.index, 'channelId'], unknown('channel', body.channelId, 'channels'));
    }
  }

  /** The writes, through each module's own service, in dependency order; deletes in reverse. */
  private async execute(plan: Plan, actor: Actor, source: ConfigSource): Promise<void> {
    const changes = new Map(plan.result.changes.map((c) => [`${c.section}\u0000${c.id}`, c]));
    const pending = (section: Section) =>
      [...(plan.desired.get(section)?.values() ?? [])].filter((d) => changes.has(`${section}\u0000${d.id}`));
    const guard = async (path: PathSegment[], work: () => Promise<unknown>, deleting?: string) => {
      try {
        await work();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const status = error.status === 400 ? 400 : 409;
        const message = deleting ? `cannot delete "${deleting}": ${error.message}` : error.message;
        throw new ConfigRejectedError([source.locate(path, message)], status);
      }
    };
    const deletes = plan.result.changes.filter((c) => c.action === 'delete');
    const remove = async (section: Section) => {
      for (const change of deletes.filter((c) => c.section === section))
        await guard([section], () => this.remove(section, change.id, plan.current, actor), change.id);
    };

    for (const section of ['tiers', 'calendars', 'ladders', 'channels', 'integrations'] as const) {
      for (const item of pending(section))
        await guard([section, item.index], () =>
          this.write(section, item, plan.current.get(section)!.get(item.id), actor),
        );
    }
    // Policies that give up a position go before those that take it, so a chain of moves applies in one go (a swap
    // of two positions is refused like in the API: move one to a free position first).
    await remove('policies');
    for (const item of orderByPosition(pending('policies'), plan.current.get('policies')!))
      await guard(['policies', item.index], () => this.write('policies', item, undefined, actor));
    for (const section of ['customers', 'directory'] as const)
      for (const item of pending(section))
        await guard([section, item.index], () => this.write(section, item, undefined, actor));
    for (const section of [
      'directory',
      'customers',
      'integrations',
      'channels',
      'ladders',
      'calendars',
      'tiers',
    ] as const)
      await remove(section);
  }

  private async write(section: Section, item: Desired, current: Current | undefined, actor: Actor) {
    const id = item.id;
    switch (section) {
      case 'tiers':
        return this.tiers.put(id, item.body as Parameters<TiersService['put']>[1], actor);
      case 'calendars':
        return this.calendars.put(id, item.body as Parameters<CalendarsService['put']>[1], actor);
      case 'ladders':
        return this.ladders.put(id, item.body as Parameters<LaddersService['put']>[1], actor);
      case 'channels':
        return this.channels.put(id, item.body as ChannelBody, actor);
      case 'policies':
        return this.policies.put(id, item.body as Parameters<PoliciesService['put']>[1], actor);
      case 'customers': {
        const { customerId, ...body } = item.body as Parameters<CustomersService['put']>[1] & {
          customerId: string;
        };
        return this.customers.put(customerId, body, actor);
      }
      case 'integrations': {
        const input = item.body as CreateIntegrationInput;
        if (!current) return this.integrations.create(input, actor);
        return this.integrations.update(id, integrationUpdate(input, current.compare, item.compare), actor);
      }
      case 'directory': {
        const { key, body } = item.body as DirectoryWrite;
        return this.directory.put(key, body, actor);
      }
    }
  }

  private async remove(
    section: Section,
    id: string,
    current: Map<Section, Map<string, Current>>,
    actor: Actor,
  ): Promise<void> {
    switch (section) {
      case 'tiers':
        return this.tiers.remove(id, actor);
      case 'calendars':
        return this.calendars.remove(id, actor);
      case 'ladders':
        return this.ladders.remove(id, actor);
      case 'channels':
        return this.channels.remove(id, actor);
      case 'integrations':
        return this.integrations.remove(id, false, actor);
      case 'policies':
        return this.policies.remove(id, actor);
      case 'customers': {
        const file = current.get('customers')!.get(id)!.file;
        return this.customers.remove(file.id as string, (file.integrationId as string) ?? null, actor);
      }
      case 'directory': {
        const { integrationId, kind, externalId } = current.get('directory')!.get(id)!.file as DirectoryKey;
        return this.directory.remove({ integrationId, kind, externalId }, actor);
      }
    }
  }

  /** Everything stored, per section, keyed like the file (customers by id and integration). */
  private async readCurrent(): Promise<Map<Section, Map<string, Current>>> {
    const out = new Map<Section, Map<string, Current>>(SECTIONS.map((s) => [s, new Map()]));
    const put = (section: Section, item: Current) => out.get(section)!.set(item.id, item);

    for (const tier of await this.tiers.list()) {
      const compare = { name: tier.name, description: tier.description, isDefault: tier.isDefault };
      put('tiers', {
        id: tier.id,
        compare,
        file: compact({
          id: tier.id,
          name: tier.name,
          description: tier.description,
          isDefault: tier.isDefault || undefined,
        }),
      });
    }
    for (const calendar of await this.calendars.list()) {
      if (calendar.builtIn) continue;
      const weekly = calendar.weekly.map(({ day, start, end }) => ({ day, start, end }));
      const holidays = calendar.holidays.map(({ date, name, intervals }) =>
        compact({ date, name, intervals: intervals?.map(({ start, end }) => ({ start, end })) }),
      );
      const content = {
        name: calendar.name,
        timeZone: calendar.timeZone,
        alwaysOpen: calendar.alwaysOpen,
        weekly,
        holidays,
      };
      put('calendars', {
        id: calendar.id,
        compare: content,
        file: compact({ id: calendar.id, ...content, alwaysOpen: calendar.alwaysOpen || undefined }),
      });
    }
    for (const ladder of await this.ladders.list()) {
      const content = { name: ladder.name, tiers: ladder.tiers, steps: ladder.steps };
      put('ladders', { id: ladder.id, compare: content, file: { id: ladder.id, ...content } });
    }
    for (const channel of await this.channels.list()) {
      const opened = ((await this.channels.open(channel.id)) ?? {}) as unknown as Doc;
      const shape = channelShape(channel.type);
      const compare: Doc = {};
      const file: Doc = { id: channel.id };
      for (const key of Object.keys(shape)) {
        if (isSecretProperty(key)) {
          if (opened[key] === null || opened[key] === undefined) continue;
          compare[key] = STORED_SECRET;
          file[key] = { env: envName(channel.id, `CHANNEL_${constantCase(key)}`) };
        } else if (key in channel) {
          compare[key] = (channel as unknown as Doc)[key];
          file[key] = compare[key];
        }
      }
      put('channels', {
        id: channel.id,
        compare,
        file,
        secrets: async (path, value) =>
          opened[path] === null || opened[path] === undefined ? undefined : opened[path] === value,
      });
    }
    for (const row of await this.integrationRows.find({ order: { id: 'ASC' } })) {
      put('integrations', this.currentIntegration(row));
    }
    for (const policy of await this.policies.list()) {
      const content = {
        name: policy.name,
        position: policy.position,
        active: policy.active,
        conditions: policy.conditions,
        targets: policy.targets,
      };
      put('policies', {
        id: policy.id,
        compare: content,
        file: compact({
          id: policy.id,
          ...content,
          active: policy.active ? undefined : false,
          conditions: Object.keys(policy.conditions).length > 0 ? policy.conditions : undefined,
        }),
      });
    }
    for (const customer of await this.customers.list({})) {
      const key = customerKey(customer.id, customer.integrationId);
      put('customers', {
        id: key,
        compare: { tier: customer.tier, name: customer.name },
        file: compact({
          id: customer.id,
          integrationId: customer.integrationId,
          name: customer.name,
          tier: customer.tier,
        }),
      });
    }
    for (const entry of await this.directory.list({})) {
      const { integrationId, kind, externalId } = entry;
      const content = { name: entry.name, email: entry.email, channelId: entry.channelId };
      put('directory', {
        id: directoryKey({ integrationId, kind, externalId }),
        compare: content,
        file: compact({ integrationId, kind, externalId, ...content }),
      });
    }
    return out;
  }

  private currentIntegration(row: IntegrationEntity): Current {
    const id = row.id;
    const basicAuth = row.basicAuthPasswordHash !== null;
    const header = row.secretHeaderValueHash !== null;
    // The write-back credentials are sealed as one JSON object: opened to compare, never shown.
    const writeBack = row.writeBack;
    const auth = writeBack
      ? (JSON.parse(this.secretBox.open(writeBack.authSealed)) as Record<string, string>)
      : null;
    const authFields = Object.keys(auth ?? {});
    const defaultTags = canonicalJson(writeBack?.tags) === canonicalJson(writeBackTagsSchema.parse({}));
    return {
      id,
      compare: {
        name: row.name,
        provider: row.provider,
        mapping: row.mapping,
        replayWindowSeconds: row.replayWindowSeconds,
        secret: row.signingSecretSealed !== null ? STORED_SECRET : null,
        basicAuth: basicAuth ? { username: row.basicAuthUsername, password: STORED_SECRET } : null,
        secretHeader: header ? { name: row.secretHeaderName, value: STORED_SECRET } : null,
        writeBack: writeBack
          ? {
              baseUrl: writeBack.baseUrl,
              tags: writeBack.tags,
              auth: Object.fromEntries(authFields.map((field) => [field, STORED_SECRET])),
            }
          : null,
      },
      file: compact({
        id,
        name: row.name,
        provider: row.provider,
        secret: row.signingSecretSealed !== null ? { env: envName(id, 'SECRET') } : undefined,
        basicAuth: basicAuth
          ? { username: row.basicAuthUsername, password: { env: envName(id, 'BASIC_AUTH_PASSWORD') } }
          : undefined,
        secretHeader: header
          ? { name: row.secretHeaderName, value: { env: envName(id, 'SECRET_HEADER') } }
          : undefined,
        mapping: row.mapping,
        replayWindowSeconds: row.replayWindowSeconds,
        writeBack: writeBack
          ? compact({
              baseUrl: writeBack.baseUrl,
              auth: Object.fromEntries(
                authFields.map((field) => [field, { env: envName(id, `WRITEBACK_${constantCase(field)}`) }]),
              ),
              tags: defaultTags ? undefined : writeBack.tags,
            })
          : undefined,
      }),
      secrets: async (path, value) => {
        if (path.startsWith(WRITE_BACK_AUTH)) {
          const stored = auth?.[path.slice(WRITE_BACK_AUTH.length)];
          return stored === undefined ? undefined : stored === value;
        }
        if (path === 'secret')
          return row.signingSecretSealed === null
            ? undefined
            : this.secretBox.open(row.signingSecretSealed) === value;
        const hash = path === 'basicAuth.password' ? row.basicAuthPasswordHash : row.secretHeaderValueHash;
        return hash === null ? undefined : verifySecretHash(value, hash);
      },
    };
  }
}

/** The plan: per section in the file, create / update (with the fields) / unchanged; deletes only with prune. */
function diff(
  desired: Map<Section, Map<string, Desired>>,
  current: Map<Section, Map<string, Current>>,
  prune: boolean,
): PlanResult {
  const changes: ResourceChange[] = [];
  const kept: PlanResult['kept'] = [];
  let unchanged = 0;
  for (const section of SECTIONS) {
    const wanted = desired.get(section);
    if (!wanted) continue;
    const stored = current.get(section)!;
    for (const item of wanted.values()) {
      const existing = stored.get(item.id);
      if (!existing) changes.push({ section, id: item.id, action: 'create', fields: [] });
      else if (canonicalJson(existing.compare) === canonicalJson(item.compare)) unchanged++;
      else
        changes.push({
          section,
          id: item.id,
          action: 'update',
          fields: diffFields(existing.compare, item.compare),
        });
    }
    for (const id of stored.keys()) {
      if (wanted.has(id)) continue;
      if (prune) changes.push({ section, id, action: 'delete', fields: [] });
      else kept.push({ section, id });
    }
  }
  const count = (action: ResourceChange['action']) => changes.filter((c) => c.action === action).length;
  return {
    applied: false,
    prune,
    changes,
    unchanged,
    kept,
    summary: { create: count('create'), update: count('update'), delete: count('delete') },
  };
}

/** Policies whose position another one holds now wait until that one has moved or been deactivated. */
function orderByPosition(items: Desired[], current: Map<string, Current>): Desired[] {
  const held = new Map<number, string>();
  for (const policy of current.values())
    if (policy.compare.active) held.set(policy.compare.position as number, policy.id);
  const ordered: Desired[] = [];
  const waiting = [...items];
  while (waiting.length > 0) {
    const next = waiting.findIndex((item) => {
      const body = item.body as { position: number; active: boolean };
      const holder = held.get(body.position);
      return !body.active || holder === undefined || holder === item.id;
    });
    const [item] = waiting.splice(next === -1 ? 0 : next, 1);
    for (const [position, id] of held) if (id === item.id) held.delete(position);
    const body = item.body as { position: number; active: boolean };
    if (body.active) held.set(body.position, item.id);
    ordered.push(item);
  }
  return ordered;
}

/** What an integration PUT needs: the fields that change, credentials only when they change (or go). */
function integrationUpdate(input: CreateIntegrationInput, before: Doc, after: Doc): UpdateIntegrationInput {
  const changed = (key: string) => canonicalJson(before[key]) !== canonicalJson(after[key]);
  const update: UpdateIntegrationInput = {};
  if (changed('name')) update.name = input.name;
  if (changed('mapping')) update.mapping = input.mapping;
  if (changed('replayWindowSeconds')) update.replayWindowSeconds = input.replayWindowSeconds ?? null;
  if (changed('secret')) update.secret = input.secret ?? null;
  if (changed('basicAuth')) update.basicAuth = input.basicAuth ?? null;
  if (changed('secretHeader')) update.secretHeader = input.secretHeader ?? null;
  if (changed('writeBack')) {
    const writeBack = input.writeBack;
    const auth = (doc: unknown) => canonicalJson((doc as Doc | null)?.auth);
    // Credentials that match the stored ones are left out, so the API keeps them (and the audit shows no change).
    update.writeBack = !writeBack
      ? null
      : auth(before.writeBack) === auth(after.writeBack)
        ? { baseUrl: writeBack.baseUrl, tags: writeBack.tags }
        : writeBack;
  }
  return update;
}

const WRITE_BACK_AUTH = 'writeBack.auth.';

/** A directory entry as the directory service writes it. */
interface DirectoryWrite {
  key: DirectoryKey;
  body: DirectoryBody;
}

/**
 * Write-back settings checked against the provider as the API checks them (its `auth` fields, named but never
 * echoed), with the comparison form: each credential `(stored secret)` when it equals the sealed one.
 */
async function desiredWriteBack(
  provider: CreateIntegrationInput['provider'],
  writeBack: WriteBackInput,
  secrets: SecretCheck | undefined,
  report: (path: PathSegment[], message: string) => void,
): Promise<{ body: WriteBackInput; compare: Doc } | null> {
  if (!supportsWriteBack(provider)) {
    report(
      ['writeBack'],
      `write-back is not available for provider "${provider}": it has no helpdesk API to write to`,
    );
    return null;
  }
  const schema = writeBackAuthSchemas[provider];
  const parsed = schema.safeParse(writeBack.auth ?? {});
  if (!parsed.success) {
    const fields = Object.keys(schema.shape).join(', ');
    for (const issue of parsed.error.issues) {
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      report(
        ['writeBack', 'auth', ...pathOf(issue)],
        missing
          ? `${provider} write-back takes ${fields}: add ${String(issue.path[0])} as { env: NAME }`
          : `${issue.message} (${provider} write-back takes ${fields})`,
      );
    }
    return null;
  }
  const auth = parsed.data as Record<string, string>;
  const markers: Doc = {};
  for (const [field, value] of Object.entries(auth))
    markers[field] = await secretMarker(secrets, `${WRITE_BACK_AUTH}${field}`, value);
  return {
    body: { ...writeBack, auth },
    compare: { baseUrl: writeBack.baseUrl, tags: writeBack.tags, auth: markers },
  };
}

/** Replaces `{ env: NAME }` at credential properties (at any depth) by the variable's value; reports unset ones. */
function resolveSecrets(
  value: Doc,
  env: Record<string, string | undefined>,
  report: (path: PathSegment[], message: string) => void,
  path: PathSegment[] = [],
): Doc | null {
  let ok = true;
  const out: Doc = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'id' && path.length === 0) {
      out[key] = field;
    } else if (isSecretRef(field) && holdsCredential(path, key)) {
      const resolved = env[field.env];
      if (resolved === undefined || resolved === '') {
        report([...path, key, 'env'], `environment variable ${field.env} is not set`);
        ok = false;
      } else out[key] = resolved;
    } else if (typeof field === 'object' && field !== null && !Array.isArray(field)) {
      const inner = resolveSecrets(field as Doc, env, report, [...path, key]);
      if (!inner) ok = false;
      else out[key] = inner;
    } else out[key] = field;
  }
  return ok ? out : null;
}

/**
 * Where the file has `{ env: NAME }`: the credential properties, the value of an integration's secretHeader, and
 * every field of its write-back `auth` (sealed as a whole by the API).
 */
function holdsCredential(path: PathSegment[], key: string): boolean {
  return (
    isSecretProperty(key) ||
    (key === 'value' && path.at(-1) === 'secretHeader') ||
    (path.at(-1) === 'auth' && path.at(-2) === 'writeBack')
  );
}

/** A copy with every credential (at any depth) replaced by its marker, so that a plan never shows a value. */
async function maskSecrets(value: unknown, check: SecretCheck | undefined, path = ''): Promise<unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Doc = {};
  for (const [key, field] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    out[key] =
      isSecretProperty(key) && typeof field === 'string'
        ? await secretMarker(check, at, field)
        : await maskSecrets(field, check, at);
  }
  return out;
}

async function secretMarker(check: SecretCheck | undefined, path: string, value: string): Promise<string> {
  return (await check?.(path, value)) ? STORED_SECRET : NEW_SECRET;
}

function channelShape(type: string): Record<string, unknown> {
  const kind = channelBodySchema.options.find((option) => option.shape.type.value === type);
  return (kind?.shape ?? {}) as Record<string, unknown>;
}

function entryKey(section: Section, entry: Doc): string {
  if (section === 'directory') return directoryKey(entry as DirectoryKey);
  return section === 'customers'
    ? customerKey(entry.id as string, (entry.integrationId as string | null | undefined) ?? null)
    : (entry.id as string);
}

/** Directory entries are keyed like their API path and audit entries: "zendesk/agent/381". */
function directoryKey(key: DirectoryKey): string {
  return `${key.integrationId}/${key.kind}/${key.externalId}`;
}

/** Customers are keyed by id and integration: "acme" (all integrations) or "acme@zendesk". */
function customerKey(id: string, integrationId: string | null): string {
  return integrationId ? `${id}@${integrationId}` : id;
}

/** `acme-zendesk` + `SECRET` → `ACME_ZENDESK_SECRET`. */
export function envName(id: string, suffix: string): string {
  const base = constantCase(id);
  return `${/^[0-9]/.test(base) ? '_' : ''}${base}_${suffix}`;
}

function constantCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_');
}

function compact(value: Doc): Doc {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null));
}

function pathOf(issue: z.core.$ZodIssue): PathSegment[] {
  return issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
}
