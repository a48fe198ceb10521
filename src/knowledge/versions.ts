// Versions of one policy: which text is in force on a day, which one a question about the
// past ("去年的政策里…") means, and the id under which a non-current version's clauses live.
// Pure functions over the manifest entry; effective dates are "YYYY-MM" or "YYYY-MM-DD".

export interface VersionRef {
  file: string;
  lines?: [number, number];
  effectiveDate?: string;
  source?: string;
}

export interface VersionedPolicy extends VersionRef {
  id: string;
  versions?: VersionRef[];
}

/** "2021-09" sorts as the first of the month; an undated version sorts first of all. */
export function dateKey(date: string | undefined): string {
  if (!date) return '0000-00-00';
  return date.length === 7 ? `${date}-01` : date;
}

/** Every version of a policy, oldest first (undated ones first). */
export function allVersions(policy: VersionedPolicy): VersionRef[] {
  const current: VersionRef = { file: policy.file, lines: policy.lines, effectiveDate: policy.effectiveDate, source: policy.source };
  return [...(policy.versions ?? []), current].sort((a, b) => dateKey(a.effectiveDate).localeCompare(dateKey(b.effectiveDate)));
}

/** The version in force on `day` (YYYY-MM-DD): the latest that took effect by then, else the oldest. */
export function versionInForce(policy: VersionedPolicy, day: string): VersionRef {
  return pickInForce(allVersions(policy), day);
}

/** Of versions sorted oldest first, the one in force on `day`. */
export function pickInForce<T extends VersionRef>(versions: T[], day: string): T {
  const started = versions.filter((v) => dateKey(v.effectiveDate) <= day);
  return started.at(-1) ?? versions[0]!;
}

/** The policy id a version's clauses carry: the policy's own id for the version in force, "id@date" otherwise. */
export function versionPolicyId(policyId: string, version: VersionRef, inForce: boolean): string {
  return inForce ? policyId : `${policyId}@${version.effectiveDate ?? 'undated'}`;
}

/** The policy id behind a versioned clause id ("giantkone-rules@2021-09" → "giantkone-rules"). */
export function basePolicyId(policyId: string): string {
  const at = policyId.indexOf('@');
  return at < 0 ? policyId : policyId.slice(0, at);
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const ZH_YEARS: Record<string, number> = { 去年: 1, 前年: 2, 大前年: 3 };

/**
 * The day a question about the past refers to, or null for a question about the policy now:
 * "去年的政策里…" → the end of last year, "2023年的隐私政策" → 2023-12-31, "in 2022" → 2022-12-31,
 * "之前的/旧版/上一版 政策", "the previous/old policy" → the day before the version in force
 * took effect (the caller resolves "previous" with `previousDay`).
 */
export function pastReference(question: string, today: string): { day: string } | { previous: true } | null {
  const year = Number(today.slice(0, 4));
  const relative = /(大前年|前年|去年)/.exec(question);
  if (relative) return { day: `${year - ZH_YEARS[relative[1]!]!}-12-31` };
  if (/\blast year\b/i.test(question)) return { day: `${year - 1}-12-31` };
  const explicit = /((?:19|20)\d{2})\s*年/.exec(question) ?? /\bin ((?:19|20)\d{2})\b/i.exec(question);
  if (explicit && Number(explicit[1]) < year) return { day: `${explicit[1]}-12-31` };
  if (/(之前|以前|原来|原先|更新前|修改前|旧|老)的?版?(隐私)?(政策|规则|版本|条款)|旧版|老版|上一版|上个版本/.test(question)) return { previous: true };
  if (/\b(previous|old|older|earlier|former|prior)\s+(version|policy|privacy policy)\b/i.test(question)) return { previous: true };
  return null;
}
