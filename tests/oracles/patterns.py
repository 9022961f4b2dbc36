"""Holds pipegen's compiled AWS model patterns to the regex engine cfn-lint uses.

Input: a JSON list of {pattern, whole, samples, ours} (ours: pipegen's verdict per sample).
cfn-lint checks a template value against a schema pattern with `regex.search(pattern, value)`
(cfnlint/jsonschema/_keywords.py, `pattern`). The services themselves read the patterns with
ASCII `\\d`/`\\w`/`\\b` (ECMA-262 without `u`, Java without UNICODE_CHARACTER_CLASS) and a `.`
that stops at every line terminator; pipegen follows the services. So, per sample:

1. pipegen never accepts what the engine refuses, with cfn-lint's flags (CloudFormation
   patterns) and with ASCII classes (both kinds): a value pipegen passes passes cfn-lint;
2. on samples without line terminators, pipegen's verdict is the engine's with ASCII classes
   (botocore patterns matched against the whole value): pipegen is not stricter than AWS.

botocore's models are Java patterns over UTF-16, where `\\uD800\\uDC00-\\uDBFF\\uDFFF` is the range
of the code points beyond the Basic Multilingual Plane; Python reads code points, so that
spelling is given to it as `\\U00010000-\\U0010FFFF` (no CloudFormation schema has it).

Exit 1, listing the disagreements, when either fails.
"""

import json
import sys

import regex

LINE_TERMINATORS = set("\n\r\u0085\u2028\u2029")


def main() -> int:
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    problems = []
    total = 0
    for case in cases:
        pattern, whole = case["pattern"], case["whole"]
        pattern = pattern.replace(r"\uD800\uDC00-\uDBFF\uDFFF", r"\U00010000-\U0010FFFF")
        # The ASCII flag makes `regex`'s `\p{…}` ASCII too; Unicode properties are Unicode in
        # both dialects, and a pattern with them has no `\d`, `\w` or `\b`.
        flags = regex.V0 if r"\p{" in pattern else regex.ASCII | regex.V0
        if flags & regex.ASCII == 0:
            assert not regex.search(r"\\[dwb]", pattern), pattern
        ascii_ = regex.compile(pattern, flags)
        lint = regex.compile(pattern)
        for sample, ours in zip(case["samples"], case["ours"]):
            total += 1
            if whole:
                strict = ascii_.fullmatch(sample) is not None
            else:
                strict = ascii_.search(sample) is not None
            linted = lint.search(sample) is not None
            shown = f"{pattern!r} on {sample[:80]!r}"
            if ours and not strict:
                problems.append(f"pipegen accepts what AWS's dialect refuses: {shown}")
            if ours and not whole and not linted:
                problems.append(f"pipegen accepts what cfn-lint refuses: {shown}")
            terminators = LINE_TERMINATORS & set(sample)
            if not terminators and ours != strict:
                problems.append(f"pipegen {'accepts' if ours else 'refuses'}, the engine does not: {shown}")
    print(f"patterns: {len(cases)}, samples: {total}, disagreements: {len(problems)}")
    for p in problems[:40]:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
