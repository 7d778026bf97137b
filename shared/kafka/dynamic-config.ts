// Decides the legacy AlterConfigs request that points one broker's advertised.listeners at a
// custom name (or removes that override) without losing anything. Pure.
//
// Why this is delicate: kafkajs only has the legacy AlterConfigs API, which REPLACES a broker's
// whole set of dynamic per-broker configs. So every other dynamic per-broker config must be sent
// again, unchanged; and a sensitive one (its value hidden by DescribeConfigs) cannot be, so we
// refuse rather than wipe it.
//
// Telling dynamic per-broker configs apart: DescribeConfigs v1+ reports each entry's
// config_source (DYNAMIC_BROKER_CONFIG for a per-broker override) and, with include_synonyms,
// the raw value stored in each layer. Every MSK broker (Kafka >= 2.x) answers v1+ (kafkajs uses
// v2). DescribeConfigs v0 has only is_default/read_only, and kafkajs then labels every
// non-default broker entry STATIC_BROKER_CONFIG: admin.ts maps such answers (recognisable by the
// missing synonyms list) to source 'UNKNOWN', and we refuse instead of guessing.
import { AdvertisedListenersError, replaceListener } from './advertised-listeners';

export type ConfigSourceName =
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'TOPIC_CONFIG'
  | 'UNKNOWN';

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSourceName;
}

/** One DescribeConfigs entry of a BROKER resource. */
export interface BrokerConfigEntry {
  name: string;
  /** null when sensitive (or unset). */
  value: string | null;
  isSensitive: boolean;
  readOnly: boolean;
  isDefault: boolean;
  source: ConfigSourceName;
  /** Layers, highest precedence first (empty when not requested or not reported). */
  synonyms: ConfigSynonym[];
}

export interface ConfigValue {
  name: string;
  value: string;
}

export type DynamicConfigPlan =
  | { kind: 'noop' }
  | { kind: 'alter'; configs: ConfigValue[]; before: string; after: string }
  | { kind: 'refuse'; reason: string; sensitive: string[] };

export interface WantedListener {
  listenerName: string;
  host: string;
  port: number;
}

export const ADVERTISED_LISTENERS = 'advertised.listeners';
const DYNAMIC = 'DYNAMIC_BROKER_CONFIG';

interface DynamicConfig {
  name: string;
  value: string | null;
  sensitive: boolean;
}

/**
 * The broker's dynamic per-broker configs as stored: names and raw values from the
 * DYNAMIC_BROKER_CONFIG synonyms when reported (they are the stored strings), else from the
 * entries whose own source is DYNAMIC_BROKER_CONFIG. undefined when sources are unknown.
 */
export function dynamicPerBrokerConfigs(entries: readonly BrokerConfigEntry[]): DynamicConfig[] | undefined {
  if (entries.some((e) => e.source === 'UNKNOWN')) return undefined;
  const found = new Map<string, DynamicConfig>();
  for (const e of entries) {
    for (const s of e.synonyms) {
      if (s.source === DYNAMIC && !found.has(s.name)) found.set(s.name, { name: s.name, value: s.value, sensitive: e.isSensitive || s.value === null });
    }
  }
  for (const e of entries) {
    if (e.source === DYNAMIC && !found.has(e.name)) found.set(e.name, { name: e.name, value: e.value, sensitive: e.isSensitive || e.value === null });
  }
  return [...found.values()];
}

type Resend = { ok: true; configs: ConfigValue[] } | { ok: false; plan: DynamicConfigPlan };

/** The other dynamic configs to send again, or a refusal naming the ones that cannot be. */
function resendOthers(entries: readonly BrokerConfigEntry[], purpose: string): Resend {
  const dynamic = dynamicPerBrokerConfigs(entries);
  if (!dynamic) {
    return {
      ok: false,
      plan: {
        kind: 'refuse',
        sensitive: [],
        reason:
          `cannot ${purpose}: the broker answered DescribeConfigs without config sources (protocol v0), so its ` +
          'dynamic per-broker configs cannot be told from static ones, and legacy AlterConfigs would delete them',
      },
    };
  }
  const others = dynamic.filter((d) => d.name !== ADVERTISED_LISTENERS);
  const sensitive = others.filter((d) => d.sensitive).map((d) => d.name).sort();
  if (sensitive.length) {
    return {
      ok: false,
      plan: {
        kind: 'refuse',
        sensitive,
        reason:
          `cannot ${purpose}: the broker has sensitive dynamic per-broker config(s) ${sensitive.join(', ')} whose values ` +
          'DescribeConfigs hides; legacy AlterConfigs replaces all dynamic per-broker configs and would delete them. ' +
          'Move them to the MSK configuration (or remove them) first, or use advertisedListeners: msk-configuration',
      },
    };
  }
  return { ok: true, configs: others.map((d) => ({ name: d.name, value: d.value as string })) };
}

/**
 * The plan that makes the broker advertise `wanted` for each mapped client listener: one request
 * edits every mapped entry (each surgically), the other entries stay byte for byte.
 */
export function planAdvertisedListeners(entries: readonly BrokerConfigEntry[], wanted: WantedListener | readonly WantedListener[]): DynamicConfigPlan {
  const current = entries.find((e) => e.name === ADVERTISED_LISTENERS);
  if (!current || current.value === null) {
    return { kind: 'refuse', sensitive: [], reason: 'the broker did not report a value for advertised.listeners' };
  }
  const before = current.value;
  let after = before;
  try {
    for (const w of Array.isArray(wanted) ? wanted : [wanted as WantedListener]) after = replaceListener(after, w.listenerName, w.host, w.port);
  } catch (e) {
    if (!(e instanceof AdvertisedListenersError)) throw e;
    return { kind: 'refuse', sensitive: [], reason: e.message };
  }
  if (after === before) return { kind: 'noop' };
  const others = resendOthers(entries, 'change advertised.listeners');
  if (!others.ok) return others.plan;
  return { kind: 'alter', configs: [...others.configs, { name: ADVERTISED_LISTENERS, value: after }], before, after };
}

/**
 * The plan that removes a per-broker override of advertised.listeners (so the static value, or
 * an MSK configuration's custom.advertised.listeners, applies again). noop when there is none.
 */
export function removeOverride(entries: readonly BrokerConfigEntry[]): DynamicConfigPlan {
  const current = entries.find((e) => e.name === ADVERTISED_LISTENERS);
  const dynamic = dynamicPerBrokerConfigs(entries);
  if (dynamic && !dynamic.some((d) => d.name === ADVERTISED_LISTENERS)) return { kind: 'noop' };
  const others = resendOthers(entries, 'remove the advertised.listeners override');
  if (!others.ok) return others.plan;
  const fallback = current?.synonyms.find((s) => s.source !== DYNAMIC && s.value !== null);
  return {
    kind: 'alter',
    configs: others.configs,
    before: current?.value ?? '',
    after: fallback?.value ?? '(the broker’s static advertised.listeners)',
  };
}
