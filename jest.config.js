/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 60000,
  // A worker whose memory stayed high after a suite (wasm memory never shrinks) is replaced, so
  // suites that bound their own peak memory (hostile_load's maxRSS) start in a fresh process.
  workerIdleMemoryLimit: '800MB',
};
