//! Evaluation of whole modules: values, references, instances, functions and the budget.

use std::rc::Rc;

use super::functions::scalar_string;
use super::*;
use crate::model::{Node, Resource, Value};
use crate::parse::terraform::parse;

fn eval_file(text: &str) -> Vec<Resource> {
    let tf = parse(text).unwrap();
    let files = [ModuleFile {
        file: 0,
        name: "main.tf",
        tf: &tf,
    }];
    let module = Module::new(&files);
    module.resources(&files[0])
}

#[test]
fn variables_locals_and_templates() {
    let text = r#"
variable "acl" { default = "public-read" }
variable "unset" {}
locals {
  suffix = "x"
  name   = "${var.acl}-${local.suffix}"
  up     = upper(local.suffix)
  pick   = var.acl == "private" ? "a" : "b"
}
resource "aws_s3_bucket" "logs" {
  acl    = var.acl
  bucket = local.name
  other  = var.unset
  up     = local.up
  pick   = local.pick
  ref    = aws_kms_key.k.arn
  tags   = merge({ a = "1" }, { b = "2" })
  grant {
    uri = "x"
  }
  grant {
    uri = "y"
  }
}
"#;
    let r = &eval_file(text)[0];
    assert_eq!(r.name, "aws_s3_bucket.logs");
    let acl = r.body.get("acl").unwrap();
    assert_eq!(acl.as_str(), Some("public-read"));
    assert_eq!(&text[acl.span.start..acl.span.end], "var.acl");
    let origin = acl.origin.as_deref().unwrap();
    assert_eq!(&text[origin.span.start..origin.span.end], "\"public-read\"");
    assert_eq!(
        r.body.get("bucket").unwrap().as_str(),
        Some("public-read-x")
    );
    assert!(r.body.get("other").unwrap().is_unknown());
    assert_eq!(r.body.get("up").unwrap().as_str(), Some("X"));
    assert_eq!(r.body.get("pick").unwrap().as_str(), Some("b"));
    assert_eq!(
        r.body.get("ref").unwrap().as_ref_text(),
        Some("aws_kms_key.k.arn")
    );
    assert_eq!(r.body.get("tags").unwrap().entries().len(), 2);
    assert_eq!(r.body.get("grant").unwrap().as_list().len(), 2);
}

/// The resources of `text` evaluated within `budget`.
fn eval_within(text: &str, budget: &Rc<Budget>) -> Vec<Resource> {
    let tf = parse(text).unwrap();
    let files = [ModuleFile {
        file: 0,
        name: "main.tf",
        tf: &tf,
    }];
    let module = Module::with_budget(&files, &Inputs::default(), budget.clone());
    module.resources(&files[0])
}

fn at(text: &str, e: Exhausted) -> &str {
    &text[e.span.start..e.span.end]
}

#[test]
fn a_small_module_builds_what_it_uses() {
    let text = "locals {\n a = \"abc\"\n b = \"${local.a}-${local.a}\"\n}\nresource \"r\" \"x\" { v = local.b }\n";
    let budget = Rc::new(Budget::new());
    let r = &eval_within(text, &budget)[0];
    assert_eq!(r.body.get("v").unwrap().as_str(), Some("abc-abc"));
    assert!(budget.exhausted().is_none());
    // Literals, two copies of `a`, the template, one copy of `b`, the resource body.
    assert!(budget.built() > 4 * NODE_COST && budget.built() < 32 * NODE_COST);
    assert!(budget.steps() > 5 && budget.steps() < 50);
}

