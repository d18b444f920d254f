// Every bad configuration of the table is refused by loadConfig with exactly its one line.
import { loadConfig } from "../../stacks/registry";
import { BAD_CONFIGS } from "../bad-configs";

test("the table covers at least 25 bad configurations", () => {
  expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(25);
  expect(new Set(BAD_CONFIGS.map((c) => c.name)).size).toBe(BAD_CONFIGS.length);
});

test.each(BAD_CONFIGS.map((c) => [c.name, c] as const))("%s: refused with one line naming key, value and what is allowed", (_name, c) => {
  let message: string | undefined;
  try {
    loadConfig("appstacks", c.config as never);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toBe(c.line);
});
