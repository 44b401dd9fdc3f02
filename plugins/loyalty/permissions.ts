/**
 * Loyalty permissions and their default holders among the built-in roles. Everyone who
 * works with customers reads balances and reports; counter staff redeem rewards and link
 * referrals; managers correct balances; admins run the program.
 */
import type { BuiltInRoleName, PermissionDeclaration } from '../../core/plugin/index.js';

const ALL: BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent', 'viewer'];
const WRITERS: BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent'];
const MANAGERS: BuiltInRoleName[] = ['owner', 'admin', 'manager'];
const ADMINS: BuiltInRoleName[] = ['owner', 'admin'];

const permission = (name: string, roles: BuiltInRoleName[]): PermissionDeclaration => ({ name: `loyalty.${name}`, description: `loyalty:permissions.${name.replace(/\./g, '_')}`, roles });

/** Every permission the loyalty plugin declares. */
export const loyaltyPermissions: readonly PermissionDeclaration[] = [
  permission('program.manage', ADMINS),
  permission('account.read', ALL),
  permission('points.adjust', MANAGERS),
  permission('reward.redeem', WRITERS),
  permission('referral.apply', WRITERS),
  // RFM, Pareto and win-back are tenant-wide aggregates: only roles that see every customer hold it by default.
  permission('report.read', ['owner', 'admin', 'viewer']),
];
