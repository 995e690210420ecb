//! Terraform's Kubernetes provider judged by the Kubernetes rules, as a scan sees it: the
//! findings in the `.tf` file, suppression comments and annotations, the configuration
//! (select, ignore, `kubernetes-version`), fixes only where they are HCL, and resources of a
//! called module reported where the root module passes the offending value.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

use assert_cmd::Command;
use serde_json::Value;

/// `rampart scan --format json` of a directory made of `files` (name, text): the findings.
fn scan(files: &[(&str, &str)], extra: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "--no-render", "--format", "json"])
        .args(extra)
        .arg(".")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    json["findings"].as_array().unwrap().clone()
}

/// `line code` of the findings that are not suppressed, for the codes starting with `prefix`.
fn lines(findings: &[Value], prefix: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with(prefix))
        .filter(|f| f["suppressed"].is_null())
        .map(|f| {
            format!(
                "{} {}",
                f["location"]["start"]["line"],
                f["code"].as_str().unwrap()
            )
        })
        .collect()
}

const PRIVILEGED_POD: &str = r#"resource "kubernetes_pod_v1" "agent" {
  metadata {
    name      = "agent"
    namespace = "monitoring"
  }

  spec {
    container {
      name  = "agent"
      image = "registry.example.com/agent:3.1.4"

      security_context {
        privileged = true
      }
    }
  }
}
"#;

#[test]
fn a_provider_resource_is_reported_at_the_offending_line_in_the_tf_file() {
    let found = scan(&[("main.tf", PRIVILEGED_POD)], &["--select", "K8S-001"]);
    assert_eq!(lines(&found, "K8S"), ["13 K8S-001"]);
    let f = &found[0];
    assert_eq!(f["path"].as_str().unwrap(), "main.tf");
    assert_eq!(f["location"]["start"]["column"], 22);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("kubernetes_pod_v1.agent container \"agent\" runs privileged"),
        "{f}"
    );
}

#[test]
fn suppression_comments_in_the_tf_file_apply_and_unused_ones_are_reported() {
    let on_the_line = PRIVILEGED_POD.replace(
        "privileged = true",
        "privileged = true # rampart:ignore[K8S-001] node agent",
    );
    let found = scan(
        &[("main.tf", &on_the_line)],
        &["--select", "K8S-001,RAMPART-004"],
    );
    assert!(lines(&found, "").is_empty(), "{found:?}");

    let above_the_resource = format!(
        "# rampart:ignore[privileged-container] node agent\n{PRIVILEGED_POD}\n# rampart:ignore[K8S-002] nothing shares the host network\nresource \"kubernetes_service_v1\" \"web\" {{\n  metadata {{\n    name = \"web\"\n  }}\n}}\n"
    );
    let found = scan(
        &[("main.tf", &above_the_resource)],
        &["--select", "K8S-001,K8S-002,RAMPART-004"],
    );
    assert_eq!(lines(&found, ""), ["20 RAMPART-004"], "{found:?}");
}

#[test]
fn the_suppression_annotation_of_the_object_applies() {
    let annotated = PRIVILEGED_POD.replace(
        "namespace = \"monitoring\"",
        "namespace = \"monitoring\"\n    annotations = {\n      \"rampart.dev/ignore\" = \"K8S-001[agent]: reads host devices\"\n    }",
    );
    let found = scan(&[("main.tf", &annotated)], &["--select", "K8S-001"]);
    assert!(lines(&found, "K8S").is_empty(), "{found:?}");
    assert_eq!(found.len(), 1, "reported as suppressed: {found:?}");
}

#[test]
fn select_ignore_and_kubernetes_version_apply_as_for_manifests() {
    let config = "ignore = [\"K8S-001\"]\n";
    let found = scan(
        &[("main.tf", PRIVILEGED_POD), (".rampart.toml", config)],
        &[],
    );
    assert!(lines(&found, "K8S-001").is_empty(), "{found:?}");
    assert!(!lines(&found, "K8S-020").is_empty(), "{found:?}");

    // `net.ipv4.tcp_keepalive_intvl` is in the safe set from Kubernetes 1.29.
    let sysctl = r#"resource "kubernetes_deployment" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }
  spec {
    selector {
      match_labels = { app = "api" }
    }
    template {
      metadata {
        labels = { app = "api" }
      }
      spec {
        security_context {
          sysctl {
            name  = "net.ipv4.tcp_keepalive_intvl"
            value = "30"
          }
        }
        container {
          name  = "api"
          image = "registry.example.com/api:1.4.2"
        }
      }
    }
  }
}
"#;
    let rule = "select = [\"K8S-016\"]\n";
    let found = scan(&[("main.tf", sysctl), (".rampart.toml", rule)], &[]);
    assert!(lines(&found, "K8S").is_empty(), "{found:?}");
    let old = format!("{rule}kubernetes-version = \"1.28\"\n");
    let found = scan(&[("main.tf", sysctl), (".rampart.toml", &old)], &[]);
    assert_eq!(lines(&found, "K8S"), ["17 K8S-016"], "{found:?}");
}

