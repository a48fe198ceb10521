// Which right a question is about ("怎么注销账号？" is about closing the account), so the
// bot can offer to file that request after answering.

import type { RequestType } from '../types.ts';

/** In order: the first that matches wins (closing an account mentions deleting, too). */
const RIGHT_MENTIONS: [RequestType, RegExp][] = [
  ['cancel_account', /注销|销户|(?:close|delete|cancel|deactivate|remove) (?:my |the |an )?account/i],
  ['withdraw_consent', /撤回|撤销.{0,4}(?:同意|授权)|withdraw|revoke/i],
  ['port_data', /(?:转移|迁移|转给|转到).{0,8}(?:信息|数据|资料)|可携|portab|transfer (?:a copy|my (?:personal )?(?:data|information) to)/i],
  ['correct_data', /更正|纠正|修改.{0,6}(?:信息|资料|数据)|correct|rectif/i],
  ['access_data', /查阅|复制|副本|导出|(?:access|copy of|export) (?:my |your )?(?:personal )?(?:data|information)/i],
  ['delete_data', /删除|删掉|清除|delete|erase/i],
  ['complaint', /投诉|举报|complain/i],
];

export function rightMentioned(text: string): RequestType | null {
  return RIGHT_MENTIONS.find(([, pattern]) => pattern.test(text))?.[0] ?? null;
}
