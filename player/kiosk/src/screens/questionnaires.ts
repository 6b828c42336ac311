// The menu of surveys and quizzes that take answers now: one row each, OK opens the form.
import type { App, Screen } from '../app.ts';
import type { LocalQuestionnaire } from '../api.ts';
import { focusable, h } from '../dom.ts';

export class QuestionnairesScreen implements Screen {
  readonly el = h('section', { class: 'screen questionnaires', 'data-screen': 'questionnaires' });
  readonly mode = 'page' as const;

  constructor(
    private readonly app: App,
    private readonly open: (q: LocalQuestionnaire) => void,
  ) {
    this.refresh();
  }

  refresh(): void {
    const app = this.app;
    const list = app.questionnaires.filter((q) => q.open);
    const rows = list.map((q) => {
      const lecture = q.programId === null ? undefined : app.catalog.items.find((i) => i.id === q.programId)?.title;
      const row = focusable(
        'button',
        `q:${q.id}`,
        { class: 'nav-item q-row', 'data-testid': 'q-row', 'data-questionnaire': q.id },
        h(
          'span',
          {},
          h('span', { class: 'label' }, app.tr(q.kind === 'quiz' ? 'qQuiz' : 'qSurvey')),
          ' ',
          q.title,
          lecture ? ` · ${lecture}` : '',
        ),
        h('span', { class: 'muted' }, app.tr('qQuestions', { n: q.questions.length })),
      );
      row.addEventListener('click', () => this.open(q));
      return row;
    });
    this.el.replaceChildren(
      h('h1', {}, app.tr('qMenu')),
      h('div', { class: 'q-list' }, rows.length ? rows : h('div', { class: 'empty' }, app.tr('qNone'))),
    );
  }

  destroy(): void {}
}