#[test]
fn fixes_that_would_write_yaml_are_dropped_and_the_others_are_hcl() {
    let found = scan(&[("main.tf", PRIVILEGED_POD)], &[]);
    let k8s: Vec<&Value> = found
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("K8S"))
        .collect();
    assert!(k8s.len() > 5, "{found:?}");
    for f in k8s {
        let code = f["code"].as_str().unwrap();
        for fix in f["fixes"].as_array().unwrap() {
            for edit in fix["edits"].as_array().unwrap() {
                let text = edit["replacement"].as_str().unwrap();
                assert!(!text.contains(':') && !text.contains('\n'), "{code}: {fix}");
            }
        }
        let fixable = !f["fixes"].as_array().unwrap().is_empty();
        // Privileged is the one literal to change; the others are settings to add.
        assert_eq!(fixable, code == "K8S-001", "{code}: {f}");
    }

    // Applying every fix leaves HCL the rules read again.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), PRIVILEGED_POD).unwrap();
    Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "--no-render", "--fix", "--unsafe-fixes", "-q", "."])
        .output()
        .unwrap();
    let fixed = std::fs::read_to_string(dir.path().join("main.tf")).unwrap();
    assert_eq!(
        fixed,
        PRIVILEGED_POD.replace("privileged = true", "privileged = false")
    );
}

#[test]
fn a_value_a_module_call_passes_is_reported_at_the_call() {
    let module = r#"variable "privileged" {
  default = false
}

resource "kubernetes_pod_v1" "agent" {
  metadata {
    name      = "agent"
    namespace = "monitoring"
  }

  spec {
    container {
      name  = "agent"
      image = "registry.example.com/agent:3.1.4"

      security_context {
        privileged = var.privileged
      }
    }
  }
}
"#;
    let root = "module \"agent\" {\n  source     = \"./agent\"\n  privileged = true\n}\n";
    let found = scan(
        &[("main.tf", root), ("agent/main.tf", module)],
        &["--select", "K8S-001"],
    );
    let at: Vec<String> = found
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["path"].as_str().unwrap(),
                f["location"]["start"]["line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        at,
        ["main.tf:3 module.agent: kubernetes_pod_v1.agent container \"agent\" runs privileged (`privileged = true`)"]
    );
}

#[test]
fn resources_of_other_types_and_values_known_only_at_apply_stay_silent() {
    let tf = r#"variable "containers" {}

resource "kubernetes_config_map_v1" "settings" {
  metadata {
    name      = "settings"
    namespace = "default"
  }
  data = { privileged = "true" }
}

resource "kubernetes_pod_v1" "dynamic" {
  metadata {
    name      = "dynamic"
    namespace = "shop"
  }
  spec {
    dynamic "container" {
      for_each = var.containers
      content {
        name  = container.value.name
        image = container.value.image
        security_context {
          privileged = container.value.privileged
        }
      }
    }
  }
}
"#;
    let found = scan(&[("main.tf", tf)], &["--select", "K8S-001,K8S-030,K8S-005"]);
    assert!(lines(&found, "").is_empty(), "{found:?}");
    // The same resource judged where its values are known.
    let known = tf
        .replace("container.value.privileged", "true")
        .replace("namespace = \"shop\"", "namespace = \"default\"");
    let found = scan(
        &[("main.tf", &known)],
        &["--select", "K8S-001,K8S-030,K8S-005"],
    );
    assert_eq!(lines(&found, ""), ["14 K8S-030", "23 K8S-001"], "{found:?}");
}

#[test]
fn a_module_is_not_taken_for_the_complete_set_of_network_policies() {
    // The scan's manifests may hold the policy that selects this workload: a Terraform module
    // does not see them, so `network-policies-complete` is not applied to it.
    let config = "select = [\"K8S-040\"]\nnetwork-policies-complete = true\n";
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: all\n  namespace: monitoring\nspec:\n  podSelector: {}\n";
    let found = scan(
        &[
            ("main.tf", PRIVILEGED_POD),
            ("policy.yaml", policy),
            (".rampart.toml", config),
        ],
        &[],
    );
    assert!(lines(&found, "K8S").is_empty(), "{found:?}");
}
