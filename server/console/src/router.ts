// The console's pages at pinned, shareable paths (history mode). Signed-out visitors go to /login and come back;
// organizers are kept out of the operator-only pages.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { session } from './session.ts';
import { setExpiredHandler } from './api/client.ts';
import Shell from './components/Shell.vue';
import Login from './pages/Login.vue';
import Dashboard from './pages/Dashboard.vue';

const operatorOnly = { operatorOnly: true };
const questionnaires = { title: 'nav.questionnaires' };
const editor = () => import('./pages/QuestionnaireEdit.vue');

const routes: RouteRecordRaw[] = [
  { path: '/login', component: Login, meta: { public: true } },
  {
    path: '/',
    component: Shell,
    children: [
      { path: '', component: Dashboard, meta: { title: 'nav.dashboard' } },
      { path: 'library', component: () => import('./pages/Library.vue'), meta: { title: 'nav.library', ...operatorOnly } },
      { path: 'library/:id(\\d+)', component: () => import('./pages/ProgramDetail.vue'), meta: { title: 'nav.library', ...operatorOnly } },
      { path: 'channels', component: () => import('./pages/Channels.vue'), meta: { title: 'nav.channels', ...operatorOnly } },
      {
        path: 'channels/:id(\\d+)',
        component: () => import('./pages/ChannelSchedule.vue'),
        meta: { title: 'nav.channels', ...operatorOnly },
      },
      { path: 'sites', component: () => import('./pages/Sites.vue'), meta: { title: 'nav.sites' } },
      { path: 'sites/:id(\\d+)', component: () => import('./pages/SiteDetail.vue'), meta: { title: 'nav.sites' } },
      { path: 'requests', component: () => import('./pages/Requests.vue'), meta: { title: 'nav.requests', ...operatorOnly } },
      { path: 'reports/activity', component: () => import('./pages/ReportActivity.vue'), meta: { title: 'nav.reportActivity' } },
      { path: 'reports/reach', component: () => import('./pages/ReportReach.vue'), meta: { title: 'nav.reportReach' } },
      { path: 'reports/members', component: () => import('./pages/ReportMembers.vue'), meta: { title: 'nav.reportMembers' } },
      { path: 'reports/sites', component: () => import('./pages/ReportSites.vue'), meta: { title: 'nav.reportSites' } },
      { path: 'questionnaires', component: () => import('./pages/Questionnaires.vue'), meta: questionnaires },
      { path: 'questionnaires/new', component: editor, meta: { ...questionnaires, ...operatorOnly } },
      { path: 'questionnaires/:id(\\d+)', component: editor, meta: { ...questionnaires, ...operatorOnly } },
      { path: 'questionnaires/:id(\\d+)/results', component: () => import('./pages/QuestionnaireResults.vue'), meta: questionnaires },
      { path: 'reports/study', component: () => import('./pages/ReportStudy.vue'), meta: { title: 'nav.reportStudy' } },
      { path: 'members', component: () => import('./pages/Members.vue'), meta: { title: 'nav.members' } },
      { path: 'platforms', component: () => import('./pages/Platforms.vue'), meta: { title: 'nav.platforms', ...operatorOnly } },
      { path: 'upstream', component: () => import('./pages/Upstream.vue'), meta: { title: 'nav.upstream', ...operatorOnly } },
      { path: 'users', component: () => import('./pages/Users.vue'), meta: { title: 'nav.users', ...operatorOnly } },
      { path: ':rest(.*)*', component: () => import('./pages/NotFound.vue'), meta: { title: 'nav.notFound' } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach((to) => {
  if (to.meta.public) return true;
  if (!session.token) return { path: '/login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.meta.operatorOnly && session.user?.role !== 'operator') return { path: '/reports/activity' };
  return true;
});

setExpiredHandler(() => {
  const here = router.currentRoute.value;
  if (here.path === '/login') return;
  void router.push({ path: '/login', query: { expired: '1', next: here.fullPath } });
});
