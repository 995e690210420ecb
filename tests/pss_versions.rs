//! The Pod Security Standards controls at each version boundary of the upstream policy
//! package (`k8s.io/pod-security-admission`): every control is run at the release before a
//! change and at the release of the change, for the Baseline and the Restricted level.

use std::path::Path;

use rampart::config::Config;
use rampart::lint::{lint_one, Unit};
use rampart::source::FileKind;

/// A pod with `spec` (indented pod-spec lines, containers included) and `annotations`.
fn pod(annotations: &str, spec: &str) -> String {
    let annotations = if annotations.is_empty() {
        String::new()
    } else {
        format!("  annotations:\n{annotations}")
    };
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n{annotations}spec:\n{spec}")
}

/// A pod whose one container `app` has `security` (indented container lines).
fn container(pod_lines: &str, security: &str) -> String {
    pod(
        "",
        &format!(
            "{pod_lines}  containers:\n    - name: app\n      image: registry.example.com/shop/web:1.0.0\n{security}"
        ),
    )
}

/// The findings of `code` when `text` is linted at `version` (`None`: unset, the newest).
fn findings(code: &str, text: &str, version: Option<&str>) -> usize {
    let config = {
        let mut c = Config::default();
        c.select = vec![code.to_string()];
        c.kubernetes_version = version.map(str::to_string);
        c
    };
    let result = lint_one(Unit::file(
        Path::new("pod.yaml"),
        text,
        FileKind::Kubernetes,
        &config,
    ));
    result
        .findings
        .iter()
        .filter(|f| f.meta.code == code)
        .count()
}

/// One control: its rule, its level, a manifest, and whether it is reported at each version.
struct Case {
    control: &'static str,
    code: &'static str,
    level: &'static str,
    text: String,
    /// (version, reported?)
    at: &'static [(&'static str, bool)],
}

fn restricted_container() -> &'static str {
    "      securityContext:\n        allowPrivilegeEscalation: false\n        runAsNonRoot: true\n        seccompProfile:\n          type: RuntimeDefault\n        capabilities:\n          drop: [\"ALL\"]\n"
}

