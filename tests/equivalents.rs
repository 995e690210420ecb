//! Each rule's equivalents in other scanners: every ID is one the peer really has (checked
//! against the peer catalogues beside the checkout, when they are there), no ID is claimed as
//! exact by two rules, and every subject a rule narrows an ID to is one its findings name.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use common::*;
use rampart::rule::{Fit, RuleMeta};

/// Checks the two catalogues beside the checkout do not list, with the upstream title that
/// was looked up for each (the scanner's own policy index or README).
const LISTED_UPSTREAM: &[(&str, &str, &str)] = &[
    (
        "checkov",
        "CKV_AWS_5",
        "Elasticsearch data encrypted at rest",
    ),
    ("checkov", "CKV_AWS_32", "ECR policy is not set to public"),
    (
        "checkov",
        "CKV_AWS_40",
        "IAM policies attached only to groups or roles",
    ),
    (
        "checkov",
        "CKV_AWS_45",
        "no hard-coded secrets in Lambda environment",
    ),
    (
        "checkov",
        "CKV_AWS_46",
        "no hard-coded secrets in EC2 user data",
    ),
    (
        "checkov",
        "CKV_AWS_70",
        "S3 bucket does not allow an action with any principal",
    ),
    (
        "checkov",
        "CKV_AWS_87",
        "Redshift cluster not publicly accessible",
    ),
    (
        "checkov",
        "CKV_AWS_88",
        "EC2 instance does not have a public IP",
    ),
    (
        "checkov",
        "CKV_AWS_111",
        "IAM policies do not allow write access without constraints",
    ),
    (
        "checkov",
        "CKV_AWS_139",
        "RDS clusters have deletion protection enabled",
    ),
    (
        "checkov",
        "CKV_AWS_274",
        "AdministratorAccess not attached to roles, users or groups",
    ),
    (
        "checkov",
        "CKV_AWS_289",
        "IAM policies do not allow permissions management without constraints",
    ),
    (
        "checkov",
        "CKV_AWS_290",
        "IAM policies do not allow write access without constraints",
    ),
    (
        "checkov",
        "CKV_AZURE_40",
        "Key Vault keys have an expiration date",
    ),
    ("checkov", "CKV_GCP_71", "Shielded GKE nodes are enabled"),
    ("checkov", "CKV_TF_1", "module sources use a commit hash"),
    (
        "checkov",
        "CKV_TF_2",
        "module sources use a tag with a version number",
    ),
    (
        "hadolint",
        "DL3032",
        "`yum clean all` missing after yum command",
    ),
    (
        "hadolint",
        "DL3040",
        "`dnf clean all` missing after dnf command",
    ),
    ("polaris", "cpuLimitsMissing", "CPU limits should be set"),
    (
        "polaris",
        "memoryLimitsMissing",
        "memory limits should be set",
    ),
    (
        "polaris",
        "cpuRequestsMissing",
        "CPU requests should be set",
    ),
    (
        "polaris",
        "memoryRequestsMissing",
        "memory requests should be set",
    ),
];

/// The IDs of the checks in `CATALOG.md` (Checkov, kube-linter, hadolint, Kubescape,
/// Polaris, kube-score) with its shorthands written out: `CKV_K8S_10/11/12/13`,
/// `CKV_AWS_229–232`, `C-0268…C-0271`.
fn catalog_ids(text: &str) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let words: Vec<&str> = text.split_whitespace().collect();
    for w in words {
        let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        // PREFIX_N/M/…: the prefix is everything up to the last `_` of the first part.
        if let Some((first, rest)) = w.split_once('/') {
            if let Some((prefix, _)) = first.rsplit_once('_') {
                for n in rest.split('/') {
                    if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() {
                        ids.insert(format!("{prefix}_{n}"));
                    }
                }
            }
        }
        for sep in ['–', '…'] {
            let Some((from, to)) = w.split_once(sep) else {
                continue;
            };
            let split = |s: &str| {
                let at = s.rfind(|c: char| !c.is_ascii_digit())? + 1;
                Some((
                    s[..at].to_string(),
                    s[at..].parse::<u32>().ok()?,
                    s.len() - at,
                ))
            };
            let Some((prefix, a, width)) = split(from) else {
                continue;
            };
            let b = to
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse::<u32>().ok());
            for n in a..=b.unwrap_or(a).min(a + 50) {
                ids.insert(format!("{prefix}{n:0width$}"));
            }
        }
    }
    ids
}

