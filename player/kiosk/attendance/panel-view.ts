// The corner panel on the TV: "how many are watching?" and member sign-in, drawn from a PanelModel, plus a short
// confirmation line. Large type readable across a room; it sits in a corner and never stops playback. Its styles
// are in kiosk.css (the page's Content-Security-Policy allows no inline <style>), its words in src/i18n.ts (att*).
import type { PanelModel } from './input.ts';
import type { Sitting } from '../src/api.ts';
import { t, type Lang } from '../src/i18n.ts';

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

  render(model: PanelModel, sitting: Sitting | null, lang: Lang): void {
    this.root.classList.toggle('att-hidden', model.mode === 'hidden');
    this.root.dataset.mode = model.mode;
    this.root.lang = lang === 'zh' ? 'zh-CN' : 'en';
    if (model.mode === 'hidden') return;
    const known = sitting?.headcount ?? null;
    this.hcLabel.textContent = t(lang, 'attHeadcountQ');
    this.hcValue.textContent = model.headcountDraft || (known !== null ? String(known) : '–');
    this.hcValue.classList.toggle('att-draft', model.headcountDraft !== '');
    this.memberLabel.textContent = t(lang, 'attMember');
    const members = sitting && sitting.members.length > 0 ? t(lang, 'attMembersN', { n: sitting.members.length }) : '____';
    this.memberValue.textContent = model.memberDraft || members;
    this.memberValue.classList.toggle('att-draft', model.memberDraft !== '');
    const active = model.mode === 'active';
    this.hcRow.classList.toggle('att-focus', active && model.field === 'headcount');
    this.memberRow.classList.toggle('att-focus', active && model.field === 'member');
    this.hint.textContent = !active
      ? t(lang, known !== null ? 'attChangeHint' : 'attTypeDigits')
      : model.field === 'member'
        ? `${t(lang, 'attMemberHint')} · ${t(lang, 'attNavHint')}`
        : `${t(lang, 'attChangeHint')} · ${t(lang, 'attNavHint')}`;
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
