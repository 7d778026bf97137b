import { fqdn, registryName, validationRegistryValue } from '../naming';
import type { RecordSet } from '../types';
import type { ZoneValidationRecord } from './managed-certificates';
import type { Conflict, RecordChange } from './types';

// ACM validates a public certificate's names through one CNAME per name, the same for every
// certificate of that name in the account, and renews it only while the CNAME stays ("ACM
// automatically renews your certificate as long as the certificate is in use and your CNAME record
// remains in place", ACM guide, dns-validation). The tool writes those of its own certificates,
// owned like its other names through a registry TXT beside each (records.ts deletes its leftovers).

/** TTL of the validation CNAMEs: ACM reads them rarely (at validation and renewal), so any value works; Route 53's console uses 300. */
export const VALIDATION_RECORD_TTL = 300;

/**
 * Pure: the changes that put the validation CNAMEs of one zone in place. A CNAME that already holds
 * ACM's value is left as it is, ours or not (a person may have validated the same name by hand:
 * it serves our certificate too). One holding another value is a conflict, unless it is ours.
 * Returns the names it wants, so the leftover sweep keeps them.
 */
export function planValidationRecords(
  wanted: ZoneValidationRecord[],
  records: RecordSet[],
  clusterArn: string,
  registryOwner: (txt: RecordSet) => string | undefined,
  conflicts: Conflict[],
): { changes: RecordChange[]; names: Set<string> } {
  const changes: RecordChange[] = [];
  const names = new Set<string>();
  for (const { record, certificate } of wanted) {
    const name = fqdn(record.name);
    // Certificates of the same name share their record: the first one wanting it plans it.
    if (names.has(name)) continue;
    names.add(name);
    const want: RecordSet = { name, type: 'CNAME', ttl: VALIDATION_RECORD_TTL, values: [fqdn(record.value)] };
    const existing = records.find((r) => r.name === name && r.type === 'CNAME');
    const registry = records.find((r) => r.name === registryName(name) && r.type === 'TXT');
    const owner = registry && registryOwner(registry);
    if (existing && sameValue(existing, want)) continue;
    if ((existing || registry) && owner !== clusterArn) {
      const what = existing ? `holds ${existing.values?.join(' ') ?? 'an alias'}, not ACM's ${want.values![0]}` : `has a registry record not written for this cluster`;
      conflicts.push({
        resource: `record ${name}`,
        message: `${name} ${what}: left alone, so ACM cannot validate ${record.domainName} for certificate ${certificate} until it is corrected or removed`,
      });
      continue;
    }
    changes.push({ action: existing ? 'UPSERT' : 'CREATE', record: want });
    if (!registry) changes.push({ action: 'CREATE', record: { name: registryName(name), type: 'TXT', ttl: VALIDATION_RECORD_TTL, values: [validationRegistryValue(clusterArn)] } });
  }
  return { changes, names };
}

function sameValue(a: RecordSet, b: RecordSet): boolean {
  return a.values?.length === 1 && fqdn(a.values[0]) === fqdn(b.values![0]);
}

