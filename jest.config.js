// Two projects: unit tests (Pulumi mocks, no Docker, seconds) and e2e tests (the real engine
// and Docker daemon through the Automation API). `npm test` runs both.
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }];
module.exports = {
  // e2e tests deploy for real: image builds and health checks take seconds to minutes.
  testTimeout: 10 * 60 * 1000,
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
    {
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
  ],
};
