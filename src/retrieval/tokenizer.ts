// Chinese and English analysis for lexical ranking and the corpus embedding: jieba words in
// search mode, CJK character bigrams (prefixed "~" so they never collide with words) and
// lower-cased, lightly stemmed English words.

import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | null = null;
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

const ZH_STOPWORDS = new Set(
  `的 了 吗 呢 吧 啊 呀 哦 嘛 是 在 我 我的 我们 你 你的 你们 您 您的 他 她 它 他们 这 那 这个 那个 这些 那些 和 与 及 或 或者 有 会 能 能否 可以 可 要 想 需要 怎么 怎么样 怎样 如何 什么 哪些 哪个 哪 多少 为什么 为何 是否 是不是 请问 请 一下 一个 都 也 就 还 被 把 给 对 从 到 以 为 之 其 等 中 上 下 吗？ 么 啥 咋 呗 吧 么样 些 个 时 时候 后 前 里 又 再 很 非常 已经 会不会 能不能 有没有 了吗 请告诉 告诉 知道 问 问题 一些`.split(/\s+/),
);

const EN_STOPWORDS = new Set(
  `a an the and or of to in on at for from by with about as is are was were be been being do does did doing have has had having i me my mine we us our you your yours they them their it its this that these those what which who whom whose when where why how can could will would shall should may might must not no yes if then than so such there here any some all each more most other into over under again further once also just only own same too very s t don't isn't please tell know want let get got need does`.split(/\s+/),
);

export function isStopword(token: string): boolean {
  return ZH_STOPWORDS.has(token) || EN_STOPWORDS.has(token);
}

const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;
const LATIN_WORD = /[a-z][a-z0-9'-]*|\d+(?:\.\d+)?/g;

/** English words reduced to a common stem: "cookies" and "cookie" -> "cooki", "deleted" -> "delet". */
export function stemEnglish(word: string): string {
  let w = word.replace(/'s$/, '').replace(/'/g, '');
  if (w.length <= 3) return w;
  // "policies"/"policy" and "cookies"/"cookie" must meet: both end in "i".
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (/[^aeiou]y$/.test(w)) w = `${w.slice(0, -1)}i`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

export interface Analysis {
  /** jieba words and English stems, stopwords removed. */
  words: string[];
  /** CJK character bigrams, prefixed with "~". */
  bigrams: string[];
}

export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export function analyze(text: string): Analysis {
  const norm = normalise(text);
  const words: string[] = [];
  const bigrams: string[] = [];
  for (const run of norm.match(CJK_RUN) ?? []) {
    for (const w of segmenter().cutForSearch(run, true)) {
      if (w.length >= 2 && !ZH_STOPWORDS.has(w)) words.push(w);
    }
    for (let i = 0; i + 1 < run.length; i++) bigrams.push(`~${run.slice(i, i + 2)}`);
    if (run.length === 1 && !ZH_STOPWORDS.has(run)) bigrams.push(`~${run}`);
  }
  for (const w of norm.replace(CJK_RUN, ' ').match(LATIN_WORD) ?? []) {
    if (!EN_STOPWORDS.has(w)) words.push(stemEnglish(w));
  }
  return { words, bigrams };
}

/** All index tokens of a text: words and bigrams together. */
export function tokens(text: string): string[] {
  const { words, bigrams } = analyze(text);
  return words.concat(bigrams);
}
