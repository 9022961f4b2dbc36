"""Judge many rendered pipegen output folders at once, with their consumers' own parsers.

    consumers.py [--jobs N] cfn DIR...    # with the cfn-lint venv's python (cfn-lint 1.58.0)
    consumers.py [--jobs N] aws FILE...   # with the oracles venv's python (awscli 1.46.2)

cfn: every file under each DIR, hidden ones too. YAML: cfn-lint's decoder (duplicate keys are
errors); a template (top-level AWSTemplateFormatVersion or Resources) is linted as cfn-lint's CLI
would (rules E, W; Metadata cfn-lint config honoured) for us-east-1, its Metadata regions and
DIR/.env's AWS_REGION; other YAML must pass yaml.safe_load. JSON: no NaN, Infinity or duplicate
key. *.properties/*.conf: UTF-8 read as JDK 17's Properties.load; a malformed \\uXXXX or a key
set twice is an error. Prints {"dirs": {DIR: [error]}, "warnings": {DIR: [warning]}, "templates":
N, "files": N, "seconds": S}, a finding being {"file" (in DIR), "tool", "rule", "level",
"message", "line"}; exit 0 iff no error.

aws: each FILE holds JSON lines, each the argv after `aws` of a call (see aws-recorder), run by
the real awscli driver in-process (parsing, customizations such as s3 cp and cloudformation
deploy, botocore's validation, serialization, endpoints); a `before-call` hook then checks what
the service would from the same model (maximum lengths and ranges, enums, patterns) and the
headers with http.client, and answers with a stub: nothing is sent. Fake credentials, region
us-east-1 unless given, waiters poll once, canned answers (HEAD gets 404, no failure by itself:
s3 downloads fail). A
missing local file (relative to the current folder) goes under "local_file_missing", and the
call is judged again with an empty stand-in. Prints {"calls": N, "failures": [{"file", "argv",
"rc", "error"}], "local_file_missing": [{"file", "argv", "path"}], "seconds": S}; exit 0 iff no
failure. Either way, --jobs forked processes (2) share the work.
"""

import argparse
import contextlib
import copy
import datetime
import io
import json
import logging
import multiprocessing
import os
import re
import sys
import tempfile
import time
import traceback
import types
from pathlib import Path


def pmap(func, items, jobs):
    """func over items, in order, in `jobs` forked processes (which share what is loaded)."""
    if jobs <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    with multiprocessing.get_context("fork").Pool(min(jobs, len(items))) as pool:
        return pool.map(func, items, chunksize=1)


def finding(file, tool, rule, message, line=None, level="error"):
    return dict(file=file, tool=tool, rule=rule, level=level, message=message, line=line)


def properties_findings(rel, text):
    """Keys set twice and malformed escapes in a java.util.Properties text, read as JDK 17's
    Properties.LineReader and load0 do, quirks included."""
    parts, buf, start, seen, found = re.split(r"(\r\n|\r|\n)", text), "", 0, {}, []
    for k in range(0, len(parts), 2):  # parts: line, terminator, line, ..., line
        line = parts[k].lstrip(" \t\f")
        if not buf and (not line or line[0] in "#!"):  # also just after a line of only `\`
            continue
        start, buf = start if buf else k // 2 + 1, buf + line
        if (len(buf) - len(buf.rstrip("\\"))) % 2:  # an odd number of trailing backslashes
            buf = buf[:-1]  # continued if anything follows the terminator's first character
            if parts[k + 1:k + 2] == ["\r\n"] or parts[k + 2:] not in ([], [""]):
                continue
        # The key ends at an unescaped blank, `=` or `:`; then blanks, one `=` or `:`, blanks.
        (key, value), buf = re.fullmatch(
            r"((?:\\.|[^\\=: \t\f])*)[ \t\f]*[=:]?[ \t\f]*(.*)", buf, re.S).groups(), ""
        try:
            key, _ = unescape(key), unescape(value)
        except ValueError as e:
            found.append(finding(rel, "properties", "escape", str(e), start))
            continue
        if key in seen:
            found.append(finding(rel, "properties", "duplicate-key",
                                 f"key {key!r} set again (first on line {seen[key]})", start))
        seen.setdefault(key, start)
    return found


