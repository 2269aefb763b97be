import { looksLikeCommunity, parseCommunity, type BgpCommunity } from './community.ts';
import { configError, objectRef, type ConfigError, type ObjectIdentity } from './config-error.ts';
import { ConfigErrors } from './errors.ts';
import { compareStrings, fieldPath } from './field-path.ts';
import type { CommunitySpec } from './schema/community.ts';

export interface ValidCommunityObject {
  readonly identity: ObjectIdentity;
  readonly spec: CommunitySpec;
}

/** Alias name → community, per namespace. */
export type CommunityAliases = Map<string, Map<string, BgpCommunity>>;

/**
 * Builds the alias table. An alias is defined once per namespace (the object
 * first by name keeps it; later definitions are errors), and may not look
 * like a literal community, so "65000:100" in an advertisement never
 * depends on which aliases exist.
 */
export function parseCommunities(objects: readonly ValidCommunityObject[]): {
  aliases: CommunityAliases;
  errors: ConfigError[];
} {
  const errors: ConfigError[] = [];
  const aliases: CommunityAliases = new Map();
  const definedAt = new Map<string, string>();
  const sorted = [...objects].sort(
    (a, b) =>
      compareStrings(a.identity.namespace, b.identity.namespace) ||
      compareStrings(a.identity.name, b.identity.name),
  );
  for (const { identity, spec } of sorted) {
    const table = aliases.get(identity.namespace) ?? new Map<string, BgpCommunity>();
    aliases.set(identity.namespace, table);
    spec.communities.forEach((entry, index) => {
      const field = (leaf: string) => fieldPath(['spec', 'communities', index, leaf]);
      if (looksLikeCommunity(entry.name)) {
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_COMMUNITY_FORMAT,
            field('name'),
            `"${entry.name}" looks like a community value; an alias needs a name such as "no-export-to-transit"`,
          ),
        );
        return;
      }
      const parsed = parseCommunity(entry.value);
      if (!parsed.ok) {
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_COMMUNITY_FORMAT,
            field('value'),
            parsed.reason,
          ),
        );
        return;
      }
      const key = `${identity.namespace}\u0000${entry.name}`;
      const earlier = definedAt.get(key);
      if (earlier !== undefined) {
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_DUPLICATE_COMMUNITY,
            field('name'),
            `alias "${entry.name}" is already defined by ${earlier}`,
          ),
        );
        return;
      }
      definedAt.set(
        key,
        `Community ${objectRef(identity.namespace, identity.name)} ${field('name')}`,
      );
      table.set(entry.name, parsed.value);
    });
  }
  return { aliases, errors };
}
