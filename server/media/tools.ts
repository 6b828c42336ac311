// Finds the ffmpeg and ffprobe binaries: configured path, then PATH, then the npm-bundled builds.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

const require = createRequire(import.meta.url);

function onPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

function bundled(pkg: string): string | undefined {
  try {
    const p = (require(pkg) as { path?: string }).path;
    return p && fs.existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The system ffmpeg (Debian 5.1 here) is preferred over the bundled 2018 static build, which crashes on
 * some multi-output HLS commands; the pipeline never uses -var_stream_map so either works.
 */
export function locateTools(config: { ffmpegPath?: string; ffprobePath?: string }): FfmpegTools {
  const ffmpeg = config.ffmpegPath || onPath('ffmpeg') || bundled('@ffmpeg-installer/ffmpeg');
  const ffprobe = config.ffprobePath || onPath('ffprobe') || bundled('@ffprobe-installer/ffprobe');
  if (!ffmpeg) throw new Error('ffmpeg not found: install it (apt-get install ffmpeg) or set FFMPEG_PATH');
  if (!ffprobe) throw new Error('ffprobe not found: install it (apt-get install ffmpeg) or set FFPROBE_PATH');
  return { ffmpeg, ffprobe };
}
