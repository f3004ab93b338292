import { describe, expect, test } from "vitest";
import { run } from "./native";

describe("echo", () => {
  test("prints its arguments", () => {
    expect(run("echo", ["hello", "world"])).toMatchObject({ status: 0, stdout: "hello world\n" });
  });
  test("-n and -e", () => {
    expect(run("echo", ["-n", "a"]).stdout).toBe("a");
    expect(run("echo", ["-e", "a\\tb\\nc"]).stdout).toBe("a\tb\nc\n");
    expect(run("echo", ["a\\tb"]).stdout).toBe("a\\tb\n");
    expect(run("echo", ["-e", "x\\cy"]).stdout).toBe("x");
    expect(run("echo", ["-x", "y"]).stdout).toBe("-x y\n");
    expect(run("echo", []).stdout).toBe("\n");
  });
});
