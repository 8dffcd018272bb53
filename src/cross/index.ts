// Cross-checks between the database, the TUF metadata and the certificates of one backup
// (spec 6). Device certificates against the CA are checked with the certificates (src/x509).
export { CROSS_CODES, type CrossCode } from './codes.js';
export { checkTrustState, type TrustStateResult } from './trust-state.js';
export { checkArtifacts, type ArtifactsResult } from './artifacts.js';
export { checkSecrets } from './secrets.js';
export { checkTiming, type TimingInput } from './timing.js';
