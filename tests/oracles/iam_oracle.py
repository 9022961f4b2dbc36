"""Independent IAM oracle for pipegen's CloudFormation: do the roles grant what the pipeline
needs, and nothing else?      python iam_oracle.py TEMPLATE.yaml NEEDS.json

Prints a JSON report; exit 0 when every verdict passes, 1 otherwise, 2 on unusable input
(unreadable files, a principal that is no AWS::IAM::Role - or AWS::IAM::ManagedPolicy attached to
no role of the template, for roles elsewhere - an intrinsic PHYSICAL cannot resolve,
an AWS managed policy moto does not know, a crash). Intrinsics are resolved with NEEDS.json's
account/region/partition and its parameters (values for template parameters without a
default) - in needs' resources too (${X.Arn}, ${X}).

needs  judged on the principal's inline policies, the template's ManagedPolicy / Policy
  resources attached to it, and its AWS managed policies (moto's copies, in
  moto/iam/aws_managed_policies.py): ALLOWED (an Allow applies, no Deny does) | DENIED (an
  explicit Deny applies: it always wins) | IMPLICIT_DENY (nothing applies). It passes when it
  matches `expect`: ALLOWED (default) or DENIED (= not allowed, either way). `engine` names
  who decided, statement by statement:
  moto: moto.iam.access_control.IAMPolicy(one-statement doc).is_action_permitted(action,
    resource) decides whether Action / NotAction / Resource match. It is not trusted with
    Conditions (it implements only StringEquals, counts a key missing from the context as
    satisfied, ignores other operators, and turns a failed condition of an Allow into an
    explicit DENY): it gets the statement without Condition. Nor with NotResource
    (unimplemented: a statement without Resource is PERMITTED whatever its Effect): it gets
    Resource "*". Its action match is a case-sensitive regex: it gets lowercased actions.
    As in moto: policy variables (${aws:username}) are not substituted, and `.` and `?` in
    a Resource are regex metacharacters.
  oracle: this script decides Conditions - StringEquals, StringLike, ArnEquals, ArnLike,
    Bool, also ...IfExists; a key missing from the need's `context` fails, with IfExists
    passes - and NotResource. Other operators are "unsupported": an Allow is then not
    credited, a Deny is assumed to apply.
excess  each action an Allow of a role's own (inline / template) policies grants, wildcards
  expanded by policy_sentry, must be that of an ALLOWED need of the role ("action"), and each
  Resource of the statement must cover such a need's resource ("resource"). An Allow with
  NotAction / NotResource is excess as such.
policy_sentry  each action of the own policies is in its database; each Resource of an Allow
  fits one of its ARN formats for the action, with this stack's partition / account and its
  region or one of NEEDS.json's other_regions (else ARN_OUTSIDE_STACK_SCOPE); "*" only for actions without resource types. `fits` decides
  with IAM wildcards (`*` spans ':' and '/'; a placeholder is 1+ chars, no ':', no '/' unless
  SLASHY), as policy_sentry's does_arn_match lets no `*` span ARN segments: log-group:NAME:*
  would not fit log-stream actions, though IAM says it does.
parliament  analyze_policy_string (default auditors) on each resolved own policy: a finding no
  allowlist.parliament entry matches (issue; optionally principal, action, resource -
  substrings of its detail / location) fails; unused entries are a warning only.
"""
import functools
import json
import re
import sys
import uuid

try:
    import parliament
    import yaml
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from policy_sentry.analysis.expand import expand
    from policy_sentry.querying.actions import get_action_data
except ImportError as missing:  # the wrong python: no verdict
    print(json.dumps({"error": f"run me with the oracles venv's python: {missing}", "ok": False}))
    sys.exit(2)

NOVALUE = object()
SLASHY = re.compile(r"WithPath|WithoutLeadingSlash|ObjectName|LogGroupName|LogStreamName|SecretId")
# CloudWatch Logs grants log-group actions on "log-group:NAME:*" (its LogGroup "arn", GetAtt Arn) too
EXTRA_FORMATS = {"arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}":
                 "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:*"}


