// The kiosk's words in Simplified Chinese (default) and English. Pure: the language is passed in, and the
// choice is persisted through a Storage-like object so tests can hand in a plain map.

export type Lang = 'zh' | 'en';

const zh = {
  appTitle: '远程教育',
  home: '首页',
  channels: '频道',
  onDemand: '点播课程',
  onDemandHint: '按分类、系列浏览和搜索课程',
  language: 'English',
  languageHint: 'Switch to English',
  online: '在线',
  offline: '离线',
  offlineHint: '网络已断开，正在播放本地节目',
  nowOn: '正在播出',
  next: '下一个',
  nothingOn: '暂无节目',
  noChannels: '本站点还没有频道。请联系管理员。',
  channelNo: '{n} 频道',
  all: '全部课程',
  series: '系列',
  categories: '分类',
  search: '搜索',
  searchPrompt: '用方向键选字，按确认键输入',
  searchEmpty: '没有找到课程',
  del: '删除',
  clear: '清空',
  space: '空格',
  results: '{n} 门课程',
  held: '已下载',
  downloading: '下载中 {p}%',
  queued: '等待下载',
  streamOnly: '在线播放',
  notOffline: '离线时不能播放：尚未下载',
  play: '播放',
  resumeFrom: '从 {t} 继续播放',
  playFromStart: '从头播放',
  download: '下载到本站',
  downloadQueued: '已加入下载队列',
  askBroadcast: '申请播出这门课',
  askTopic: '申请这个主题',
  memberNoTitle: '会员编号（可不填）',
  memberNoHint: '用数字键或屏幕键盘输入编号',
  submit: '提交',
  skip: '不填，直接提交',
  requestSent: '申请已提交，谢谢！',
  requestFailed: '申请没有提交成功，请稍后再试',
  lecturer: '主讲：{name}',
  episode: '第 {n} 集',
  duration: '时长 {d}',
  back: '返回',
  loading: '正在加载…',
  playbackFailed: '这个节目暂时无法播放',
  channelFailed: '频道暂时无法播放，已返回首页',
  reconnecting: '网络中断，正在重新连接…',
  paused: '已暂停',
  info: '节目信息',
  channelNotFound: '没有 {n} 频道',
  agentUnreachable: '无法连接本机服务，正在重试…',
  lastSync: '上次同步 {t}',
  never: '从未',
  cache: '本地节目 {p}%',
  watching: '继续观看',
  // The attendance corner panel (player/kiosk/attendance).
  attHeadcountQ: '现在有几人在看？',
  attTypeDigits: '按数字键输入人数',
  attChangeHint: '按数字键更改 · 按确认键保存',
  attMember: '会员签到',
  attMemberHint: '输入会员号按确认键，或刷会员卡',
  attMembersN: '已签到 {n} 位会员',
  attNavHint: '上下键切换 · 返回键关闭',
  attSavedHeadcount: '已记录：{n} 人在看',
  attSignedIn: '会员 {no} 已签到',
  attFailed: '没有保存成功，请再试一次',
  attBadMember: '会员号不对：{msg}',
  // Surveys and quizzes (src/screens/questionnaire*.ts, src/quiz-offer.ts).
  qMenu: '问卷与测验',
  qMenuHint: '回答需求问卷，参加课后测验',
  qNone: '现在没有要回答的问卷或测验',
  qSurvey: '问卷',
  qQuiz: '测验',
  qQuestions: '{n} 道题',
  qOffer: '本课有课后测验「{title}」：按确认键开始',
  qModeTitle: '谁来回答？',
  qModeMember: '每位会员自己答',
  qModeRoom: '全场举手计数',
  qModeHint: '按 1 或 2 选择 · 返回键离开',
  qMemberTitle: '请输入会员号，或刷会员卡',
  qMemberHint: '数字键输入 · 左键删除 · 上下键选已签到的会员 · 确认键开始',
  qHeadcountTitle: '现场有多少人？',
  qHeadcountHint: '数字键输入人数 · 左键删除 · 确认键开始',
  qProgress: '第 {i} / {n} 题',
  qHintSingle: '按数字键选一项',
  qHintMultiple: '按数字键选中或取消，可以多选',
  qHintRating: '按 1 到 5 打分（5 最好）',
  qHintRoom: '上下键选项，数字键输入举手人数（现场共 {n} 人）',
  qKeys: '确认键下一题 · 左右键前后翻题 · 返回键离开（答案保留）',
  qPickFirst: '请先按数字键选择',
  qNoSuchOption: '没有第 {n} 项',
  qCountTooHigh: '{count} 人超过了现场的 {headcount} 人，请重新数',
  qBadHeadcount: '人数应在 1 到 999 之间',
  qNeedMember: '请先输入会员号',
  qReviewTitle: '已答 {a} / {n} 题',
  qReviewHint: '确认键提交 · 左键返回修改 · 返回键离开（答案保留）',
  qSending: '正在提交…',
  qSent: '已提交，谢谢！',
  qScore: '答对 {c} / {n} 题，得分 {p}',
  qPassed: '通过',
  qFailed: '未通过',
  qDoneHint: '按确认键或返回键离开',
  qRefused: '没有提交：{msg}',
  qSendFailed: '没有提交成功，请再按确认键',
  qRating: '{n} 分',
  qHands: '{n} 人',
  qMemberIs: '会员 {no}',
  qRoomIs: '全场 {n} 人',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appTitle: 'Distance Education',
  home: 'Home',
  channels: 'Channels',
  onDemand: 'On demand',
  onDemandHint: 'Browse lectures by category and series, or search',
  language: '中文',
  languageHint: '切换到中文',
  online: 'Online',
  offline: 'Offline',
  offlineHint: 'No network: playing from this site',
  nowOn: 'Now',
  next: 'Next',
  nothingOn: 'Nothing scheduled',
  noChannels: 'This site has no channels yet. Please call the administrator.',
  channelNo: 'Channel {n}',
  all: 'All lectures',
  series: 'Series',
  categories: 'Categories',
  search: 'Search',
  searchPrompt: 'Pick characters with the arrows, press OK to type',
  searchEmpty: 'No lecture found',
  del: 'Delete',
  clear: 'Clear',
  space: 'Space',
  results: '{n} lectures',
  held: 'Downloaded',
  downloading: 'Downloading {p}%',
  queued: 'Queued',
  streamOnly: 'Streams online',
  notOffline: 'Not downloaded yet: cannot play offline',
  play: 'Play',
  resumeFrom: 'Resume from {t}',
  playFromStart: 'Play from the start',
  download: 'Download to this site',
  downloadQueued: 'Queued for download',
  askBroadcast: 'Ask for this to be broadcast',
  askTopic: 'Ask for this topic',
  memberNoTitle: 'Member number (optional)',
  memberNoHint: 'Type it with the digit keys or the keypad on screen',
  submit: 'Send',
  skip: 'Send without a number',
  requestSent: 'Request sent. Thank you!',
  requestFailed: 'The request could not be sent; please try again later',
  lecturer: 'Lecturer: {name}',
  episode: 'Episode {n}',
  duration: 'Length {d}',
  back: 'Back',
  loading: 'Loading…',
  playbackFailed: 'This program cannot be played right now',
  channelFailed: 'The channel cannot be played right now; back to home',
  reconnecting: 'Network lost, reconnecting…',
  paused: 'Paused',
  info: 'Program info',
  channelNotFound: 'There is no channel {n}',
  agentUnreachable: 'Cannot reach the local service, retrying…',
  lastSync: 'Last sync {t}',
  never: 'never',
  cache: 'Local programs {p}%',
  watching: 'Continue watching',
  // The attendance corner panel (player/kiosk/attendance).
  attHeadcountQ: 'How many people are watching?',
  attTypeDigits: 'Type the number on the remote',
  attChangeHint: 'Digits to change · OK to save',
  attMember: 'Member sign-in',
  attMemberHint: 'Type your member number and press OK, or swipe your card',
  attMembersN: '{n} members signed in',
  attNavHint: 'Up/Down to switch · Back to close',
  attSavedHeadcount: 'Saved: {n} watching',
  attSignedIn: 'Member {no} signed in',
  attFailed: 'Not saved, please try again',
  attBadMember: 'Member number not accepted: {msg}',
  // Surveys and quizzes (src/screens/questionnaire*.ts, src/quiz-offer.ts).
  qMenu: 'Surveys and quizzes',
  qMenuHint: 'Tell us what you need, take the quiz of a lecture',
  qNone: 'No survey or quiz to answer right now',
  qSurvey: 'Survey',
  qQuiz: 'Quiz',
  qQuestions: '{n} questions',
  qOffer: 'This lecture has a quiz, "{title}": press OK to start',
  qModeTitle: 'Who is answering?',
  qModeMember: 'Each member on their own',
  qModeRoom: 'The room, by show of hands',
  qModeHint: 'Press 1 or 2 · Back leaves',
  qMemberTitle: 'Type your member number, or swipe your card',
  qMemberHint: 'Digits to type · Left deletes · Up/Down for members signed in · OK to start',
  qHeadcountTitle: 'How many people are in the room?',
  qHeadcountHint: 'Type the number · Left deletes · OK to start',
  qProgress: 'Question {i} of {n}',
  qHintSingle: 'Press a digit to pick one',
  qHintMultiple: 'Digits pick or unpick; pick all that apply',
  qHintRating: 'Press 1 to 5 (5 is best)',
  qHintRoom: 'Up/Down to an option, type the hands up ({n} people in the room)',
  qKeys: 'OK next · Left/Right between questions · Back leaves (answers kept)',
  qPickFirst: 'Pick an option with a digit first',
  qNoSuchOption: 'There is no option {n}',
  qCountTooHigh: '{count} is more than the {headcount} people in the room; count again',
  qBadHeadcount: 'The number of people is 1 to 999',
  qNeedMember: 'Type a member number first',
  qReviewTitle: '{a} of {n} questions answered',
  qReviewHint: 'OK sends · Left goes back to change · Back leaves (answers kept)',
  qSending: 'Sending…',
  qSent: 'Sent. Thank you!',
  qScore: '{c} of {n} right, score {p}',
  qPassed: 'Passed',
  qFailed: 'Not passed',
  qDoneHint: 'OK or Back to leave',
  qRefused: 'Not sent: {msg}',
  qSendFailed: 'Not sent; press OK to try again',
  qRating: '{n}',
  qHands: '{n}',
  qMemberIs: 'Member {no}',
  qRoomIs: 'The room, {n} people',
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { zh, en };

/** The message for `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dictionaries[lang][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export const LANG_STORAGE_KEY = 'kiosk.lang';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The language chosen on this TV, or null when nobody has chosen yet. */
export function savedLang(store: KeyValueStore): Lang | null {
  const v = store.getItem(LANG_STORAGE_KEY);
  return v === 'en' || v === 'zh' ? v : null;
}

/** The language to show: the one chosen on this TV, else the site's default (the agent's --lang), else Chinese. */
export function loadLang(store: KeyValueStore, siteDefault?: string): Lang {
  return savedLang(store) ?? parseLang(siteDefault) ?? 'zh';
}

/** 'en', 'en-GB' -> 'en'; 'zh', 'zh-CN' -> 'zh'; anything else -> null. */
export function parseLang(tag: string | undefined | null): Lang | null {
  if (!tag) return null;
  const base = tag.toLowerCase().split(/[-_]/)[0];
  return base === 'en' ? 'en' : base === 'zh' ? 'zh' : null;
}

export function saveLang(store: KeyValueStore, lang: Lang): void {
  store.setItem(LANG_STORAGE_KEY, lang);
}

export function otherLang(lang: Lang): Lang {
  return lang === 'zh' ? 'en' : 'zh';
}

/** BCP 47 tag for Intl formatting and the html lang attribute. */
export function langTag(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}
