// A WeChat world for the wechaty adapter: the real server with a real Wechaty bot on
// wechaty-puppet-mock. People are mock contacts who say things to the bot (or in a group),
// and whatever the bot says reaches them as mock message events, which are recorded here.

import { types } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { createWechatyAdapter, type WechatyChannelAdapter } from '../../../adapters/wechaty/index.ts';
import type { RunningServer } from '../../../src/server/server.ts';
import { startTestServer } from '../../helpers/server.ts';

type ContactMock = ReturnType<mock.Mocker['createContact']>;
type RoomMock = ReturnType<mock.Mocker['createRoom']>;
interface MockMessage {
  id: string;
  payload: { talkerId?: string; roomId?: string; text?: string };
}
// The mock's event typings do not resolve under NodeNext (typed-emitter is CommonJS).
type Listening = { on(event: 'message', listener: (message: MockMessage) => void): unknown };

export async function until<T>(probe: () => T | undefined, timeoutMs: number, everyMs = 20): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() >= end) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export class MockWorld {
  readonly mocker = new mock.Mocker();
  readonly puppet = new PuppetMock({ mocker: this.mocker });
  server!: RunningServer & { dataDir: string };
  adapter!: WechatyChannelAdapter;
  me!: ContactMock;
  private readonly people = new Map<string, ContactMock>();
  /** What the bot said to each person one-to-one, by contact id. */
  private readonly direct = new Map<string, string[]>();
  /** What the bot said in each group, by room id. */
  private readonly inRooms = new Map<string, string[]>();
  private readonly delivered = new Set<string>();
  private sequence = 0;

  constructor(private readonly env: Record<string, string> = {}) {}

  async start(): Promise<void> {
    this.server = await startTestServer({
      env: { WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_TENANT: 'giantkone', ...this.env },
      adapters: [createWechatyAdapter({ puppet: this.puppet })],
    });
    this.adapter = this.server.adapters.find((a) => a.name === 'wechaty') as WechatyChannelAdapter;
    await this.adapter.started;
    this.me = this.mocker.createContact({ name: 'PrivacyBot' });
    this.mocker.login(this.me);
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** A person, created on first use, whose incoming messages from the bot are recorded. */
  person(name: string): ContactMock {
    let contact = this.people.get(name);
    if (!contact) {
      contact = this.mocker.createContact({ name });
      const id = contact.id;
      this.people.set(name, contact);
      this.direct.set(id, []);
      (contact as unknown as Listening).on('message', (m) => {
        if (m.payload.talkerId === this.me.id && !m.payload.roomId) this.direct.get(id)!.push(m.payload.text ?? '');
      });
    }
    return contact;
  }

  room(topic: string, members: ContactMock[]): RoomMock {
    const room = this.mocker.createRoom({ topic, memberIdList: [this.me.id, ...members.map((m) => m.id)] });
    this.inRooms.set(room.id, []);
    (room as unknown as Listening).on('message', (m) => {
      if (m.payload.talkerId === this.me.id) this.inRooms.get(room.id)!.push(m.payload.text ?? '');
    });
    return room;
  }

  /**
   * A one-to-one message with a chosen id. Delivering the same id again re-emits the puppet
   * event for the same payload, as a puppet does when it redelivers after a reconnect.
   */
  deliver(person: ContactMock, text: string, id = `msg-${Date.now()}-${++this.sequence}`, type = types.Message.Text): string {
    if (!this.delivered.has(id)) {
      this.delivered.add(id);
      this.mocker.MessageMock.create({ id, talkerId: person.id, listenerId: this.me.id, text, timestamp: Date.now(), type });
    }
    this.puppet.emit('message', { messageId: id });
    return id;
  }

  /** A group message, @-mentioning the bot when asked to (as WeChat writes it: "@name text"). */
  sayInRoom(person: ContactMock, room: RoomMock, text: string, options: { mention?: boolean } = {}): void {
    if (options.mention) person.say(`@${this.me.payload.name}\u2005${text}`, [this.me]).to(room);
    else person.say(text).to(room);
  }

  /** The bot's messages to a person so far, once at least `count` arrived or the time is up. */
  async repliesTo(person: ContactMock, count: number, timeoutMs = 10_000): Promise<string[]> {
    const received = this.direct.get(person.id) ?? [];
    await until(() => (received.length >= count ? true : undefined), timeoutMs);
    return [...received];
  }

  async repliesIn(room: RoomMock, count: number, timeoutMs = 10_000): Promise<string[]> {
    const received = this.inRooms.get(room.id) ?? [];
    await until(() => (received.length >= count ? true : undefined), timeoutMs);
    return [...received];
  }

  /** A counter from /metrics, e.g. privacy_bot_messages_in_total{channel="wechaty"}. */
  async metric(line: string): Promise<number> {
    const text = await (await fetch(`${this.server.url}/metrics`)).text();
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    return found ? Number(found.slice(line.length + 1)) : 0;
  }
}
