// Codes about the run itself (bounds, skipped steps, unfinished parts).
export const RUN_CODES = {
  RUN_STEP_SKIPPED: [
    'warning',
    'A verification step was skipped because its input is missing or untrustworthy',
  ],
  RUN_NOT_IMPLEMENTED: ['warning', 'A part of verification this version does not perform yet'],
  RUN_INTERNAL_ERROR: ['error', 'A verification step failed unexpectedly; its result is unknown'],
  RUN_TIMEOUT: ['error', 'The --timeout wall-clock bound was reached before verification finished'],
  LIMIT_EXCEEDED: ['error', 'A resource bound was reached; the named input was not fully verified'],
} as const;
