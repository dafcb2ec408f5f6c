import type { Hooks } from '../../hooks';
import type { Role, User } from '../store/users';

/** WordPress's default capabilities of the roles this host knows (the ones it checks, and their neighbours). */
export const ROLE_CAPABILITIES: Readonly<Record<Role, readonly string[]>> = {
  administrator: ['manage_options', 'list_users', 'create_users', 'delete_users', 'edit_posts', 'publish_posts', 'read', 'export'],
  editor: ['edit_posts', 'edit_others_posts', 'publish_posts', 'read'],
  subscriber: ['read'],
};

/**
 * Whether the user has a capability: the role's capabilities, then the `user_has_cap`
 * filter (as in WordPress: receives the map of capabilities, the requested capability and the user).
 */
export function user_can(hooks: Hooks, user: User, capability: string): boolean {
  const caps: Record<string, boolean> = {};
  for (const c of ROLE_CAPABILITIES[user.role] ?? []) caps[c] = true;
  const filtered = hooks.apply_filters('user_has_cap', caps, [capability], user) as Record<string, boolean>;
  return filtered?.[capability] === true;
}