def unescape(text):
    def one(match):
        escaped = match.group(1)
        if escaped == "u":
            raise ValueError("malformed \\uxxxx encoding")
        return chr(int(escaped[1:], 16)) if len(escaped) == 5 else \
            {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(escaped, escaped)

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|.)", one, text, flags=re.S)


def strict_json(text):
    def pairs(items):
        if len({k for k, _ in items}) < len(items):
            raise ValueError(f"duplicate key among {sorted(k for k, _ in items)!r}")
        return dict(items)

    def constant(name):
        raise ValueError(f"non-JSON number {name}")

    json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


# ---------------------------------------------------------------- cfn

RULES = []  # cfn-lint's rules, loaded once before forking
SUFFIXES = (".yaml", ".yml", ".json", ".properties", ".conf")


def regions_for(folder, template):
    """us-east-1, the template's Metadata cfn-lint regions, AWS_REGION from DIR/.env."""
    own = template
    for key in ("Metadata", "cfn-lint", "config", "regions"):
        own = own.get(key) if isinstance(own, dict) else None
    env = Path(folder, ".env")
    env = env.read_bytes().decode("utf-8", "replace") if env.is_file() else ""
    own = (own if isinstance(own, list) else []) + re.findall(
        r"^AWS_REGION=['\"]?([^'\"\n]*)", env, re.M)
    return list(dict.fromkeys(["us-east-1"] + [r for r in own if isinstance(r, str) and r]))


def lint_template(folder, rel, template):
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner.template import run_template_by_file_path
    config = ConfigMixIn([], regions=regions_for(folder, template))
    try:
        return [finding(rel, "cfn-lint", m.rule.id, m.message, m.linenumber, m.rule.severity)
                for m in run_template_by_file_path(str(Path(folder, rel)), config, RULES[0], False)]
    except Exception as e:  # noqa: BLE001 - a crash of the linter is a finding too
        return [finding(rel, "cfn-lint", "crash", f"{type(e).__name__}: {e}")]


def judge_file(task):
    """(findings, is_template) for one file of a rendered folder."""
    folder, rel = task
    tool = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}.get(Path(rel).suffix, "properties")
    try:
        text = Path(folder, rel).read_bytes().decode("utf-8")
        if tool == "json":
            strict_json(text)
        elif tool == "properties":
            return properties_findings(rel, text), False
        else:
            import yaml
            from cfnlint.decode.decode import decode_str
            template, matches = decode_str(text)
            if matches:
                return [finding(rel, "cfn-lint", m.rule.id, m.message, m.linenumber)
                        for m in matches], False
            if isinstance(template, dict) and (
                    "AWSTemplateFormatVersion" in template or "Resources" in template):
                return lint_template(folder, rel, template), True
            yaml.safe_load(text)
    except Exception as e:  # noqa: BLE001 - every parse failure is a finding
        mark = getattr(e, "problem_mark", None)
        line = getattr(e, "lineno", None) or (mark.line + 1 if mark else None)
        return [finding(rel, tool, type(e).__name__, str(e).strip(), line)], False
    return [], False


def cfn_main(dirs, jobs):
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner
    RULES.append(Runner(ConfigMixIn([])).rules)
    report, tasks = {"dirs": {}, "warnings": {}, "templates": 0}, []
    for folder in dirs:
        report["dirs"][folder], report["warnings"][folder] = [], []
        if not Path(folder).is_dir():
            report["dirs"][folder].append(finding("", "consumers", "missing-dir", "absent"))
        tasks += [(folder, str(p.relative_to(folder))) for p in sorted(Path(folder).rglob("*"))
                  if p.is_file() and p.suffix in SUFFIXES]
    for (folder, _), (found, is_template) in zip(tasks, pmap(judge_file, tasks, jobs)):
        report["templates"] += is_template
        for f in (f for f in found if f["level"] in ("error", "warning")):  # not informational
            report["dirs" if f["level"] == "error" else "warnings"][folder].append(f)
    report["files"] = len(tasks)
    return report, not any(report["dirs"].values())


