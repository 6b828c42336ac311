// Entry of the kiosk bundle: builds the app shell and wires the screens together.
import { App } from './app.ts';
import type { CatalogItem, LocalQuestionnaire } from './api.ts';
import { BroadcastScreen } from './screens/broadcast.ts';
import { HomeScreen } from './screens/home.ts';
import { LectureScreen } from './screens/lecture.ts';
import { OnDemandScreen } from './screens/ondemand.ts';
import { QuestionnaireScreen } from './screens/questionnaire.ts';
import { QuestionnairesScreen } from './screens/questionnaires.ts';
import { RequestScreen } from './screens/request.ts';
import { SearchScreen } from './screens/search.ts';
import { VodScreen } from './screens/vod.ts';

const mount = document.getElementById('app');
if (!mount) throw new Error('kiosk: #app missing from index.html');
const app = new App(mount);

function openChannel(channelId: number): void {
  const top = app.top();
  if (top instanceof BroadcastScreen) top.tune(channelId);
  else if (top instanceof VodScreen) app.replace(new BroadcastScreen(app, channelId));
  else app.push(new BroadcastScreen(app, channelId));
}

function ask(request: { programId?: number; topic?: string }): void {
  app.push(new RequestScreen(app, request));
}

function play(item: CatalogItem, from: number): void {
  app.push(
    new VodScreen(app, item, from, () => {
      // A lecture that cannot be played gives way to the channel last watched, or back to its page.
      const fallback = app.lastChannelId ?? app.channels[0]?.id ?? null;
      app.toast(app.tr('playbackFailed'));
      if (fallback !== null) app.replace(new BroadcastScreen(app, fallback));
      else app.pop();
    }),
  );
}

function openLecture(item: CatalogItem): void {
  app.push(new LectureScreen(app, item.id, { play, ask }));
}

function openSearch(): void {
  app.push(new SearchScreen(app, openLecture, (topic) => ask({ topic })));
}

/**
 * A survey or quiz form. Opened over a playing screen (the quiz offered at the end of an item) it takes that
 * screen's place, so nothing plays behind the form; leaving it goes back to the channel.
 */
function openQuestionnaire(q: LocalQuestionnaire): void {
  const top = app.top();
  const channel = top instanceof BroadcastScreen ? top.channelId : null;
  const form = new QuestionnaireScreen(app, q, () => {
    app.pop();
    if (channel !== null) openChannel(channel);
  });
  if (top instanceof BroadcastScreen || top instanceof VodScreen) app.replace(form);
  else app.push(form);
}

app.openChannel = openChannel;
app.openQuestionnaire = openQuestionnaire;
app.push(
  new HomeScreen(
    app,
    () => app.push(new OnDemandScreen(app, openLecture, openSearch)),
    () => {
      void app.pollQuestionnaires();
      void app.pollCatalog();
      app.push(new QuestionnairesScreen(app, openQuestionnaire));
    },
  ),
);
app.renderHeader();
// Home opens on the first channel once the agent has told us the channels.
void app.start().then(() => {
  const first = app.channels[0];
  if (app.top() instanceof HomeScreen) app.restoreFocus(first ? `ch:${first.id}` : undefined);
});
// Expose the app and its actions for diagnostics (DevTools on a site PC), the end-to-end tests and the benchmark.
Object.assign(window, {
  kiosk: app,
  kioskActions: {
    openChannel,
    playProgram(programId: number, from = 0): boolean {
      const item = app.catalog.items.find((i) => i.id === programId);
      if (item) play(item, from);
      return !!item;
    },
    loadCatalog: () => app.pollCatalog(),
    loadQuestionnaires: () => app.pollQuestionnaires(),
    home: () => app.goHome(),
  },
});
