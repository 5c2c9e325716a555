import { SetMetadata } from '@nestjs/common';

/** Roles, lowest first: each role may do everything the roles before it may. */
export const ROLES = ['agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route requires: a role, nobody (public), or whatever an env setting says. */
export type AccessDecision =
  | { kind: 'role'; role: Role }
  | { kind: 'public' }
  | { kind: 'configured'; setting: ConfigurableAccessSetting };

export type ConfigurableAccessSetting = 'HEALTH_ACCESS' | 'METRICS_ACCESS' | 'DOCS_ACCESS';
/** The value of a configurable access setting: public, or the lowest role that may call. */
export type ConfiguredAccess = 'public' | Role;

export const ACCESS_METADATA = 'sla:access';

/** The route (or every route of the controller) needs at least `role`. */
export const Roles = (role: Role) =>
  SetMetadata(ACCESS_METADATA, { kind: 'role', role } satisfies AccessDecision);

/** The route is open to anyone, on purpose (it authenticates by other means or reveals nothing). */
export const Public = () => SetMetadata(ACCESS_METADATA, { kind: 'public' } satisfies AccessDecision);

/** The route's access is chosen by an env setting (public on a private network, or a role). */
export const AccessFrom = (setting: ConfigurableAccessSetting) =>
  SetMetadata(ACCESS_METADATA, { kind: 'configured', setting } satisfies AccessDecision);

export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
