import type { MappedListener } from '../listeners';
import { hostName, type Role } from '../naming';

// Managed mode groups a listener's names into certificates by slot: the bootstrap name is slot 0,
// broker N's name slot N. Block k holds slots k*size .. k*size+size-1, whether those brokers exist
// or not, so membership never changes: a scale-out within a block needs no new certificate, and one
// into a new block requests only that block's. (docs/certificates.md has the reasoning and numbers.)

type Names = Pick<MappedListener, 'endpoints' | 'bootstrapHost' | 'brokerHostTemplate' | 'domain'>;

export function slotOf(role: Role): number {
  return role === 'bootstrap' ? 0 : role.brokerId;
}

export function blockOf(role: Role, size: number): number {
  return Math.floor(slotOf(role) / size);
}

/**
 * Every name block `block` of a listener covers, first the one ACM makes the subject. A
 * bootstrap-only listener publishes one name, so its only block is that name.
 */
export function blockNames(listener: Names, block: number, size: number): string[] {
  if (listener.endpoints === 'bootstrap-only') return block === 0 ? [hostName(listener, 'bootstrap')] : [];
  return Array.from({ length: size }, (_, i) => block * size + i).map((slot) => hostName(listener, slot === 0 ? 'bootstrap' : { brokerId: slot }));
}

/** Whether a certificate's names are exactly a block's (order aside): it need not be replaced. */
export function sameNames(a: string[], b: string[]): boolean {
  const norm = (names: string[]) => [...new Set(names.map((n) => n.toLowerCase()))].sort().join(',');
  return norm(a) === norm(b);
}