#[test]
fn multiplied_lists_stop_at_the_budget() {
    let mut text = String::from("locals {\n  l0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
    for i in 1..12 {
        let refs = vec![format!("local.l{}", i - 1); 10].join(", ");
        text.push_str(&format!("  l{i} = [{refs}]\n"));
    }
    text.push_str("}\nresource \"r\" \"x\" {\n  v   = local.l11\n  acl = \"public-read\"\n}\n");
    let budget = Rc::new(Budget::with_limits(1 << 20, MAX_STEPS));
    let r = &eval_within(&text, &budget)[0];
    assert!(r.body.get("v").unwrap().is_unknown());
    // What is written as it is still counts.
    assert_eq!(r.body.get("acl").unwrap().as_str(), Some("public-read"));
    let e = budget.exhausted().unwrap();
    assert_eq!(e.limit, Limit::Size);
    assert!(at(&text, e).starts_with("local.l"), "{}", at(&text, e));
    assert!(budget.built() <= 1 << 20);
}

#[test]
fn doubled_strings_stop_at_the_budget() {
    let mut text = String::from("locals {\n  s0 = \"0123456789abcdef\"\n");
    for i in 1..20 {
        text.push_str(&format!(
            "  s{i} = \"${{local.s{0}}}${{local.s{0}}}\"\n",
            i - 1
        ));
    }
    text.push_str("}\nresource \"r\" \"x\" { v = local.s19 }\n");
    let budget = Rc::new(Budget::with_limits(1 << 20, MAX_STEPS));
    let r = &eval_within(&text, &budget)[0];
    assert!(r.body.get("v").unwrap().is_unknown());
    let e = budget.exhausted().unwrap();
    assert_eq!(e.limit, Limit::Size);
    assert!(at(&text, e).contains("local.s"), "{}", at(&text, e));
    assert!(budget.built() <= 1 << 20);
}

#[test]
fn functions_with_large_results_reserve_them_first() {
    let cases = [
        // A separator much longer than the parts.
        "join(local.sep, range(1000))",
        // Every character replaced by a long text.
        "replace(local.sep, \"/./\", local.sep)",
        "replace(local.sep, \"a\", local.sep)",
        "split(\"\", join(\"\", [local.big, local.big, local.big]))",
        "[for i in range(400) : local.big]",
        "jsondecode(\"[${local.commas}${local.commas}0]\")",
    ];
    for expr in cases {
        let text = format!(
                "locals {{\n  a = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n  b = \"${{local.a}}${{local.a}}${{local.a}}${{local.a}}\"\n  sep = \"${{local.b}}${{local.b}}${{local.b}}${{local.b}}\"\n  big = \"${{local.sep}}${{local.sep}}${{local.sep}}${{local.sep}}\"\n  commas = replace(local.big, \"a\", \"0,\")\n}}\nresource \"r\" \"x\" {{ v = {expr} }}\n"
            );
        let budget = Rc::new(Budget::with_limits(512 << 10, MAX_STEPS));
        let r = &eval_within(&text, &budget)[0];
        assert!(r.body.get("v").unwrap().is_unknown(), "{expr}");
        let e = budget
            .exhausted()
            .unwrap_or_else(|| panic!("{expr}: no exhaustion"));
        // In the expression (at the function, or at a copy it makes).
        let start = text.rfind(expr).unwrap();
        assert!(
            e.span.start >= start && e.span.end <= start + expr.len(),
            "{expr}: at {}",
            at(&text, e)
        );
        assert!(budget.built() <= 512 << 10, "{expr}");
    }
}

#[test]
fn nested_iterations_run_out_of_steps() {
    let text =
        "resource \"r\" \"x\" {\n  v = [for i in range(1000) : [for j in range(1000) : 1]]\n}\n";
    let budget = Rc::new(Budget::with_limits(MAX_BUILT, 100_000));
    let r = &eval_within(text, &budget)[0];
    assert!(r.body.get("v").unwrap().is_unknown());
    assert_eq!(budget.exhausted().unwrap().limit, Limit::Steps);
    assert!(budget.steps() < 200_000);
}

#[test]
fn regular_expressions_cost_their_automaton_over_the_text() {
    // Short, but ten thousand states: matching 64 KiB may visit them all for each byte.
    let text = "locals {\n  a0 = \"aaaaaaaaaaaaaaaa\"\n  a1 = \"${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}\"\n  a2 = \"${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}\"\n  a3 = \"${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}\"\n}\nresource \"r\" \"x\" {\n  small = regex(\"^a+\", \"aaa\")\n  big   = regex(\"(?:a{100}){95}b\", local.a3)\n}\n";
    let budget = Rc::new(Budget::new());
    let r = &eval_within(text, &budget)[0];
    assert_eq!(r.body.get("small").unwrap().as_str(), Some("aaa"));
    assert!(r.body.get("big").unwrap().is_unknown());
    let e = budget.exhausted().unwrap();
    assert_eq!(e.limit, Limit::Steps);
    assert!(
        at(text, e).starts_with("regex(\"(?:a{100}"),
        "{}",
        at(text, e)
    );
}

#[test]
fn past_the_budget_instances_are_not_multiplied() {
    let text = r#"
locals {
  big = [for i in range(10000) : "xxxxxxxxxxxxxxxx"]
}
resource "r" "bomb" { v = local.big }
resource "r" "many" {
  count = 200
  acl   = "public-read"
  dynamic "rule" {
    for_each = [1, 2, 3]
    content { port = 22 }
  }
}
"#;
    let budget = Rc::new(Budget::with_limits(64 << 10, MAX_STEPS));
    let rs = eval_within(text, &budget);
    assert!(budget.exhausted().is_some());
    let many: Vec<_> = rs.iter().filter(|r| r.name == "r.many").collect();
    assert_eq!(many.len(), 1);
    assert_eq!(
        many[0].body.get("acl").unwrap().as_str(),
        Some("public-read")
    );
    assert_eq!(many[0].body.get("rule").unwrap().as_list().len(), 1);
    // Literal text only, after the budget ran out.
    assert!(budget.built_after() < 64 * text.len() as u64);
}

#[test]
fn modules_sharing_a_budget_share_its_limit() {
    let text = "variable \"big\" {}\nresource \"r\" \"x\" { v = [var.big, var.big] }\n";
    let tf = parse(text).unwrap();
    let files = [ModuleFile {
        file: 0,
        name: "main.tf",
        tf: &tf,
    }];
    let s = Span::default();
    let big = Node::new(Value::String("x".repeat(10_000)), s);
    let inputs = Inputs {
        values: vec![("big".to_string(), big, None)],
        called: true,
        ..Inputs::default()
    };
    let budget = Rc::new(Budget::with_limits(200_000, MAX_STEPS));
    let mut known = 0;
    for _ in 0..100 {
        let module = Module::with_budget(&files, &inputs, budget.clone());
        let r = &module.resources(&files[0])[0];
        if !r.body.get("v").unwrap().as_list()[1].is_unknown() {
            known += 1;
        }
    }
    // Each instance copies the input three times: six instances fit.
    assert!((5..=7).contains(&known), "{known}");
    assert!(budget.built() <= 200_000);
    assert!(budget.exhausted().is_some());
}

#[test]
fn local_cycles_stay_unknown() {
    let text = "locals {\n a = local.b\n b = local.a\n}\nresource \"x\" \"y\" { v = local.a }\n";
    let r = &eval_file(text)[0];
    assert!(r.body.get("v").unwrap().is_unknown());
}

#[test]
fn count_and_for_each_instances() {
    let text = r#"
variable "n" { default = 2 }
resource "a" "counted" {
  count = var.n
  name  = "x-${count.index}"
}
resource "a" "none" {
  count = 0
}
resource "a" "each" {
  for_each = { web = "public-read", logs = "private" }
  acl      = each.value
  name     = each.key
}
resource "a" "set" {
  for_each = toset(["p", "q"])
  name     = each.value
}
resource "a" "unknown" {
  for_each = var.missing
  acl      = each.value
}
"#;
    let rs = eval_file(text);
    let names = |n: &str| -> Vec<String> {
        rs.iter()
            .filter(|r| r.name == n)
            .map(|r| {
                r.body
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("?")
                    .to_string()
            })
            .collect()
    };
    assert_eq!(names("a.counted"), ["x-0", "x-1"]);
    assert!(names("a.none").is_empty());
    assert_eq!(names("a.each"), ["web", "logs"]);
    assert_eq!(names("a.set"), ["p", "q"]);
    let web = rs.iter().find(|r| r.name == "a.each").unwrap();
    let acl = web.body.get("acl").unwrap();
    assert_eq!(acl.as_str(), Some("public-read"));
    // Reported where it is used, with the literal as its origin.
    assert_eq!(&text[acl.span.start..acl.span.end], "each.value");
    let o = acl.origin.as_ref().unwrap().span;
    assert_eq!(&text[o.start..o.end], "\"public-read\"");
    let unknown: Vec<_> = rs.iter().filter(|r| r.name == "a.unknown").collect();
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0].body.get("acl").unwrap().is_unknown());
}

