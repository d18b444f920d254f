// Three projects: unit tests (Pulumi mocks, no Docker, seconds), e2e tests (the real engine and
// Docker daemon through the Automation API) and the stress test (kills, minutes). `npm test` runs
// unit and e2e; `npm run test:stress` the stress test.
//
// ts-jest only transpiles (each file on its own, as `isolatedModules`): type checking the whole
// program for every test file was most of the unit project's time, and `npm test` (like `npm run
// build` and the PR workflow) type-checks everything once with `npx tsc --noEmit` before jest runs.
const { compilerOptions } = require("./tsconfig.json");
const tsJest = ["ts-jest", { tsconfig: { ...compilerOptions, isolatedModules: true } }];
module.exports = {
  // e2e tests deploy for real: image builds and health checks take seconds to minutes.
  testTimeout: 10 * 60 * 1000,
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
      setupFilesAfterEnv: ["<rootDir>/test/unit/support/unmapped-pulumi-stacks.ts"],
    },
    {
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
    {
      displayName: "stress",
      testMatch: ["<rootDir>/test/stress/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
  ],
};