class Unusable(Exception):
    """Input the oracle cannot judge (exit 2)."""


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !GetAtt, !Sub, ...) read as long forms."""


def _short_form(loader, tag, node):
    value = (loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else
             loader.construct_sequence(node, deep=True) if isinstance(node, yaml.SequenceNode) else
             loader.construct_mapping(node, deep=True))
    if tag in ("Ref", "Condition"):
        return {tag: value}
    return {"Fn::" + tag: value.split(".", 1) if tag == "GetAtt" and isinstance(value, str) else value}


CfnLoader.add_multi_constructor("!", _short_form)
CfnLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda l, n: l.construct_scalar(n))

# type -> (name property, Ref format, {GetAtt attribute: format}); in the formats n is the name
# (the property, else the logical id; buckets lowercase it), P/R/A partition/region/account,
# u a uuid5 of the logical id, path the Path property, ref the Ref value.
PHYSICAL = {
    "AWS::S3::Bucket": ("BucketName", "{n}", {"Arn": "arn:{P}:s3:::{n}"}),
    "AWS::IAM::Role": ("RoleName", "{n}", {"Arn": "arn:{P}:iam::{A}:role{path}{n}"}),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName", "arn:{P}:iam::{A}:policy{path}{n}", {}),
    "AWS::KMS::Key": (None, "{u}", {"KeyId": "{u}", "Arn": "arn:{P}:kms:{R}:{A}:key/{u}"}),
    "AWS::KMS::Alias": ("AliasName", "{n}", {}),
    "AWS::SecretsManager::Secret": ("Name", "arn:{P}:secretsmanager:{R}:{A}:secret:{n}-{u:.6}", {}),
    "AWS::Logs::LogGroup": ("LogGroupName", "{n}", {"Arn": "arn:{P}:logs:{R}:{A}:log-group:{n}:*"}),
    "AWS::SNS::Topic": ("TopicName", "arn:{P}:sns:{R}:{A}:{n}", {"TopicName": "{n}"}),
    "AWS::MSK::Cluster": ("ClusterName", "arn:{P}:kafka:{R}:{A}:cluster/{n}/{u}-1", {"Arn": "{ref}"}),
}


class Resolver:
    def __init__(self, template, ctx):
        self.resources, self.ctx, cn = template.get("Resources") or {}, ctx, ctx["partition"] == "aws-cn"
        self.refs = {k: v["Default"] for k, v in (template.get("Parameters") or {}).items() if "Default" in v}
        self.refs.update({"AWS::AccountId": ctx["account"], "AWS::Region": ctx["region"],
                          "AWS::Partition": ctx["partition"], "AWS::URLSuffix": "amazonaws.com" + ".cn" * cn,
                          "AWS::NoValue": NOVALUE})

    def physical(self, lid, attr, where):
        res = self.resources.get(lid)
        rtype = res.get("Type") if isinstance(res, dict) else "no such resource"
        name_prop, ref, attrs = PHYSICAL.get(rtype, (None, None, {}))
        if ref is None or (attr and attr not in attrs):
            what = f"Fn::GetAtt {lid}.{attr}" if attr else f"Ref {lid}"
            raise Unusable(f"{where}: cannot resolve {what} ({rtype})")
        props = res.get("Properties") or {}
        name = self.resolve(props[name_prop], where) if name_prop in props else \
            lid.lower() if rtype == "AWS::S3::Bucket" else lid
        values = dict(n=name, P=self.ctx["partition"], R=self.ctx["region"], A=self.ctx["account"],
                      u=str(uuid.uuid5(uuid.NAMESPACE_OID, lid)), path=props.get("Path", "/"))
        values["ref"] = ref.format(**values)
        return attrs[attr].format(**values) if attr else values["ref"]

    def ref(self, name, where):
        return self.refs[name] if name in self.refs else self.physical(name, None, where)

    def sub(self, text, variables, where):
        def one(m):
            var = m.group(1)
            if var.startswith("!"):
                return "${" + var[1:] + "}"
            if var in variables:
                return str(self.resolve(variables[var], where))
            is_getatt = "." in var and not var.startswith("AWS::")
            return str(self.physical(*var.split(".", 1), where) if is_getatt else self.ref(var, where))
        return re.sub(r"\$\{([^}]+)\}", one, text)

    def resolve(self, node, where):
        """Intrinsics resolved, scalars made the strings IAM reads (parliament fails on ints, bools)."""
        if isinstance(node, list):
            return [v for v in (self.resolve(x, where) for x in node) if v is not NOVALUE]
        if not isinstance(node, dict):
            return json.dumps(node) if isinstance(node, (bool, int, float)) else node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return self.ref(arg, where)
            if key == "Fn::GetAtt":
                return self.physical(*(arg if isinstance(arg, list) else arg.split(".", 1)), where)
            if key == "Fn::Sub":
                return self.sub(*((arg, {}) if isinstance(arg, str) else arg), where)
            if key == "Fn::Join":
                return arg[0].join(str(x) for x in self.resolve(arg[1], where))
            if key == "Fn::Split":
                return str(self.resolve(arg[1], where)).split(arg[0])
            if key == "Fn::Select":
                return self.resolve(arg[1], where)[int(arg[0])]
            if key.startswith("Fn::") or key == "Condition":
                raise Unusable(f"{where}: cannot resolve intrinsic {key}: {json.dumps(arg)}")
        resolved = ((k, self.resolve(v, where)) for k, v in node.items())
        return {k: v for k, v in resolved if v is not NOVALUE}


def listify(x):
    return x if isinstance(x, list) else [x]


def glob(pattern, value):
    """IAM wildcard match: * any run, ? one character, nothing else special."""
    rx = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in str(pattern))
    return re.fullmatch(rx, str(value), re.DOTALL) is not None


def arn_like(pattern, value):
    p, v = str(pattern).split(":", 5), str(value).split(":", 5)
    return len(p) == len(v) and all(glob(a, b) for a, b in zip(p, v))


COND_OPS = {"StringEquals": lambda p, v: str(p) == str(v), "StringLike": glob,
            "ArnEquals": arn_like, "ArnLike": arn_like, "Bool": lambda p, v: str(p).lower() == str(v).lower()}


def conditions_hold(condition, context):
    """True / False, or None when an operator is not one this oracle implements."""
    lowered = {k.lower(): listify(v) for k, v in (context or {}).items()}
    for op, pairs in condition.items():
        base, if_exists = (op[:-8], True) if op.endswith("IfExists") else (op, False)
        if base not in COND_OPS:
            return None
        for key, patterns in pairs.items():
            values = lowered.get(key.lower())
            if values is None and if_exists:
                continue
            if values is None or not any(COND_OPS[base](p, v) for p in listify(patterns) for v in values):
                return False
    return True


def collect(template, resolver):
    """role logical id -> [(label, kind, resolved document)], kind inline | template | aws.
    AWS::IAM::RolePolicy resources count as inline policies of the role they name."""
    aws_managed = json.loads(aws_managed_policies_data)
    resources = {lid: r for lid, r in (template.get("Resources") or {}).items() if isinstance(r, dict)}
    roles = {lid: r for lid, r in resources.items() if r.get("Type") == "AWS::IAM::Role"}
    names, out, own_arns = {resolver.ref(lid, lid): lid for lid in roles}, {lid: [] for lid in roles}, {}
    for lid, r in resources.items():
        if r.get("Type") in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            props = r.get("Properties") or {}
            policy = (f"{r['Type'][10:]}:{lid}", "template",
                      resolver.resolve(props.get("PolicyDocument"), f"{lid}.PolicyDocument"))
            if r["Type"] == "AWS::IAM::ManagedPolicy":
                own_arns[resolver.ref(lid, lid)] = policy
                if not props.get("Roles"):  # for roles outside the template: its own principal
                    out[lid] = [policy]
            for role in resolver.resolve(props.get("Roles", []), f"{lid}.Roles"):
                out[names[role]] += [policy] if role in names else []
        if r.get("Type") == "AWS::IAM::RolePolicy":  # an inline policy of its own resource
            props = r.get("Properties") or {}
            role = resolver.resolve(props.get("RoleName"), f"{lid}.RoleName")
            if role in names:
                out[names[role]].append((f"inline:{lid}", "inline",
                                         resolver.resolve(props.get("PolicyDocument"), f"{lid}.PolicyDocument")))
    for lid, r in roles.items():
        props = r.get("Properties") or {}
        for i, pol in enumerate(props.get("Policies") or []):
            where = f"{lid}.Policies[{i}]"
            out[lid].append((f"inline:{resolver.resolve(pol.get('PolicyName', str(i)), where)}", "inline",
                             resolver.resolve(pol.get("PolicyDocument"), where)))
        for arn in resolver.resolve(props.get("ManagedPolicyArns") or [], f"{lid}.ManagedPolicyArns"):
            if arn in own_arns:
                out[lid] += [own_arns[arn]] if own_arns[arn] not in out[lid] else []
                continue
            m = re.fullmatch(r"arn:[\w-]+:iam::aws:policy(/(?:.*/)?)([\w+=,.@-]+)", arn)
            data = aws_managed.get(m.group(2)) if m else None
            if not data or data.get("Path", "/") != m.group(1):
                raise Unusable(f"{lid}.ManagedPolicyArns: {arn} is no AWS managed policy moto knows")
            out[lid].append((f"aws:{m.group(2)}", "aws", data["Document"]))
    return out


def statements(doc):
    return [s for s in listify((doc or {}).get("Statement", [])) if isinstance(s, dict)]


def evaluate(need, policies):
    """The verdict on one need; see the module docstring for who decides what."""
    action, resource = need["action"].lower(), need["resource"]
    applies, notes, oracle_used = {"Allow": [], "Deny": []}, [], set()
    for label, _, doc in policies:
        for i, st in enumerate(statements(doc)):
            ref = f"{need['principal']}/{label}#{st.get('Sid', i)}"
            probe = {k: v for k, v in st.items() if k not in ("Condition", "NotResource")}
            for key in {"Action", "NotAction"} & set(probe):
                probe[key] = [a.lower() for a in listify(probe[key])]
            if "NotResource" in st:
                probe["Resource"] = "*"
            moto = IAMPolicy(json.dumps({"Statement": [probe]})).is_action_permitted(action, resource)
            if moto == PermissionResult.NEUTRAL:
                continue
            effect = "Deny" if moto == PermissionResult.DENIED else "Allow"
            if "NotResource" in st:
                oracle_used.add("NotResource")
                if any(glob(p, resource) for p in listify(st["NotResource"])):
                    continue
            if "Condition" in st:
                oracle_used.add("Condition " + ",".join(sorted(st["Condition"])))
                held = conditions_hold(st["Condition"], need.get("context"))
                if held is None:
                    notes.append(f"{ref}: unsupported condition operator in {sorted(st['Condition'])}; "
                                 + ("Deny assumed to apply" if effect == "Deny" else "Allow not credited"))
                    held = effect == "Deny"
                elif not held:
                    notes.append(f"{ref}: matches, but its Condition does not hold for the context")
                if not held:
                    continue
            applies[effect].append(ref)
    verdict = "DENIED" if applies["Deny"] else "ALLOWED" if applies["Allow"] else "IMPLICIT_DENY"
    expect = need.get("expect", "ALLOWED")
    engine = "moto" + (" + oracle (" + "; ".join(sorted(oracle_used)) + ")" if oracle_used else "")
    return {"principal": need["principal"], "action": need["action"], "resource": resource, "expect": expect,
            "verdict": verdict, "pass": (verdict == "ALLOWED") == (expect == "ALLOWED"), "engine": engine,
            "decided_by": applies["Deny"] or applies["Allow"], "notes": notes,
            "context": need.get("context", {}), "why": need.get("why", "")}


def fits(pattern, fmt):
    """Can the IAM pattern (* and ?) match some ARN of the policy_sentry ARN format?"""
    tokens = []  # characters, and (may hold '/',) for a placeholder
    for piece in re.split(r"(\$\{\w+\})", fmt):
        tokens += [(bool(SLASHY.search(piece)),)] if piece.startswith("${") else list(piece)

    @functools.lru_cache(maxsize=None)
    def go(i, j, inside):  # pattern[i:] against tokens[j:]; inside: placeholder j has >= 1 char
        if inside and go(i, j + 1, False):
            return True
        if i == len(pattern):
            return j == len(tokens) and not inside
        c, t = pattern[i], tokens[j] if j < len(tokens) else None
        if c == "*":  # matches nothing more, or also the format's next character
            if go(i + 1, j, inside):
                return True
            if isinstance(t, tuple):
                return not inside and go(i, j, True)
            return t is not None and go(i, j + 1, False)
        if isinstance(t, tuple):
            return (c == "?" or (c != ":" and (c != "/" or t[0]))) and go(i + 1, j, True)
        return t is not None and c in ("?", t) and go(i + 1, j + 1, False)
    return go(0, 0, False)


def audit_own(own, needs, ctx):
    """excess and policy_sentry findings on the statements of the roles' own policies."""
    regions = [ctx["region"]] + list(ctx.get("other_regions") or [])

    def in_scope(fmt):  # the format with this stack's partition and account, in each region
        def one(region):
            scoped = {"Partition": ctx["partition"], "Region": region, "Account": ctx["account"]}
            return re.sub(r"\$\{(Partition|Region|Account)\}", lambda m: scoped[m.group(1)], fmt)
        return [one(region) for region in regions]
    excess, sentry, allowed = [], [], [n for n in needs if n.get("expect", "ALLOWED") == "ALLOWED"]
    for role, label, i, st in ((r, lb, i, st) for r, lb, doc in own for i, st in enumerate(statements(doc))):
        at = {"principal": role, "policy": label, "sid": st.get("Sid", i)}
        allow = st.get("Effect") == "Allow"
        excess += [{**at, "level": k, "detail": st[k]} for k in ("NotAction", "NotResource") if allow and k in st]
        for pattern in listify(st.get("Action", [])) + listify(st.get("NotAction", [])):
            for action in expand(pattern):
                service, _, name = action.lower().partition(":")
                data = get_action_data(service, name).get(service) if "*" not in name else None
                sentry += [] if data else [{**at, "issue": "UNKNOWN_ACTION", "action": action}]
                if not allow or "Action" not in st:
                    continue
                covering = [n for n in allowed
                            if n["principal"] == role and n["action"].lower() == action.lower()]
                if not covering:
                    excess.append({**at, "level": "action", "action": action, "granted_by": pattern})
                formats = sorted({e["resource_arn_format"] for e in data or []})
                formats += [EXTRA_FORMATS[f] for f in formats if f in EXTRA_FORMATS]
                for arn in listify(st.get("Resource", [])):
                    item = {**at, "action": action, "resource": arn}
                    if covering and not any(glob(arn, n["resource"]) for n in covering):
                        excess.append({**item, "level": "resource"})
                    if not data:
                        continue
                    if arn == "*":
                        issue = None if formats == ["*"] else "STAR_FOR_ACTION_WITH_RESOURCE_TYPES"
                    elif formats == ["*"]:
                        issue = "ARN_FOR_ACTION_WITHOUT_RESOURCE_TYPE"
                    elif not any(fits(arn, f) for f in formats):
                        issue = "ARN_FORMAT_MISMATCH"
                    elif not any(fits(arn, scoped) for f in formats for scoped in in_scope(f)):
                        issue = "ARN_OUTSIDE_STACK_SCOPE"
                    else:
                        issue = None
                    sentry += [{**item, "issue": issue, "formats": formats}] if issue else []
    return excess, sentry