fn cases() -> Vec<Case> {
    let windows = "  os:\n    name: windows\n";
    let userns = "  hostUsers: false\n";
    vec![
        Case {
            control: "privileged",
            code: "K8S-001",
            level: "pss-baseline",
            text: container("", "      securityContext:\n        privileged: true\n"),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "hostNamespaces (hostNetwork)",
            code: "K8S-002",
            level: "pss-baseline",
            text: container("  hostNetwork: true\n", ""),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "hostNamespaces (hostPID)",
            code: "K8S-003",
            level: "pss-baseline",
            text: container("  hostPID: true\n", ""),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "hostNamespaces (hostIPC)",
            code: "K8S-004",
            level: "pss-baseline",
            text: container("  hostIPC: true\n", ""),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "windowsHostProcess",
            code: "K8S-008",
            level: "pss-baseline",
            text: container(
                windows,
                "      securityContext:\n        windowsOptions:\n          hostProcess: true\n",
            ),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "capabilities_baseline",
            code: "K8S-009",
            level: "pss-baseline",
            text: container(
                "",
                "      securityContext:\n        capabilities:\n          add: [\"NET_RAW\"]\n",
            ),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "hostPathVolumes",
            code: "K8S-010",
            level: "pss-baseline",
            text: container(
                "  volumes:\n    - name: logs\n      hostPath:\n        path: /var/log\n",
                "",
            ),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "hostPorts",
            code: "K8S-011",
            level: "pss-baseline",
            text: container("", "      ports:\n        - containerPort: 80\n          hostPort: 80\n"),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "appArmorProfile (annotation), every version",
            code: "K8S-012",
            level: "pss-baseline",
            text: pod(
                "    container.apparmor.security.beta.kubernetes.io/app: unconfined\n",
                "  containers:\n    - name: app\n      image: registry.example.com/shop/web:1.0.0\n",
            ),
            at: &[("1.0", true), ("1.29", true), ("1.30", true), (LATEST, true)],
        },
        Case {
            control: "appArmorProfile (annotation other than runtime/default or localhost/)",
            code: "K8S-012",
            level: "pss-baseline",
            text: pod(
                "    container.apparmor.security.beta.kubernetes.io/app: docker-default\n",
                "  containers:\n    - name: app\n      image: registry.example.com/shop/web:1.0.0\n",
            ),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "appArmorProfile (field), every version",
            code: "K8S-012",
            level: "pss-baseline",
            text: container(
                "",
                "      securityContext:\n        appArmorProfile:\n          type: Unconfined\n",
            ),
            at: &[("1.0", true), ("1.29", true), ("1.30", true), (LATEST, true)],
        },
        Case {
            control: "seLinuxOptions container_engine_t (1.31)",
            code: "K8S-013",
            level: "pss-baseline",
            text: container(
                "",
                "      securityContext:\n        seLinuxOptions:\n          type: container_engine_t\n",
            ),
            at: &[("1.30", true), ("1.31", false), (LATEST, false)],
        },
        Case {
            control: "seLinuxOptions user",
            code: "K8S-013",
            level: "pss-baseline",
            text: container(
                "",
                "      securityContext:\n        seLinuxOptions:\n          user: system_u\n",
            ),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "procMount, user-namespace pod (1.35 relaxation)",
            code: "K8S-014",
            level: "pss-baseline",
            text: container(userns, "      securityContext:\n        procMount: Unmasked\n"),
            at: &[("1.34", true), ("1.35", false), (LATEST, false)],
        },
        Case {
            control: "procMount, host user namespace",
            code: "K8S-014",
            level: "pss-baseline",
            text: container("", "      securityContext:\n        procMount: Unmasked\n"),
            at: &[("1.34", true), ("1.35", true), (LATEST, true)],
        },
        Case {
            control: "seccompProfile_baseline (annotations until 1.19)",
            code: "K8S-015",
            level: "pss-baseline",
            text: pod(
                "    seccomp.security.alpha.kubernetes.io/pod: unconfined\n",
                "  containers:\n    - name: app\n      image: registry.example.com/shop/web:1.0.0\n",
            ),
            at: &[("1.18", true), ("1.19", false), (LATEST, false)],
        },
        Case {
            control: "seccompProfile_baseline (fields from 1.19)",
            code: "K8S-015",
            level: "pss-baseline",
            text: container(
                "",
                "      securityContext:\n        seccompProfile:\n          type: Unconfined\n",
            ),
            at: &[("1.18", false), ("1.19", true), (LATEST, true)],
        },
        Case {
            control: "sysctls (1.27)",
            code: "K8S-016",
            level: "pss-baseline",
            text: container(
                "  securityContext:\n    sysctls:\n      - name: net.ipv4.ip_local_reserved_ports\n        value: \"8080\"\n",
                "",
            ),
            at: &[("1.26", true), ("1.27", false), (LATEST, false)],
        },
        Case {
            control: "sysctls (1.29)",
            code: "K8S-016",
            level: "pss-baseline",
            text: container(
                "  securityContext:\n    sysctls:\n      - name: net.ipv4.tcp_fin_timeout\n        value: \"30\"\n",
                "",
            ),
            at: &[("1.28", true), ("1.29", false), (LATEST, false)],
        },
        Case {
            control: "sysctls (1.32)",
            code: "K8S-016",
            level: "pss-baseline",
            text: container(
                "  securityContext:\n    sysctls:\n      - name: net.ipv4.tcp_wmem\n        value: \"4096 16384 4194304\"\n",
                "",
            ),
            at: &[("1.31", true), ("1.32", false), (LATEST, false)],
        },
        Case {
            control: "sysctls (1.37)",
            code: "K8S-016",
            level: "pss-baseline",
            text: container(
                "  securityContext:\n    sysctls:\n      - name: net.ipv4.tcp_notsent_lowat\n        value: \"16384\"\n",
                "",
            ),
            at: &[("1.36", true), ("1.37", false), (LATEST, false)],
        },
        Case {
            control: "sysctls (never safe)",
            code: "K8S-016",
            level: "pss-baseline",
            text: container(
                "  securityContext:\n    sysctls:\n      - name: kernel.msgmax\n        value: \"65536\"\n",
                "",
            ),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "hostProbesAndHostLifecycle (1.34)",
            code: "K8S-017",
            level: "pss-baseline",
            text: container(
                "",
                "      livenessProbe:\n        tcpSocket:\n          host: 10.0.0.1\n          port: 80\n",
            ),
            at: &[("1.33", false), ("1.34", true), (LATEST, true)],
        },
        Case {
            control: "restrictedVolumes",
            code: "K8S-018",
            level: "pss-restricted",
            text: container(
                "  volumes:\n    - name: data\n      nfs:\n        server: nfs.example.com\n        path: /exports\n",
                "",
            ),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "restrictedVolumes (image, allowed at every version)",
            code: "K8S-018",
            level: "pss-restricted",
            text: container(
                "  volumes:\n    - name: model\n      image:\n        reference: registry.example.com/models/m:1\n",
                "",
            ),
            at: &[("1.0", false), ("1.32", false), (LATEST, false)],
        },
        Case {
            control: "allowPrivilegeEscalation (1.8)",
            code: "K8S-019",
            level: "pss-restricted",
            text: container("", ""),
            at: &[("1.7", false), ("1.8", true), (LATEST, true)],
        },
        Case {
            control: "allowPrivilegeEscalation, Windows pod (1.25 exemption)",
            code: "K8S-019",
            level: "pss-restricted",
            text: container(windows, ""),
            at: &[("1.24", true), ("1.25", false), (LATEST, false)],
        },
        Case {
            control: "runAsNonRoot",
            code: "K8S-020",
            level: "pss-restricted",
            text: container("", ""),
            at: &[("1.0", true), (LATEST, true)],
        },
        Case {
            control: "runAsNonRoot, Windows pod (never exempt)",
            code: "K8S-020",
            level: "pss-restricted",
            text: container(windows, ""),
            at: &[("1.24", true), ("1.25", true), (LATEST, true)],
        },
        Case {
            control: "runAsNonRoot, user-namespace pod (1.35 relaxation)",
            code: "K8S-020",
            level: "pss-restricted",
            text: container(userns, ""),
            at: &[("1.34", true), ("1.35", false), (LATEST, false)],
        },
        Case {
            control: "runAsUser (1.23)",
            code: "K8S-021",
            level: "pss-restricted",
            text: container("", "      securityContext:\n        runAsUser: 0\n"),
            at: &[("1.22", false), ("1.23", true), (LATEST, true)],
        },
        Case {
            control: "runAsUser, user-namespace pod (1.35 relaxation)",
            code: "K8S-021",
            level: "pss-restricted",
            text: container(userns, "      securityContext:\n        runAsUser: 0\n"),
            at: &[("1.34", true), ("1.35", false), (LATEST, false)],
        },
        Case {
            control: "seccompProfile_restricted (1.19)",
            code: "K8S-022",
            level: "pss-restricted",
            text: container("", ""),
            at: &[("1.18", false), ("1.19", true), (LATEST, true)],
        },
        Case {
            control: "seccompProfile_restricted, Windows pod (1.25 exemption)",
            code: "K8S-022",
            level: "pss-restricted",
            text: container(windows, ""),
            at: &[("1.24", true), ("1.25", false), (LATEST, false)],
        },
        Case {
            control: "capabilities_restricted (1.22)",
            code: "K8S-023",
            level: "pss-restricted",
            text: container("", ""),
            at: &[("1.21", false), ("1.22", true), (LATEST, true)],
        },
        Case {
            control: "capabilities_restricted, Windows pod (1.25 exemption)",
            code: "K8S-023",
            level: "pss-restricted",
            text: container(windows, ""),
            at: &[("1.24", true), ("1.25", false), (LATEST, false)],
        },
        Case {
            control: "capabilities_restricted, `ALL` compared exactly",
            code: "K8S-023",
            level: "pss-restricted",
            text: container(
                "",
                "      securityContext:\n        capabilities:\n          drop: [\"all\"]\n",
            ),
            at: &[("1.22", true), (LATEST, true)],
        },
    ]
}

