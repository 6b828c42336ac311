// The demo library `npm start` builds on an empty data dir: short lectures of the shapes the field
// sends (16:9 HD, interlaced 4:3 SD on MPEG-2, a portrait phone clip, an audio-only talk, a small 4:3
// AVI, an English-language MKV), described with the real taxonomy. scripts/demo.ts renders each with
// ffmpeg lavfi pictures, a title drawn in a CJK font, and narration spoken by espeak-ng (a tone where
// espeak-ng is missing), then ingests it like an upload.

export interface DemoVideo {
  width: number;
  height: number;
  /** Frame rate as ffmpeg takes it: '25', '30000/1001'. */
  rate: string;
  /** A lavfi picture source name: testsrc2, smptebars, cellauto, life, ... (cheap to render) */
  picture: string;
  interlaced?: boolean;
}

export interface DemoLecture {
  /** File name of the generated source, without extension. */
  key: string;
  /** What this lecture demonstrates. */
  shape: 'hd-16x9' | 'sd-4x3-interlaced' | 'portrait-phone' | 'audio-only' | 'small-4x3' | 'sd-16x9';
  container: 'mp4' | 'mpg' | 'mp3' | 'avi' | 'mkv';
  /** Null for an audio-only talk. */
  video: DemoVideo | null;
  seconds: number;
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
  lecturer: string;
  category: string;
  audiences: string[];
  series?: string;
  episode?: number;
  tags: string[];
  language: 'zh-CN' | 'en';
  /** Spoken by espeak-ng with this voice; repeated with pauses to fill the length. */
  narration: { voice: 'cmn' | 'en'; text: string };
}

const PARTY_HISTORY_SERIES = '党史故事 Party History Stories';

