// Short answers inside a form: confirming, declining, abandoning; and whether a message
// inside a form is a question rather than an answer to the step.

const CANCEL = /^(?:取消|算了|不用了|不办了|不要了|放弃|退出|取消申请|不弄了|cancel|stop|never ?mind|quit|abort|forget it)[\s。.!！~]*$/i;
const CONFIRM = /^(?:确认|确定|是|是的|对|对的|好|好的|嗯|可以|没问题|提交|确认提交|yes|y|yep|yeah|ok|okay|confirm|submit|sure|go ahead)[\s。.!！~]*$/i;
const DECLINE = /^(?:否|不|不是|不对|不行|no|n|nope)[\s。.!！~]*$/i;
/** Marks of a question, so a form answer that merely mentions a topic is not taken for one. */
const INTERROGATIVE =
  /[?？]|吗|呢|怎么|怎样|如何|什么|哪|为何|为什么|是否|能否|能不能|可不可以|多久|多长|几天|^(?:how|what|why|when|where|which|who|whom|can|could|do|does|did|is|are|will|would|should|may)\b/i;

export interface FormSignals {
  /** "确认", "ok", "submit". */
  confirm: boolean;
  /** "不", "no": a no to a yes/no step. */
  decline: boolean;
  /** "取消", "算了", "never mind": drop the form. */
  cancel: boolean;
  /** The message asks something. */
  interrogative: boolean;
}

export function formSignals(text: string): FormSignals {
  const t = text.trim();
  return { confirm: CONFIRM.test(t), decline: DECLINE.test(t), cancel: CANCEL.test(t), interrogative: INTERROGATIVE.test(t) };
}