#[test]
fn dynamic_blocks_expand() {
    let text = r#"
locals {
  rules = [
    { port = 22, cidr = "0.0.0.0/0" },
    { port = 443, cidr = "10.0.0.0/8" },
  ]
}
resource "aws_security_group" "sg" {
  ingress { from_port = 80 }
  dynamic "ingress" {
    for_each = local.rules
    content {
      from_port   = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }
  }
  dynamic "egress" {
    for_each = var.unknown
    iterator = rule
    content {
      to_port = rule.value
    }
  }
}
"#;
    let r = &eval_file(text)[0];
    let ingress = r.body.get("ingress").unwrap().as_list();
    let ports: Vec<_> = ingress
        .iter()
        .map(|i| i.get("from_port").unwrap().as_f64())
        .collect();
    assert_eq!(ports, [Some(80.0), Some(22.0), Some(443.0)]);
    let cidr = &ingress[1].get("cidr_blocks").unwrap().as_list()[0];
    assert_eq!(cidr.as_str(), Some("0.0.0.0/0"));
    let egress = r.body.get("egress").unwrap().as_list();
    assert_eq!(egress.len(), 1);
    let to_port = egress[0].get("to_port").unwrap();
    assert!(to_port.is_unknown());
    // Unknown where it is used, as before the evaluation had a budget.
    assert_eq!(to_port.origin.as_ref().unwrap().span, to_port.span);
}