struct Catalogues {
    catalog: BTreeSet<String>,
    /// (scanner, ID) of Trivy IDs and KICS query names.
    peer_checks: BTreeSet<(String, String)>,
}

fn catalogues() -> Option<Catalogues> {
    let dir = std::env::var_os("RAMPART_PEER_CATALOGUES")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"));
    let (Ok(catalog), Ok(tsv)) = (
        std::fs::read_to_string(dir.join("CATALOG.md")),
        std::fs::read_to_string(dir.join("PEER-CHECKS.tsv")),
    ) else {
        eprintln!(
            "skipped: no CATALOG.md and PEER-CHECKS.tsv in {} (set RAMPART_PEER_CATALOGUES)",
            dir.display()
        );
        return None;
    };
    let mut peer_checks = BTreeSet::new();
    for line in tsv.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        match cols.as_slice() {
            ["trivy", _, _, id, ..] => peer_checks.insert(("trivy".into(), id.to_string())),
            ["kics", _, _, _, name, ..] => peer_checks.insert(("kics".into(), name.to_string())),
            _ => false,
        };
    }
    Some(Catalogues {
        catalog: catalog_ids(&catalog),
        peer_checks,
    })
}

#[test]
fn catalogue_shorthands_are_written_out() {
    let ids =
        catalog_ids("| CKV_K8S_10/11/12/13 | CKV_AWS_229–232 | C-0268…C-0271 (x), KSV-0011 |");
    for id in [
        "CKV_K8S_10",
        "CKV_K8S_13",
        "CKV_AWS_229",
        "CKV_AWS_231",
        "CKV_AWS_232",
        "C-0268",
        "C-0270",
        "C-0271",
        "KSV-0011",
    ] {
        assert!(
            ids.contains(id),
            "{id} not read from the shorthand: {ids:?}"
        );
    }
    assert!(!ids.contains("CKV_AWS_233"));
}

#[test]
fn every_equivalent_is_a_check_of_that_scanner() {
    let Some(cat) = catalogues() else { return };
    let upstream: BTreeSet<(&str, &str)> =
        LISTED_UPSTREAM.iter().map(|(s, id, _)| (*s, *id)).collect();
    let mut unknown = Vec::new();
    let mut checked = 0;
    for m in rampart::rules::metas() {
        for (scanner, p) in m.equivalents.peers() {
            checked += 1;
            let known = match scanner {
                "trivy" | "kics" => cat
                    .peer_checks
                    .contains(&(scanner.to_string(), p.id.to_string())),
                _ => cat.catalog.contains(p.id) || upstream.contains(&(scanner, p.id)),
            };
            if !known {
                unknown.push(format!("{} {scanner} `{}`", m.code, p.id));
            }
        }
    }
    assert!(checked > 400, "only {checked} equivalents checked");
    assert!(
        unknown.is_empty(),
        "not a check of that scanner:\n{}",
        unknown.join("\n")
    );
    // The upstream list holds only what the catalogues lack, and only what a rule claims.
    for (scanner, id, _) in LISTED_UPSTREAM {
        assert!(
            !cat.catalog.contains(*id),
            "{id} is in CATALOG.md: drop it from the list"
        );
        assert!(
            rampart::rules::metas().iter().any(|m| m
                .equivalents
                .peers()
                .any(|(s, p)| s == *scanner && p.id == *id)),
            "{scanner} {id} is claimed by no rule"
        );
    }
}

