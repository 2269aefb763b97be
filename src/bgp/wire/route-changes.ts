import type { AddressFamily } from './context.ts';
import type { UpdateMessage } from './messages/update.ts';
import type { PathAttributes } from './path-attributes.ts';
import type { Prefix } from './prefix.ts';

/** What one UPDATE does to one family's routes, after RFC 7606 error handling. */
export interface RouteChanges {
  readonly family: AddressFamily;
  /** Prefixes (re)announced with `attributes`. */
  readonly announced: readonly Prefix[];
  readonly withdrawn: readonly Prefix[];
}

/**
 * The route changes of a decoded UPDATE, per family. With a treat-as-withdraw
 * error (RFC 7606 §2) the announced prefixes count as withdrawn. Families
 * kept as raw octets are left out.
 */
export function routeChangesOf(update: UpdateMessage): {
  changes: RouteChanges[];
  attributes: PathAttributes;
} {
  const treatAsWithdraw = update.errors?.some((e) => e.action === 'treat-as-withdraw') === true;
  const byFamily = new Map<AddressFamily, { announced: Prefix[]; withdrawn: Prefix[] }>();
  const entry = (family: AddressFamily) => {
    let found = byFamily.get(family);
    if (found === undefined) {
      found = { announced: [], withdrawn: [] };
      byFamily.set(family, found);
    }
    return found;
  };
  const announce = (family: AddressFamily, prefixes: readonly Prefix[]) => {
    if (prefixes.length === 0) return;
    const target = entry(family);
    (treatAsWithdraw ? target.withdrawn : target.announced).push(...prefixes);
  };
  const withdraw = (family: AddressFamily, prefixes: readonly Prefix[]) => {
    if (prefixes.length > 0) entry(family).withdrawn.push(...prefixes);
  };
  withdraw('ipv4-unicast', update.withdrawn);
  const { mpReach, mpUnreach } = update.attributes;
  if (mpUnreach !== undefined && mpUnreach.family !== 'other')
    withdraw(mpUnreach.family, mpUnreach.withdrawn);
  announce('ipv4-unicast', update.nlri);
  if (mpReach !== undefined && mpReach.family !== 'other') announce(mpReach.family, mpReach.nlri);
  const changes = [...byFamily].map(([family, { announced, withdrawn }]) => ({
    family,
    announced,
    withdrawn,
  }));
  return { changes, attributes: update.attributes };
}
