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
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { zh, en };

/** The message for `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dictionaries[lang][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
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