export const DEMO_LECTURES: readonly DemoLecture[] = [
  {
    key: 'party-history-1',
    shape: 'hd-16x9',
    container: 'mp4',
    video: { width: 1280, height: 720, rate: '25', picture: 'testsrc2' },
    seconds: 36,
    titleZh: '党史故事 第一讲：红船启航',
    titleEn: 'Party History Stories 1: The Red Boat',
    descriptionZh: '一九二一年，中国共产党第一次全国代表大会在嘉兴南湖的一条红船上闭幕。本讲讲述红船精神的由来。',
    descriptionEn:
      'In 1921 the First National Congress closed on a red boat on South Lake in Jiaxing. This lecture tells where the Red Boat spirit comes from.',
    lecturer: '李明 教授',
    category: 'party-history',
    audiences: ['rural-members', 'elderly-members'],
    series: PARTY_HISTORY_SERIES,
    episode: 1,
    tags: ['红船精神', '建党'],
    language: 'zh-CN',
    narration: { voice: 'cmn', text: '同志们好。今天我们学习党史故事第一讲，红船启航。一九二一年七月，中国共产党第一次全国代表大会召开。' },
  },
  {
    key: 'party-history-2',
    shape: 'sd-4x3-interlaced',
    container: 'mpg',
    video: { width: 720, height: 576, rate: '25', picture: 'smptebars', interlaced: true },
    seconds: 40,
    titleZh: '党史故事 第二讲：长征精神',
    titleEn: 'Party History Stories 2: The Long March',
    descriptionZh: '二万五千里长征是人类历史上的伟大奇迹。本讲从一份老录像带转录的标清节目，画面为四比三隔行扫描。',
    descriptionEn: 'The Long March, told in a programme transferred from an old tape: standard definition, 4:3, interlaced MPEG-2.',
    lecturer: '李明 教授',
    category: 'party-history',
    audiences: ['rural-members', 'elderly-members', 'village-cadres'],
    series: PARTY_HISTORY_SERIES,
    episode: 2,
    tags: ['长征'],
    language: 'zh-CN',
    narration: { voice: 'cmn', text: '党史故事第二讲，长征精神。红军不怕远征难，万水千山只等闲。' },
  },
  {
    key: 'corn-pests-phone',
    shape: 'portrait-phone',
    container: 'mp4',
    video: { width: 540, height: 960, rate: '30', picture: 'cellauto' },
    seconds: 30,
    titleZh: '田间课堂：玉米病虫害防治',
    titleEn: 'Field Class: Protecting Corn from Pests',
    descriptionZh: '农技员在地头用手机竖屏拍摄的一堂短课，讲解玉米螟的识别与绿色防控。',
    descriptionEn:
      'A short class filmed upright on a phone at the edge of a field: recognising the corn borer and controlling it without heavy spraying.',
    lecturer: '张华 农艺师',
    category: 'agriculture-tech',
    audiences: ['rural-members', 'migrant-members'],
    tags: ['玉米', '病虫害', '绿色防控'],
    language: 'zh-CN',
    narration: { voice: 'cmn', text: '乡亲们好，我们现在在玉米地里。大家看，这就是玉米螟，要及早发现，及早防治。' },
  },
  {
    key: 'winter-falls-talk',
    shape: 'audio-only',
    container: 'mp3',
    video: null,
    seconds: 60,
    titleZh: '健康讲座：冬季老年人防跌倒',
    titleEn: 'Health Talk: Preventing Falls in Winter',
    descriptionZh: '乡镇卫生院医生的广播讲座录音（仅音频），介绍老年人冬季防跌倒的五个要点。',
    descriptionEn: 'A radio talk by a township clinic doctor (audio only): five ways older people can avoid falls in winter.',
    lecturer: '王芳 医生',
    category: 'health-culture',
    audiences: ['elderly-members'],
    tags: ['健康', '防跌倒'],
    language: 'zh-CN',
    narration: { voice: 'cmn', text: '各位老党员朋友，冬天路面湿滑，出门要穿防滑鞋，走路要慢，家里要装扶手，夜里起床先开灯。' },
  },
  {
    key: 'land-contract-law',
    shape: 'small-4x3',
    container: 'avi',
    video: { width: 480, height: 360, rate: '30000/1001', picture: 'life' },
    seconds: 30,
    titleZh: '农村土地承包法十问',
    titleEn: 'Ten Questions on the Rural Land Contract Law',
    descriptionZh: '以问答形式讲解土地承包经营权的流转、期限与纠纷调解。源文件为旧电脑上的小尺寸AVI。',
    descriptionEn:
      'Questions and answers on transferring contracted land, contract terms and settling disputes. The source is a small AVI from an old PC.',
    lecturer: '赵强 律师',
    category: 'laws-regulations',
    audiences: ['village-cadres', 'graduate-officials'],
    tags: ['土地承包', '普法'],
    language: 'zh-CN',
    narration: { voice: 'cmn', text: '第一问，土地承包期届满后怎么办？答，第二轮土地承包到期后再延长三十年。' },
  },
  {
    key: 'market-economy-basics',
    shape: 'sd-16x9',
    container: 'mkv',
    video: { width: 854, height: 480, rate: '25', picture: 'testsrc' },
    seconds: 35,
    titleZh: '市场经济入门（英语）',
    titleEn: 'Market Economy Basics',
    descriptionZh: '面向外出务工党员的英语短课：供给、需求与价格。',
    descriptionEn: 'A short lecture in English for migrant members: supply, demand and prices.',
    lecturer: 'Chen Lin',
    category: 'market-economy',
    audiences: ['migrant-members', 'graduate-officials'],
    tags: ['market', 'economy'],
    language: 'en',
    narration: {
      voice: 'en',
      text: 'Welcome. Today we talk about supply and demand. When many people want a thing and there is little of it, its price goes up.',
    },
  },
];

/** The program title shown everywhere: Chinese first, English after a separator. */
export const demoTitle = (l: DemoLecture) => `${l.titleZh}｜${l.titleEn}`;

/** Description in both languages. */
export const demoDescription = (l: DemoLecture) => `${l.descriptionZh}\n\n${l.descriptionEn}`;
