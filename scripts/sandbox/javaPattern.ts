/**
 * SSM checks `allowedPattern` with Java's `java.util.regex` and accepts a value when
 * `Matcher.find()` succeeds: a match anywhere, where `$` also matches before a final line
 * terminator (`\n`, `\r\n`, `\r`, `\u0085`, `\u2028`, `\u2029`; Pattern's javadoc, "Line
 * terminators"). JavaScript's `RegExp.test` is a find too, but its `$` matches only at the very end
 * and it has no `\A`, `\Z`, `\z`. This translates those anchors so the sandbox accepts exactly what
 * SSM would; everything else the documents use (classes, groups, quantifiers) means the same in
 * both. test/content/host/allowedPatterns.test.ts checks the translation against a real JVM.
 */

/** Java's line terminators, as a JavaScript alternation. */
const LINE_TERMINATOR = "(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])";
const END_OF_INPUT = "(?![\\s\\S])";
const ANCHORS: Readonly<Record<string, string>> = {
  "\\A": "(?<![\\s\\S])",
  "\\z": END_OF_INPUT,
  "\\Z": `(?=${LINE_TERMINATOR}?${END_OF_INPUT})`,
  // Without MULTILINE, Java's `$` is `\Z`.
  $: `(?=${LINE_TERMINATOR}?${END_OF_INPUT})`,
};

/** The JavaScript source that matches as the Java pattern `pattern` does under `find()`. */
export function javaPatternToJs(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const escape = pattern.slice(i, i + 2);
      out += !inClass && escape in ANCHORS ? ANCHORS[escape] : escape;
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") inClass = true;
    out += c === "$" ? ANCHORS.$ : c;
  }
  return out;
}

/** Whether SSM would accept `value` for `pattern` (Java `Matcher.find()`). */
export function javaFinds(pattern: string, value: string): boolean {
  return new RegExp(javaPatternToJs(pattern), "u").test(value);
}
