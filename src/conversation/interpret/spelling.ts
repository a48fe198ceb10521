// Typing slips the rules should see through: homophone slips of the Chinese input method
// (注消 → 注销, 头诉 → 投诉), chat abbreviations (pls, ur, acc) and English misspellings of
// the words the rules use (delet, acount, infomation, consnet), one edit away.

const ZH_SLIPS: [RegExp, string][] = [
  [/注[消宵萧小]|註消/g, '注销'],
  [/受权/g, '授权'],
  [/个人信心/g, '个人信息'],
  [/删处/g, '删除'],
  [/资聊|资了/g, '资料'],
  [/删出|删徐|山除/g, '删除'],
  [/撤会|撤灰/g, '撤回'],
  [/撤消/g, '撤销'],
  [/头诉|投述|偷诉/g, '投诉'],
  [/认工|人攻|人公|人功|人宫/g, '人工'],
  [/新息|信习/g, '信息'],
  [/进渡/g, '进度'],
  [/申青/g, '申请'],
  [/隐思/g, '隐私'],
  [/账好|帐好/g, '账号'],
  // "你们收集那些信息？": 那些 for 哪些 in a question.
  [/那些(?=[^，。,.]*[？?吗呢])/g, '哪些'],
];

const ABBREVIATIONS: Record<string, string> = {
  // Misspellings too far from the word for one edit, or inflected.
  copie: 'copy', informations: 'information', useing: 'using', recieve: 'receive', personnal: 'personal', privicy: 'privacy',
  adress: 'address', infos: 'info', datas: 'data', deleet: 'delete', delite: 'delete', cancell: 'cancel', acount: 'account',
  u: 'you', ur: 'your', pls: 'please', plz: 'please', plss: 'please', abt: 'about', wanna: 'want to', gonna: 'going to',
  acc: 'account', acct: 'account', msg: 'message', msgs: 'messages', pw: 'password', pwd: 'password', wat: 'what',
  wats: "what's", whats: "what's", r: 'are', im: "i'm", dont: "don't", cant: "can't", doesnt: "doesn't", thru: 'through',
  cuz: 'because', bc: 'because', ppl: 'people', asap: 'asap', info: 'info', smth: 'something', sth: 'something',
};

/** The words the rules rely on; a word one edit away from one of these is read as it. */
const VOCABULARY = [
  'delete', 'deleted', 'deletion', 'remove', 'removed', 'erase', 'account', 'accounts', 'information', 'personal',
  'consent', 'complaint', 'complain', 'request', 'requests', 'status', 'address', 'update', 'password', 'cancel',
  'withdraw', 'human', 'export', 'transfer', 'correct', 'privacy', 'history', 'location', 'tracking', 'please',
  'close', 'profile', 'email', 'number', 'phone', 'copy', 'talk', 'data', 'person', 'agent', 'customer', 'service',
  'ticket', 'change', 'wrong', 'stop', 'share', 'sharing', 'marketing', 'permission', 'deactivate', 'collect',
  'real', 'file', 'want', 'what', 'track', 'third', 'parties', 'party', 'progress', 'update', 'submitted', 'refund',
];
const KNOWN = new Set([
  ...VOCABULARY,
  // Real words one edit away from a vocabulary word: never "corrected".
  'remote', 'humane', 'statue', 'closed', 'closer', 'clothe', 'change', 'charge', 'stops', 'steps', 'step', 'shore',
  'share', 'shares', 'shared', 'spare', 'phones', 'phoned', 'emails', 'number', 'numbers', 'persons', 'agents',
  'date', 'dates', 'want', 'wants', 'went', 'what', 'that', 'wrong', 'track', 'tracks', 'trick', 'talks', 'tall',
  'tale', 'take', 'file', 'files', 'fine', 'filed', 'fire', 'real', 'read', 'copy', 'cope', 'data',
  'party', 'parts', 'third', 'thirds', 'stock', 'store', 'stone', 'story', 'stole', 'human', 'humans', 'person',
  'profit', 'process', 'updated', 'updates', 'removes', 'deletes', 'erased', 'erases', 'cancels', 'closes',
  'services', 'serviced', 'ticket', 'tickets', 'request', 'requests', 'requested', 'refunds', 'please', 'pleased',
  'release', 'tracked', 'trucking', 'consents', 'content', 'contents', 'consult', 'address', 'addresses', 'emailed',
  'chose', 'chance', 'cancer', 'delegate', 'phase', 'photo', 'closet', 'career', 'careful', 'colleet', 'collect', 'collects',
  'services', 'serve', 'served', 'trace', 'traces', 'detected', 'partners', 'delayed', 'related', 'relates', 'severe', 'desktop', 'export', 'expert', 'experts', 'exports', 'datum', 'human', 'parts', 'partly',
]);

/** Optimal string alignment distance, stopping early above `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
  }
  return d[a.length]![b.length]!;
}

function respellWord(word: string): string {
  const abbreviation = ABBREVIATIONS[word];
  if (abbreviation) return abbreviation;
  if (word.length < 4 || KNOWN.has(word)) return word;
  const max = word.length >= 8 ? 2 : 1;
  let best: string | null = null;
  let bestDistance = max + 1;
  for (const v of VOCABULARY) {
    if (v[0] !== word[0]) continue;
    const dist = distance(word, v, max);
    if (dist < bestDistance) {
      best = v;
      bestDistance = dist;
    }
  }
  // An inflected word is not a slip for its stem ("collected" is not "collect").
  const suffix = /(?:ed|ing|ly|es|er|s)$/.exec(word)?.[0];
  if (best && suffix && !best.endsWith(suffix)) return word;
  // Four-letter words only for swapped letters ("tlak"), where a wrong guess is unlikely.
  if (best && word.length === 4 && !(best.length === 4 && [...word].sort().join() === [...best].sort().join())) return word;
  return best ?? word;
}

export function respell(text: string): string {
  let out = text;
  for (const [slip, right] of ZH_SLIPS) out = out.replace(slip, right);
  // English words only; ticket ids ("acc-20261130-0011") and emails are left alone.
  return out.replace(/(?<![\w@.-])[a-z]+(?![\w@-]|\.\w)/g, (w) => respellWord(w));
}
