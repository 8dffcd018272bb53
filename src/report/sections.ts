// Text renderers of the per-domain report sections, registered with the text report.
import { renderCertText, type CertReport, type DeviceCertReport } from '../x509/index.js';
import { renderTufText, type TufReport } from '../tuf/index.js';
import { registerSectionRenderer } from './text.js';

let done = false;
export function registerSections(): void {
  if (done) return;
  done = true;
  // Sections are the JSON form of these reports (same shape, minus non-JSON handles).
  registerSectionRenderer('tuf', (s, st) => renderTufText(s as TufReport, st));
  registerSectionRenderer('certificates', (s, st) => renderCertText(s as CertReport, st));
  registerSectionRenderer('devices', (s, st) => renderCertText(s as DeviceCertReport, st));
}