#[test]
fn for_expressions_and_functions() {
    let text = r#"
locals {
  ports  = [for p in [22, 80, 3389] : p if p != 80]
  byname = { for name, cidr in { a = "0.0.0.0/0" } : upper(name) => cidr }
  doc    = jsondecode("{\"Statement\": [{\"Action\": \"*\"}]}")
  parts  = split(",", "a,b")
  subnet = cidrsubnet("10.0.0.0/16", 8, 2)
  v6     = cidrsubnet("2001:db8::/32", 16, 1)
  keys   = keys({ x = 1, y = 2 })
  flat   = flatten([[1], [2, [3]]])
  trim   = trimprefix("arn:aws", "arn:")
  has    = contains(["a", "b"], "b")
  zip    = zipmap(["k"], ["v"])
  ws     = terraform.workspace
}
resource "r" "x" {
  ports  = local.ports
  byname = local.byname
  action = local.doc.Statement[0].Action
  parts  = local.parts
  subnet = local.subnet
  v6     = local.v6
  keys   = local.keys
  flat   = length(local.flat)
  trim   = local.trim
  has    = local.has
  zip    = local.zip.k
  ws     = local.ws
}
"#;
    let r = &eval_file(text)[0];
    let get = |k: &str| r.body.get(k).unwrap();
    let ports: Vec<_> = get("ports").as_list().iter().map(|p| p.as_f64()).collect();
    assert_eq!(ports, [Some(22.0), Some(3389.0)]);
    assert_eq!(get("byname").get("A").unwrap().as_str(), Some("0.0.0.0/0"));
    assert_eq!(get("action").as_str(), Some("*"));
    assert_eq!(get("parts").as_list().len(), 2);
    assert_eq!(get("subnet").as_str(), Some("10.0.2.0/24"));
    assert_eq!(get("v6").as_str(), Some("2001:db8:1::/48"));
    assert_eq!(get("keys").as_list()[1].as_str(), Some("y"));
    assert_eq!(get("flat").as_f64(), Some(3.0));
    assert_eq!(get("trim").as_str(), Some("aws"));
    assert_eq!(get("has").as_bool(), Some(true));
    assert_eq!(get("zip").as_str(), Some("v"));
    assert_eq!(get("ws").as_str(), Some("default"));
}

#[test]
fn regular_expressions_and_list_functions() {
    let text = r#"
resource "r" "x" {
  bucket  = replace("My_Site.Logs", "/[^a-z0-9-]+/", "-")
  literal = replace("a.b.c", ".", "/")
  group   = replace("arn:aws:s3:::logs", "/^arn:aws:s3:::(.*)$/", "bucket $1")
  first   = regex("[0-9]+", "port 8080 and 22")
  groups  = regex("^(\\w+)://([^/]+)", "https://example.com/x")
  named   = regex("(?P<user>\\w+)@(?P<host>[\\w.]+)", "ops@example.com")
  all     = regexall("[0-9]+", "22, 80 and 443")
  none    = regex("x", "abc")
  bad     = replace("a", "/(/", "b")
  sub     = substr("hello world", -5, -1)
  sorted  = sort(["b", "c", "a"])
  rev     = reverse([1, 2, 3])
  part    = slice(["a", "b", "c", "d"], 1, 3)
  firstl  = coalescelist([], ["x"])
}
"#;
    let r = &eval_file(text)[0];
    let get = |k: &str| r.body.get(k).unwrap();
    let strs = |k: &str| -> Vec<String> {
        get(k)
            .as_list()
            .iter()
            .map(|i| match &i.value {
                Value::Number(n) => crate::model::format_number(*n),
                v => scalar_string(v).unwrap(),
            })
            .collect()
    };
    assert_eq!(get("bucket").as_str(), Some("-y-ite-ogs"));
    assert_eq!(get("literal").as_str(), Some("a/b/c"));
    assert_eq!(get("group").as_str(), Some("bucket logs"));
    assert_eq!(get("first").as_str(), Some("8080"));
    assert_eq!(strs("groups"), ["https", "example.com"]);
    assert_eq!(
        get("named").get("host").unwrap().as_str(),
        Some("example.com")
    );
    assert_eq!(strs("all"), ["22", "80", "443"]);
    // No match and an invalid expression are errors in Terraform: unknown, never guessed.
    assert_eq!(get("none").value, Value::Unknown);
    assert_eq!(get("bad").value, Value::Unknown);
    assert_eq!(get("sub").as_str(), Some("world"));
    assert_eq!(strs("sorted"), ["a", "b", "c"]);
    assert_eq!(strs("rev"), ["3", "2", "1"]);
    assert_eq!(strs("part"), ["b", "c"]);
    assert_eq!(strs("firstl"), ["x"]);
}

