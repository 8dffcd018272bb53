// `meshverify drill` as a library: rehearse a restore (online keys, pinned devices, enrollment,
// mutual TLS) on loopback and in memory.
export { drillBackup, runDrill } from './drill.js';
export { drillInput, readDrillArchive, tufDirSources, type DrillInput } from './input.js';
export { DRILL_DEFAULTS, drillOptions, type DrillOptions } from './options.js';
export { registerDrillSections, renderDrillText } from './render.js';
export { DRILL_CODES, type DrillCode } from './codes.js';
export type * from './types.js';
