// Pure: where and how a change of custom.advertised.listeners is written so that it never damages
// a configuration. The rules, in order:
// 1. Flip-flop: if the tool already set exactly this value for this cluster and a configuration
//    update has happened since (someone reverted it, or MSK rolled the tool's back), it stops with a
//    conflict: never more than one unattended rolling restart for the same value. An operator's
//    explicit --allow-rolling-restart goes ahead, saying so.
// 2. Which configuration: the cluster's own when no other cluster uses it; else (shared, or MSK's
//    defaults) the tool's dedicated one (found by its deterministic name, created when missing),
//    holding a copy of every property the cluster runs - or a refusal with sharedConfiguration: refuse.
// 3. Built from the configuration's LATEST revision, so later revisions' changes are never lost;
//    refused when the cluster runs an older revision that differs from latest in other properties.
// 4. No new revision when an existing one already holds exactly the text (a run after a failed
//    UpdateClusterConfiguration just applies it).
import type { ObservedCluster } from '../types';
import { dedicatedConfigurationName, type ObservedConfiguration } from './msk-configuration';
import { CUSTOM_ADVERTISED_LISTENERS, customEntries, differingProperties, getProperty } from './server-properties';

export type ConfigurationTarget =
  /** UpdateConfiguration on `arn` (refused at apply time if its latest is no longer `baseRevision`). */
  | { kind: 'revise'; arn: string; name: string; baseRevision: number; dedicated: boolean }
  /** CreateConfiguration of the tool's dedicated configuration for the cluster. */
  | { kind: 'create'; name: string; kafkaVersions: string[] }
  /** An existing revision already holds the text: only UpdateClusterConfiguration. */
  | { kind: 'existing'; arn: string; name: string; revision: number; dedicated: boolean };

export type ConfigurationChange =
  | { kind: 'none' }
  | { kind: 'conflict'; message: string }
  /** A configuration update is running on the cluster: nothing is decided until it has finished. */
  | { kind: 'wait'; message: string }
  | { kind: 'change'; target: ConfigurationTarget; serverProperties: string; before?: string; after?: string; notes: string[] };

export interface ConfigurationChangeInput {
  cluster: Pick<ObservedCluster, 'arn' | 'name' | 'kafkaVersion'>;
  configuration: ObservedConfiguration;
  /** The edit to make, applied to whichever text the new revision is built from. */
  edit: (serverProperties: string) => string;
  /** Listener names the tool manages (flip-flop compares only their entries). */
  listenerNames: string[];
  /** 'restore' (the rescue) skips the flip-flop guard: it is always run by hand. */
  purpose: 'advertise' | 'restore';
  sharedConfiguration: 'copy' | 'refuse';
  /** The CLI's --allow-rolling-restart, given by a person for this run. */
  operator: boolean;
}

const DONE = /COMPLETE|FAILED/;
const value = (text: string) => getProperty(text, CUSTOM_ADVERTISED_LISTENERS);
const sameEntries = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