#[test]
fn jsonencode_keeps_its_structure_around_unknown_parts() {
    let text = r#"
resource "r" "x" {
  policy = jsonencode({
    Statement = [{ Principal = "*", Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}
"#;
    let r = &eval_file(text)[0];
    let st = &r
        .body
        .get("policy")
        .unwrap()
        .get("Statement")
        .unwrap()
        .as_list()[0];
    assert_eq!(st.get("Principal").unwrap().as_str(), Some("*"));
    assert!(st.get("Resource").unwrap().is_unknown());
}

#[test]
fn a_key_given_twice_keeps_its_last_value() {
    let text = r#"
locals {
  tags = { a = "1", b = "x", "a" = "2" }
}
resource "aws_s3_bucket" "b" {
  tags = local.tags
  acls = { site = "public-read", site = "private" }
}
"#;
    let r = &eval_file(text)[0];
    let tags = r.body.get("tags").unwrap();
    let pairs: Vec<_> = tags
        .entries()
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(pairs, [("b", Some("x")), ("a", Some("2"))]);
    let acls = r.body.get("acls").unwrap();
    assert_eq!(acls.entries().len(), 1);
    assert_eq!(acls.get("site").unwrap().as_str(), Some("private"));
}

#[test]
fn templates_keep_what_is_known() {
    let text = r#"
variable "env" {}
locals {
  sa      = "serviceAccount:${google_service_account.ci.email}"
  nested  = "a-${"b-${var.env}-c"}-d"
  both    = "${var.env}-compute@developer.gserviceaccount.com"
  middle  = "arn:aws:iam::${var.env}:role/${var.env}-deploy"
  public  = local.sa == "allUsers" ? "yes" : "no"
  maybe   = local.sa == "serviceAccount:ci@p.iam.gserviceaccount.com" ? "yes" : "no"
  indent  = <<-EOT
    x ${var.env}
  EOT
}
resource "google_project_iam_member" "m" {
  sa     = local.sa
  nested = local.nested
  both   = local.both
  middle = local.middle
  public = local.public
  maybe  = local.maybe
  whole  = "${var.env}"
  indent = local.indent
  ref    = "${google_service_account.ci.email}"
}
"#;
    let r = &eval_file(text)[0];
    let partial = |k: &str| match &r.body.get(k).unwrap().value {
        Value::Partial(p) => (p.prefix.clone(), p.suffix.clone()),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(partial("sa"), ("serviceAccount:".into(), String::new()));
    assert_eq!(partial("nested"), ("a-b-".into(), "-c-d".into()));
    let email = "-compute@developer.gserviceaccount.com";
    assert_eq!(partial("both"), (String::new(), email.into()));
    assert_eq!(
        partial("middle"),
        ("arn:aws:iam::".into(), "-deploy".into())
    );
    let sa = r.body.get("sa").unwrap();
    assert!(sa.is_unknown() && sa.as_str().is_none());
    assert!(sa.starts_with("serviceAccount:") && !sa.starts_with("user:"));
    assert!(r.body.get("both").unwrap().ends_with(email));
    assert_eq!(sa.could_be("allUsers"), Some(false));
    assert_eq!(sa.could_be("serviceAccount:x"), None);
    assert_eq!(r.body.get("public").unwrap().as_str(), Some("no"));
    assert!(r.body.get("maybe").unwrap().is_unknown());
    // Wholly unknown stays unknown, a reference stays a reference (joins read it), and a
    // `<<-` heredoc whose indent may be in the unknown part is unknown.
    assert_eq!(r.body.get("whole").unwrap().value, Value::Unknown);
    assert!(r.body.get("ref").unwrap().as_ref_text().is_some());
    assert_eq!(r.body.get("indent").unwrap().value, Value::Unknown);
    assert_eq!(sa.display(), "serviceAccount:${…}");
}