# ---------------------------------------------------------------- aws

STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/stub/0"
CANNED = {
    "DescribeStacks": {"Stacks": [{"StackName": "stub", "StackStatus": "REVIEW_IN_PROGRESS",
                                   "CreationTime": datetime.datetime(2024, 1, 1)}]},
    "CreateChangeSet": {"Id": STACK.replace("stack", "changeSet"), "StackId": STACK},
    "DescribeChangeSet": {"Status": "CREATE_COMPLETE", "ExecutionStatus": "AVAILABLE"},
    "CreateMultipartUpload": {"UploadId": "stub"}, "UploadPart": {"ETag": '"stub"'},
    "HEAD": {"Error": {"Code": "404", "Message": "Not Found"}},  # any HEAD request
}
MISSING = re.compile(r"The user-provided path (.+) does not exist\.|Invalid template path (.+)")
SHARED = {}  # botocore's data loader and endpoint resolver, shared by all sessions


def model_errors(shape, value, path=""):
    """What the service checks from its model and botocore does not: maximum lengths and ranges,
    enums, patterns (whole values, ASCII \\d and \\w, as AWS's Java does; unreadable: skipped)."""
    kind, meta, errors = shape.type_name, shape.metadata, []
    if kind == "structure" and isinstance(value, dict):
        for name in [n for n in shape.members if n in value]:
            errors += model_errors(shape.members[name], value[name], f"{path}.{name}".lstrip("."))
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            errors += model_errors(shape.member, item, f"{path}[{i}]")
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            errors += model_errors(shape.key, key, f"{path} (key)")
            errors += model_errors(shape.value, item, f"{path}.{key}")
    number = kind in ("integer", "long", "float", "double") and isinstance(value, (int, float))
    size = value if number else len(value) if isinstance(value, (str, bytes, list, dict)) else None
    if size is not None and not meta.get("min", size) <= size <= meta.get("max", size):
        errors.append(f"Invalid length or range for parameter {path}: {size}, valid min: "
                      f"{meta.get('min')}, valid max: {meta.get('max')}")
    if kind != "string" or not isinstance(value, str):
        return errors
    if value not in (meta.get("enum") or [value]):
        errors.append(f"Invalid value for parameter {path}: {value!r}, valid: {meta['enum']}")
    try:
        import regex as rx  # reads \p{L} and the like, as Java does
    except ImportError:
        import re as rx
    with contextlib.suppress(rx.error):
        if "pattern" in meta and not rx.fullmatch(meta["pattern"], value, rx.ASCII):
            errors.append(f"Invalid value for parameter {path}: {value!r} does not match "
                          f"pattern {meta['pattern']!r}")
    return errors


def stub_call(model, params, context, **_):
    """before-call: check the request botocore built as the service and http.client would."""
    import http.client
    from botocore.exceptions import ParamValidationError
    errors = model.input_shape and model_errors(model.input_shape, context.get("pipegen_params"))
    if errors:
        raise ParamValidationError(report="\n".join(errors))
    headers = http.client.HTTPConnection("stub.invalid")  # never connects: nothing is sent
    headers.putrequest(params["method"], "/", skip_host=True, skip_accept_encoding=True)
    for name, value in params.get("headers", {}).items():
        headers.putheader(name, value)  # raises as it would before sending
    status, answer = (404, "HEAD") if params["method"] == "HEAD" else (200, model.name)
    response = types.SimpleNamespace(status_code=status, headers={}, content=b"", raw=None)
    return response, copy.deepcopy(CANNED.get(answer, {}))


def keep_params(params, context, **_):  # before-parameter-build, for stub_call
    context["pipegen_params"] = params


