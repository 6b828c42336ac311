// "Ask for this to be broadcast": an optional member number typed with the remote's digits or an
// on-screen keypad, then sent to the agent (which forwards it to the server, or keeps it until online).
import type { App, Screen } from '../app.ts';
import { api } from '../api.ts';
import { focusable, h } from '../dom.ts';
import type { Command } from '../keys.ts';

const MAX_MEMBER_NO = 20;

export class RequestScreen implements Screen {
  readonly el = h('section', { class: 'screen request', 'data-screen': 'request' });
  readonly mode = 'page' as const;
  private memberNo = '';
  private sending = false;

  constructor(
    private readonly app: App,
    private readonly request: { programId?: number; topic?: string },
  ) {
    this.refresh();
  }

  private key(key: string, label: string, onClick: () => void, cls = 'key'): HTMLElement {
    const b = focusable('button', key, { class: cls, 'data-testid': key }, label);
    b.addEventListener('click', onClick);
    return b;
  }

  private typeDigit(d: string): void {
    if (this.memberNo.length < MAX_MEMBER_NO) this.memberNo += d;
    this.refresh();
    this.app.restoreFocus();
  }

  private send(withNumber: boolean): void {
    if (this.sending) return;
    this.sending = true;
    const app = this.app;
    const body = { ...this.request, ...(withNumber && this.memberNo ? { memberNo: this.memberNo } : {}) };
    api.request(body).then(
      () => {
        app.pop();
        app.toast(app.tr('requestSent'));
      },
      () => {
        this.sending = false;
        app.toast(app.tr('requestFailed'));
      },
    );
  }

  onCommand(cmd: Command): boolean {
    if (cmd.kind === 'digit') {
      this.typeDigit(String(cmd.digit));
      return true;
    }
    return false;
  }

  refresh(): void {
    const app = this.app;
    const item = this.request.programId ? app.catalog.items.find((i) => i.id === this.request.programId) : undefined;
    const pad = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => this.key(`d:${d}`, d, () => this.typeDigit(d)));
    pad.push(
      this.key('d:del', app.tr('del'), () => {
        this.memberNo = this.memberNo.slice(0, -1);
        this.refresh();
        this.app.restoreFocus();
      }),
      this.key('d:0', '0', () => this.typeDigit('0')),
      this.key('d:ok', app.tr('submit'), () => this.send(true), 'key key-ok'),
    );
    this.el.replaceChildren(
      h(
        'div',
        { class: 'dialog' },
        h('h1', {}, app.tr('askBroadcast')),
        h('div', { class: 'request-what' }, item?.title ?? this.request.topic ?? ''),
        h('h2', {}, app.tr('memberNoTitle')),
        h('div', { class: 'member-no', 'data-testid': 'member-no' }, this.memberNo || ' '),
        h('div', { class: 'hint' }, app.tr('memberNoHint')),
        h('div', { class: 'keys keys-pad' }, pad),
        h(
          'div',
          { class: 'actions' },
          this.key('send-anon', app.tr('skip'), () => this.send(false), 'action'),
        ),
      ),
    );
  }

  destroy(): void {}
}
