/** Discord permission bits the emulator checks (a subset; values as in the API). */
export const Permission = {
  CreateInstantInvite: 1n << 0n,
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  ManageRoles: 1n << 28n,
  ManageWebhooks: 1n << 29n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
} as const;
export type PermissionName = keyof typeof Permission;

export const ALL_PERMISSIONS = (1n << 53n) - 1n;

/** What a fresh guild's @everyone role can do, as Discord sets it up. */
export const DEFAULT_EVERYONE_PERMISSIONS = permissionBits([
  'CreateInstantInvite',
  'AddReactions',
  'ViewChannel',
  'SendMessages',
  'EmbedLinks',
  'AttachFiles',
  'ReadMessageHistory',
  'MentionEveryone',
  'UseApplicationCommands',
  'CreatePublicThreads',
  'CreatePrivateThreads',
  'SendMessagesInThreads',
]);

/** What the emulator's bot role holds unless a test says otherwise: a typical contact-center bot invite. */
export const DEFAULT_BOT_PERMISSIONS = permissionBits([
  'ViewChannel',
  'SendMessages',
  'ManageChannels',
  'ManageRoles',
  'ManageMessages',
  'ManageThreads',
  'EmbedLinks',
  'AttachFiles',
  'ReadMessageHistory',
  'UseApplicationCommands',
  'CreatePublicThreads',
  'CreatePrivateThreads',
  'SendMessagesInThreads',
]);

export type PermissionsInput = bigint | ReadonlyArray<PermissionName>;

export function permissionBits(input: PermissionsInput): bigint {
  if (typeof input === 'bigint') return input;
  return input.reduce((bits, name) => bits | Permission[name], 0n);
}

export interface OverwriteLike {
  id: string;
  /** 0 = role, 1 = member */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

/**
 * Discord's permission algorithm: base (everyone + roles, owner/admin = all), then the
 * channel's @everyone overwrite, then role overwrites together, then the member overwrite.
 */
export function computePermissions(input: {
  guildId: string;
  ownerId: string;
  userId: string;
  everyonePermissions: bigint;
  memberRolePermissions: ReadonlyArray<{ id: string; permissions: bigint }>;
  overwrites?: ReadonlyArray<OverwriteLike>;
}): bigint {
  if (input.userId === input.ownerId) return ALL_PERMISSIONS;
  let base = input.everyonePermissions;
  for (const role of input.memberRolePermissions) base |= role.permissions;
  if ((base & Permission.Administrator) !== 0n) return ALL_PERMISSIONS;
  if (!input.overwrites) return base;

  const everyone = input.overwrites.find((o) => o.type === 0 && o.id === input.guildId);
  if (everyone) base = (base & ~everyone.deny) | everyone.allow;
  const roleIds = new Set(input.memberRolePermissions.map((r) => r.id));
  let allow = 0n;
  let deny = 0n;
  for (const o of input.overwrites) {
    if (o.type === 0 && roleIds.has(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  base = (base & ~deny) | allow;
  const member = input.overwrites.find((o) => o.type === 1 && o.id === input.userId);
  if (member) base = (base & ~member.deny) | member.allow;
  // Without View Channel nothing else in the channel is usable.
  if ((base & Permission.ViewChannel) === 0n) return 0n;
  return base;
}

export function hasPermission(bits: bigint, needed: bigint): boolean {
  return (bits & needed) === needed;
}
