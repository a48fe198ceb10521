// Traditional characters people type in requests, mapped to the simplified ones the rules
// are written in (請刪除我的個人資料 → 请删除我的个人资料). Characters only, no phrases.

const PAIRS =
  '請请刪删個个資资們们會会給给嗎吗轉转註注銷销帳账號号閱阅謝谢見见說说這这還还進进沒没處处東东幫帮隱隐護护權权' +
  '應应無无從从關关開开發发訊讯電电話话郵邮聯联繫系錄录圖图檔档記记點点擊击認认證证碼码變变動动對对錯错誤误' +
  '寫写過过後后來来為为麼么與与學学網网頁页數数據据協协議议條条務务線线將将產产銀银讓让問问題题讀读獲获許许' +
  '覽览級级經经驗验歷历樣样絡络結结統统傳传輸输導导種种類类範范圍围詢询戶户廣广營营薦荐態态複复製制煩烦員员' +
  '實实時时間间狀状況况啟启鎖锁誰谁隨随單单訂订貨货遞递運运費费綁绑歡欢謂谓裡里覺觉錢钱帶带該该邊边幾几陳陈' +
  '報报舉举訴诉洩泄賣卖騷骚擾扰違违規规濫滥竊窃盜盗紀纪尋寻瀏浏儲储雲云頭头攝摄麥麦風风聲声紋纹臉脸識识別别' +
  '兒儿齡龄監监區区國国際际續续簡简體体攜携絕绝騙骗氣气愛爱讚赞辦办遠远紅红買买賬账隻只麵面鐘钟塊块歲岁' +
  '讓让詳详細细談谈們们淨净掃扫擔担憂忧確确認认懷怀疑疑拋抛棄弃殺杀聽听裝装週周';

const MAP = new Map<string, string>();
for (let i = 0; i + 1 < PAIRS.length; i += 2) MAP.set(PAIRS[i]!, PAIRS[i + 1]!);

export function toSimplified(text: string): string {
  let out = '';
  for (const ch of text) out += MAP.get(ch) ?? ch;
  return out;
}