export function planConfigurationChange(input: ConfigurationChangeInput): ConfigurationChange {
  const { cluster, configuration: current, edit, listenerNames } = input;
  const wanted = edit(current.serverProperties);
  if (value(wanted) === value(current.serverProperties)) return { kind: 'none' };
  const detail = current.detail;
  if (!detail) throw new Error('internal: the configuration detail was not read although the configuration must change');
  const notes: string[] = [];
  const runs = current.arn ? `${current.name} revision ${current.revision}` : "MSK's default configuration";

  // 1. Flip-flop.
  const last = detail.lastWrite;
  const wantedEntries = customEntries(value(wanted), listenerNames);
  const running = last?.updatesSince.filter((u) => !DONE.test(u.state)) ?? [];
  if (running.length) {
    return { kind: 'wait', message: `a configuration update is running on the cluster (${running.map((u) => `${u.operationArn} ${u.state}`).join(', ')}); ${CUSTOM_ADVERTISED_LISTENERS} is checked again once it has finished` };
  }
  if (input.purpose === 'advertise' && last && last.updatesSince.length && sameEntries(customEntries(value(last.serverProperties), listenerNames), wantedEntries)) {
    const failed = last.updatesSince.every((u) => /FAILED/.test(u.state));
    const what = failed
      ? `the rollout of that revision failed (${last.updatesSince.map((u) => `${u.operationArn} ${u.state}`).join(', ')}) and MSK kept the old value`
      : `the cluster's configuration was changed since (${last.updatesSince.length} configuration update(s)) and it now runs ${runs} without it: someone else (infrastructure as code?) reverts it`;
    const story = `the tool set ${CUSTOM_ADVERTISED_LISTENERS} entries ${[...wantedEntries.values()].join(',')} in ${last.name} revision ${last.revision} (${last.createdAt}); ${what}`;
    if (!input.operator) {
      return {
        kind: 'conflict',
        message:
          `${story}. Not restarting the brokers again unattended. Make the configuration's owner keep these entries (or stop reverting them), ` +
          `then, to set them again, run by hand: msk-custom-domain apply --cluster ${cluster.arn} --allow-rolling-restart`,
      };
    }
    notes.push(`${story}; setting them again because --allow-rolling-restart was given by hand`);
  }

  // 2. Which configuration.
  const dedicatedName = dedicatedConfigurationName(cluster);
  const others = (arn: string | undefined) => (arn ? detail.usedBy[arn] ?? [] : []);
  let base: { text: string; arn?: string; revision?: number };
  let dedicatedWhy: string | undefined;
  if (!current.arn) {
    base = { text: current.serverProperties };
    dedicatedWhy = "the cluster runs MSK's default configuration";
  } else if (others(current.arn).length) {
    const users = others(current.arn).join(', ');
    if (current.name === dedicatedName) {
      return { kind: 'conflict', message: `the tool's configuration ${current.name} for this cluster is also used by ${users}: the tool does not change it under them; give those clusters their own configuration` };
    }
    if (input.sharedConfiguration === 'refuse') {
      return {
        kind: 'conflict',
        message:
          `not changing MSK configuration ${current.name}: it is shared with ${users}, and sharedConfiguration is 'refuse'. ` +
          "Give this cluster its own configuration, or set sharedConfiguration: 'copy' to let the tool create a dedicated copy",
      };
    }
    // A copy of what this cluster runs now (not of latest: that is another cluster's business).
    base = { text: current.serverProperties };
    dedicatedWhy = `${current.name} is shared with ${users}, which stay on it untouched`;
  } else {
    // 3. Built from latest.
    const latest = detail.latest!;
    if (latest.revision !== current.revision) {
      const differ = differingProperties(current.serverProperties, latest.serverProperties).filter((k) => k !== CUSTOM_ADVERTISED_LISTENERS);
      if (differ.length) {
        return {
          kind: 'conflict',
          message:
            `MSK configuration ${current.name}: the cluster runs revision ${current.revision} but the latest is ${latest.revision}, and they differ in ${differ.join(', ')}. ` +
            'The tool builds new revisions from the latest and will not roll out those changes as a side effect: apply the latest revision to the cluster first ' +
            '(or add a revision that matches what the cluster runs)',
        };
      }
      notes.push(`built from ${current.name} revision ${latest.revision}, the latest (the cluster runs ${current.revision}; they differ only in ${CUSTOM_ADVERTISED_LISTENERS})`);
    }
    base = { text: latest.serverProperties, arn: current.arn, revision: latest.revision };
  }

  const serverProperties = edit(base.text);
  const change = (target: ConfigurationTarget): ConfigurationChange => ({
    kind: 'change',
    target,
    serverProperties,
    before: value(current.serverProperties),
    after: value(serverProperties),
    notes,
  });
  if (base.arn) {
    if (base.text === serverProperties) {
      notes.push(`${current.name} revision ${base.revision} already holds the change (written earlier, never applied): the cluster moves to it, no new revision`);
      return change({ kind: 'existing', arn: base.arn, name: current.name!, revision: base.revision!, dedicated: current.name === dedicatedName });
    }
    return change({ kind: 'revise', arn: base.arn, name: current.name!, baseRevision: base.revision!, dedicated: current.name === dedicatedName });
  }

  // The dedicated configuration.
  const dedicated = detail.dedicated;
  if (dedicated && others(dedicated.arn).length) {
    return { kind: 'conflict', message: `the tool's configuration ${dedicated.name} for this cluster is used by ${others(dedicated.arn).join(', ')}: the tool does not change it under them` };
  }
  if (!dedicated) {
    notes.push(`dedicated configuration ${dedicatedName} created for this cluster (${dedicatedWhy}), with every property the cluster runs now plus the change`);
    return change({ kind: 'create', name: dedicatedName, kafkaVersions: cluster.kafkaVersion ? [cluster.kafkaVersion] : [] });
  }
  if (dedicated.latest.serverProperties === serverProperties) {
    notes.push(`the cluster moves to the tool's dedicated configuration ${dedicated.name} revision ${dedicated.latest.revision}, which already holds the change (${dedicatedWhy})`);
    return change({ kind: 'existing', arn: dedicated.arn, name: dedicated.name, revision: dedicated.latest.revision, dedicated: true });
  }
  notes.push(`dedicated configuration ${dedicated.name} gets a revision for this cluster (${dedicatedWhy}): every property the cluster runs now plus the change`);
  return change({ kind: 'revise', arn: dedicated.arn, name: dedicated.name, baseRevision: dedicated.latest.revision, dedicated: true });
}
