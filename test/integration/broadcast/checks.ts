// Checks shared by the broadcast tests.
import { execFileSync } from 'node:child_process';

/**
 * Validates an XMLTV file with the XMLTV project's own tool (Debian xmltv-util) against the system DTD, offline;
 * returns its complaints ('' when valid).
 */
export function validateXmltv(file: string): string {
  try {
    execFileSync('tv_validate_file', [file], { stdio: 'pipe', env: { ...process.env, XMLTV_SUPPLEMENT: '/usr/share/xmltv' } });
    return '';
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    return `${e.stdout ?? ''}${e.stderr ?? ''}` || String(err);
  }
}