#[test]
fn no_check_is_exact_in_two_rules() {
    let mut claims: HashMap<(String, String), Vec<(&'static str, Fit)>> = HashMap::new();
    for m in rampart::rules::metas() {
        let mut seen = BTreeSet::new();
        for (scanner, p) in m.equivalents.peers() {
            assert!(
                seen.insert((scanner, p.id.to_ascii_lowercase())),
                "{} lists {scanner} {} twice",
                m.code,
                p.id
            );
            assert!(
                p.fit.note().is_none_or(|n| !n.trim().is_empty()),
                "{} {}: a partial or split match says how",
                m.code,
                p.id
            );
            claims
                .entry((scanner.to_string(), p.id.to_ascii_lowercase()))
                .or_default()
                .push((m.code, p.fit));
        }
    }
    for ((scanner, id), rules) in &claims {
        let exact: Vec<_> = rules.iter().filter(|(_, f)| *f == Fit::Exact).collect();
        let split: Vec<_> = rules
            .iter()
            .filter(|(_, f)| matches!(f, Fit::Split(_)))
            .collect();
        assert!(
            exact.len() + split.len() <= 1 || exact.is_empty(),
            "{scanner} {id} is exact in {exact:?} and claimed exactly by {split:?} too"
        );
        assert!(
            split.len() != 1 || rules.len() > 1,
            "{scanner} {id} is split in {split:?} but no other rule covers the rest"
        );
    }
}

/// The subjects each rule's positive fixtures give their findings.
fn fixture_subjects() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in rampart::rules::metas() {
        if !m.equivalents.peers().any(|(_, p)| !p.about.is_empty()) {
            continue;
        }
        let dir = root().join("testdata").join(m.code).join("positive");
        let paths: Vec<PathBuf> = entries(&dir)
            .into_iter()
            .map(|p| p.strip_prefix(root()).unwrap().to_path_buf())
            .collect();
        for result in scan(&paths, &[m.code]) {
            for f in result.findings.iter().filter(|f| f.meta.code == m.code) {
                out.entry(m.code)
                    .or_default()
                    .extend(f.about.iter().flatten().copied());
            }
        }
    }
    out
}

#[test]
fn every_subject_is_one_a_finding_names() {
    let subjects = fixture_subjects();
    let mut missing = Vec::new();
    for m in rampart::rules::metas() {
        let declared: BTreeSet<&str> = m
            .equivalents
            .peers()
            .map(|(_, p)| p.about)
            .filter(|a| !a.is_empty())
            .collect();
        for s in &declared {
            if !subjects.get(m.code).is_some_and(|seen| seen.contains(s)) {
                missing.push(format!(
                    "{}: no positive fixture finding is about `{s}`",
                    m.code
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

fn meta(code: &str) -> &'static RuleMeta {
    rampart::rules::meta(code).unwrap()
}

#[test]
fn a_finding_carries_the_ids_of_its_subject() {
    let results = scan(
        &[PathBuf::from(
            "testdata/K8S-006/positive/partial-limits.yaml",
        )],
        &["K8S-006"],
    );
    let findings: Vec<_> = results
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.meta.code == "K8S-006")
        .collect();
    let (mut both, mut memory_only) = (0, 0);
    for f in &findings {
        let ids: Vec<&str> = f.equivalents().map(|(_, p)| p.id).collect();
        let cpu = f.message.contains("CPU");
        let memory = f.message.contains("memory");
        assert_eq!(ids.contains(&"CKV_K8S_11"), cpu, "{}: {ids:?}", f.message);
        assert_eq!(ids.contains(&"KSV-0018"), memory, "{}: {ids:?}", f.message);
        assert_eq!(f.carries("ckv_k8s_11"), cpu);
        assert_eq!(f.carries(" KSV-0011 "), cpu);
        assert_eq!(f.carries("CKV_K8S_13"), memory);
        both += usize::from(cpu && memory);
        memory_only += usize::from(memory && !cpu);
    }
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert!(both > 0 && memory_only > 0, "{messages:?}");
    // A rule's own metadata lists them all.
    let k8s6 = meta("K8S-006");
    assert!(k8s6.equivalents.has("CKV_K8S_13") && k8s6.equivalents.has("ckv_k8s_11"));
}