def run_parliament(own, allowlist):
    findings, used = [], set()
    for role, label, doc in own:
        policy = parliament.analyze_policy_string(json.dumps(doc), ignore_private_auditors=True)
        for f in policy.findings:
            f = parliament.enhance_finding(f)
            blob = json.dumps([f.detail, f.location], default=str).lower()
            hits = [i for i, e in enumerate(allowlist) if e.get("issue") == f.issue
                    and e.get("principal", role) == role
                    and all(str(e[k]).lower() in blob for k in ("action", "resource") if k in e)]
            used.update(hits)
            findings.append({"principal": role, "policy": label, "issue": f.issue, "severity": f.severity,
                             "title": f.title, "detail": f.detail, "allowlisted": bool(hits),
                             "reason": allowlist[hits[0]].get("reason") if hits else None})
    return findings, [e for i, e in enumerate(allowlist) if i not in used]


def main(argv):
    if len(argv) != 3:
        raise Unusable("usage: iam_oracle.py TEMPLATE.yaml NEEDS.json")
    try:
        with open(argv[1]) as template_file, open(argv[2]) as needs_file:
            template, spec = yaml.load(template_file, Loader=CfnLoader), json.load(needs_file)
    except (OSError, yaml.YAMLError, json.JSONDecodeError) as e:
        raise Unusable(f"cannot read input: {e}")
    ctx = {k: spec.get(k) for k in ("account", "region", "partition")} if isinstance(spec, dict) else {}
    if not isinstance(template, dict) or not ctx or not all(isinstance(v, str) for v in ctx.values()):
        raise Unusable("the template must be a mapping, NEEDS.json one with account, region, partition")
    ctx["other_regions"] = spec.get("other_regions") or []
    resolver = Resolver(template, ctx)
    # Values for template parameters without a default, as a deployment passes them.
    resolver.refs.update(spec.get("parameters") or {})
    by_role, needs = collect(template, resolver), spec.get("needs") or []
    for n in needs:
        if not all(isinstance(n.get(k), str) for k in ("principal", "action")):
            raise Unusable(f"need {json.dumps(n)}: principal and action must be strings")
        if isinstance(n.get("resource"), dict):  # a CloudFormation value: Ref, Fn::GetAtt, Fn::Sub
            n["resource"] = resolver.resolve(n["resource"], f"need {n['action']}")
        if not isinstance(n.get("resource"), str):
            raise Unusable(f"need {json.dumps(n)}: resource must be a string or an intrinsic")
        if n["principal"] not in by_role:
            raise Unusable(f"need {json.dumps(n)}: its principal is no AWS::IAM::Role (or unattached ManagedPolicy) of the template")
        if n.get("expect", "ALLOWED") not in ("ALLOWED", "DENIED"):
            raise Unusable(f"need {json.dumps(n)}: expect must be ALLOWED or DENIED")
        n["resource"] = resolver.sub(n["resource"], {}, f"need {n['action']} {n['resource']}")
    own = [(role, label, doc) for role, ps in by_role.items() for label, kind, doc in ps if kind != "aws"]
    report = {"needs": [evaluate(n, by_role[n["principal"]]) for n in needs]}
    report["excess"], report["policy_sentry"] = audit_own(own, needs, ctx)
    allowlist = (spec.get("allowlist") or {}).get("parliament") or []
    report["parliament"], report["unused_allowlist"] = run_parliament(own, allowlist)
    report["ok"] = (all(n["pass"] for n in report["needs"]) and not report["excess"]
                    and not report["policy_sentry"] and all(f["allowlisted"] for f in report["parliament"]))
    print(json.dumps(report, indent=2, default=str))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # unusable input, or a crash: no verdict either way (traceback on stderr)
        if not isinstance(e, Unusable):
            import traceback
            traceback.print_exc()
        print(json.dumps({"error": str(e) if isinstance(e, Unusable) else f"crash: {e!r}", "ok": False}))
        sys.exit(2)