def aws_driver():
    """A fresh CLI driver, as `aws` builds one, but sharing botocore's loaded data."""
    import awscli.clidriver as cli
    import botocore.session
    session = botocore.session.Session(cli.EnvironmentVariables)
    if not SHARED:
        SHARED.update(loader=session.get_component("data_loader"),
                      resolver=session._get_internal_component("endpoint_resolver"))
    session.register_component("data_loader", SHARED["loader"])
    session._register_internal_component("endpoint_resolver", SHARED["resolver"])
    cli._set_user_agent_for_session(session)
    cli.load_plugins(session.full_config.get("plugins", {}),
                     event_hooks=session.get_component("event_emitter"))
    session.register("before-parameter-build", keep_params)
    session.register("before-call", stub_call)
    return cli.CLIDriver(session=session)


def aws_run(argv):
    """(return code, stderr) of the CLI on argv."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    stdin, sys.stdin, sys.argv[0] = sys.stdin, io.StringIO(""), "aws"
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = aws_driver().main(list(argv))
        except SystemExit as e:  # argparse's usage errors
            rc = e.code if isinstance(e.code, int) else 1
        except Exception:  # noqa: BLE001 - a crash is a failure like any other
            rc = 255
            err.write(traceback.format_exc())
        finally:
            sys.stdin = stdin
            for name in ("awscli", "botocore", "s3transfer", "urllib3"):
                logging.getLogger(name).handlers.clear()
                logging.getLogger(name).setLevel(logging.NOTSET)
    return rc, err.getvalue()


def judge_call(task):
    """(failure or None, missing local file or None) for one recorded call."""
    file, argv = task
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
        return {"file": file, "argv": argv, "rc": None, "error": "not a list of strings"}, None
    rc, err = aws_run(argv)
    found = MISSING.search(err) if rc else None
    missing = found and {"file": file, "argv": argv, "path": found.group(1) or found.group(2)}
    hits = [i for i, a in enumerate(argv) if missing and missing["path"] in (a, os.path.abspath(a))]
    if hits:  # judge the rest of the call with a stand-in for the missing file
        with tempfile.TemporaryDirectory() as tmp:
            stand_in = Path(tmp, Path(missing["path"]).name or "stand-in")
            many = argv[0] == "s3" and ("--recursive" in argv or argv[1] == "sync")
            stand_in.mkdir() if many else stand_in.write_text("{}\n")
            rc, err = aws_run([str(stand_in) if i in hits else a for i, a in enumerate(argv)])
    # The stub's own 404 to a HEAD request (head-object, head-bucket) is an answer: the call
    # was parsed, validated and made, so it is no failure.
    if rc and re.search(r"An error occurred \(404\) when calling the Head\w+ operation", err):
        rc = 0
    failure = {"file": file, "argv": argv, "rc": rc, "error": err.strip() or f"exit {rc}"}
    return failure if rc else None, missing


def aws_main(files, jobs):
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="stub",
                      AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                      AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    import awscli.clidriver  # noqa: F401 - first: it makes `botocore` its vendored copy
    import botocore.waiter
    # A waiter makes its call once and does not wait for the answer it wants.
    botocore.waiter.Waiter.wait = lambda self, WaiterConfig=None, **kw: self._operation_method(**kw)
    tasks, failures = [], []
    for file in files:
        for number, line in enumerate(Path(file).read_text(encoding="utf-8").splitlines(), 1):
            try:
                tasks += [(file, json.loads(line))] if line.strip() else []
            except ValueError as e:
                failures.append({"file": file, "argv": None, "rc": None,
                                 "error": f"line {number}: not JSON: {e}"})
    results = [judge_call(task) for task in tasks[:1]]  # loads botocore's data, for all to share
    results += pmap(judge_call, tasks[1:], jobs)
    failures += [f for f, _ in results if f]
    return {"calls": len(tasks), "failures": failures,
            "local_file_missing": [m for _, m in results if m]}, not failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("mode", choices=["cfn", "aws"])
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    start = time.monotonic()
    report, ok = (cfn_main if args.mode == "cfn" else aws_main)(args.paths, args.jobs)
    report["seconds"] = round(time.monotonic() - start, 2)
    print(json.dumps(report, indent=1, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
