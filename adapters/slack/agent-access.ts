// Who may act on the desk: members of the agent channel (conversations.members) and, when
// configured, of a user group (usergroups.users.list). Both lists are cached briefly so a
// burst of clicks costs one lookup, and a person removed from the channel loses access within
// a minute. A lookup that fails refuses (fails closed) and is asked again next time.
//   https://docs.slack.dev/reference/methods/conversations.members
//   https://docs.slack.dev/reference/methods/usergroups.users.list

export interface MemberLookups {
  /** Every member of the channel (all pages). */
  channelMembers(channel: string): Promise<string[]>;
  usergroupUsers(usergroup: string): Promise<string[]>;
}

export interface AgentAccessOptions {
  agentChannel: string;
  agentUsergroup: string | null;
  lookups: MemberLookups;
  ttlMs?: number;
  now?: () => number;
}

export const MEMBERS_TTL_MS = 60_000;

export class AgentAccess {
  #cached: { at: number; members: Promise<Set<string>> } | null = null;
  readonly #now: () => number;

  constructor(private readonly options: AgentAccessOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** Whether the Slack user may act; a failed lookup throws (the caller refuses). */
  async isAgent(userId: string): Promise<boolean> {
    return (await this.#members()).has(userId);
  }

  #members(): Promise<Set<string>> {
    const now = this.#now();
    if (this.#cached && now - this.#cached.at < (this.options.ttlMs ?? MEMBERS_TTL_MS)) return this.#cached.members;
    const { lookups, agentChannel, agentUsergroup } = this.options;
    const members = Promise.all([lookups.channelMembers(agentChannel), agentUsergroup ? lookups.usergroupUsers(agentUsergroup) : Promise.resolve([])]).then(
      ([channel, group]) => new Set([...channel, ...group]),
    );
    const entry = { at: now, members };
    this.#cached = entry;
    members.catch(() => {
      if (this.#cached === entry) this.#cached = null;
    });
    return members;
  }
}
