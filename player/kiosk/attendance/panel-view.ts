// The corner panel on the TV: "how many are watching?" and member sign-in, drawn from a PanelModel, plus a short
// confirmation line. Large type readable across a room; it sits in a corner and never stops playback. Its styles
// are in kiosk.css (the page's Content-Security-Policy allows no inline <style>).
import type { PanelModel } from './input.ts';
import type { SittingView } from './client.ts';

export type AttLang = 'zh' | 'en';

const words = {
  zh: {
    headcountQ: '现在有几人在看？',
    headcountNow: '{n} 人在看',
    headcountNone: '还没有填写人数',
    typeDigits: '按数字键输入人数',
    changeHint: '按数字键更改 · 按确认键保存',
    member: '会员签到',
    memberHint: '输入会员号按确认键，或刷会员卡',
    membersN: '已签到 {n} 位会员',
    navHint: '上下键切换 · 返回键关闭',
    savedHeadcount: '已记录：{n} 人在看',
    signedIn: '会员 {no} 已签到',
    failed: '没有保存成功，请再试一次',
    badMember: '会员号不对：{msg}',
  },
  en: {
    headcountQ: 'How many people are watching?',
    headcountNow: '{n} watching',
    headcountNone: 'No headcount yet',
    typeDigits: 'Type the number on the remote',
    changeHint: 'Digits to change · OK to save',
    member: 'Member sign-in',
    memberHint: 'Type your member number and press OK, or swipe your card',
    membersN: '{n} members signed in',
    navHint: 'Up/Down to switch · Back to close',
    savedHeadcount: 'Saved: {n} watching',
    signedIn: 'Member {no} signed in',
    failed: 'Not saved, please try again',
    badMember: 'Member number not accepted: {msg}',
  },
} as const;

export type AttWord = keyof (typeof words)['zh'];

export function attText(lang: AttLang, key: AttWord, params: Record<string, string | number> = {}): string {
  return words[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

function el(tag: string, cls: string, testid?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  if (testid) e.setAttribute('data-testid', testid);
  return e;
}

export class PanelView {
  readonly root = el('div', 'att-panel att-hidden', 'attendance-panel');
  readonly toastEl = el('div', 'att-toast', 'attendance-toast');
  private readonly hcRow = el('div', 'att-row att-headcount-row');
  private readonly hcLabel = el('span', 'att-label');
  private readonly hcValue = el('span', 'att-value', 'attendance-headcount');
  private readonly memberRow = el('div', 'att-row att-member-row');
  private readonly memberLabel = el('span', 'att-label');
  private readonly memberValue = el('span', 'att-value', 'attendance-member');
  private readonly hint = el('div', 'att-hint');
  private toastTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    this.hcRow.append(this.hcLabel, this.hcValue);
    this.memberRow.append(this.memberLabel, this.memberValue);
    this.root.append(this.hcRow, this.memberRow, this.hint);
  }

  /** Moves the panel into the screen now showing (it is one panel for the whole sitting). */
  mount(container: HTMLElement): void {
    if (this.root.parentElement !== container) container.append(this.root, this.toastEl);
  }

  render(model: PanelModel, sitting: SittingView | null, lang: AttLang): void {
    this.root.classList.toggle('att-hidden', model.mode === 'hidden');
    this.root.dataset.mode = model.mode;
    this.root.lang = lang === 'zh' ? 'zh-CN' : 'en';
    if (model.mode === 'hidden') return;
    const known = sitting?.headcount ?? null;
    this.hcLabel.textContent = attText(lang, 'headcountQ');
    this.hcValue.textContent = model.headcountDraft || (known !== null ? String(known) : '–');
    this.hcValue.classList.toggle('att-draft', model.headcountDraft !== '');
    this.memberLabel.textContent = attText(lang, 'member');
    this.memberValue.textContent = model.memberDraft || (sitting && sitting.members.length > 0 ? attText(lang, 'membersN', { n: sitting.members.length }) : '____');
    this.memberValue.classList.toggle('att-draft', model.memberDraft !== '');
    const active = model.mode === 'active';
    this.hcRow.classList.toggle('att-focus', active && model.field === 'headcount');
    this.memberRow.classList.toggle('att-focus', active && model.field === 'member');
    this.hint.textContent = !active
      ? attText(lang, known !== null ? 'changeHint' : 'typeDigits')
      : model.field === 'member'
        ? `${attText(lang, 'memberHint')} · ${attText(lang, 'navHint')}`
        : `${attText(lang, 'changeHint')} · ${attText(lang, 'navHint')}`;
  }

  toast(text: string, bad = false): void {
    this.toastEl.textContent = text;
    this.toastEl.classList.toggle('att-bad', bad);
    this.toastEl.classList.add('att-shown');
    // Above the panel when both show.
    this.toastEl.style.top = this.root.classList.contains('att-hidden') ? '' : `calc(${this.root.offsetHeight}px + 6vh)`;
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.toastEl.classList.remove('att-shown'), 3500);
  }

  remove(): void {
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.root.remove();
    this.toastEl.remove();
  }
}
