/** Roles are ordered: an admin may do what an editor may, an editor what a viewer may. */
import type { ApiKeyRole } from '@lathe/registry';

export type Role = ApiKeyRole;
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

export function hasRole(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}