/// Stands for an unset `kubernetes-version`.
const LATEST: &str = "latest";

#[test]
fn each_control_at_each_version_boundary() {
    let mut failures = Vec::new();
    for case in cases() {
        let meta = rampart::rules::metas()
            .into_iter()
            .find(|m| m.code == case.code)
            .unwrap();
        assert!(
            meta.tags.contains(&case.level),
            "{} is not tagged {}",
            case.code,
            case.level
        );
        for (version, reported) in case.at {
            let setting = (*version != LATEST).then_some(*version);
            let n = findings(case.code, &case.text, setting);
            if (n > 0) != *reported {
                failures.push(format!(
                    "{} {} at {version}: expected {}, got {n} findings\n{}",
                    case.code,
                    case.control,
                    if *reported { "a finding" } else { "none" },
                    case.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A pod that passes every Restricted control at every version raises no Pod Security
/// finding: the boundaries above are not hidden by another control's findings.
#[test]
fn a_restricted_pod_passes_at_every_version() {
    let text = container(
        "  securityContext:\n    runAsNonRoot: true\n",
        restricted_container(),
    );
    let codes: Vec<&str> = rampart::rules::metas()
        .into_iter()
        .filter(|m| m.tags.contains(&"pss-baseline") || m.tags.contains(&"pss-restricted"))
        .map(|m| m.code)
        .collect();
    for version in ["1.0", "1.8", "1.19", "1.22", "1.25", "1.35", "1.37", LATEST] {
        for code in &codes {
            let setting = (version != LATEST).then_some(version);
            assert_eq!(findings(code, &text, setting), 0, "{code} at {version}");
        }
    }
}
