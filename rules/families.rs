// Rule families: the code prefix and the directory under `rules/` of each, in the order the
// registry lists them (`rampart rules`). build.rs reads this file too; `scripts/new-rule`
// reads the directories from it.

/// (code prefix, directory under `rules/`).
pub const FAMILIES: &[(&str, &str)] = &[
    ("RAMPART", "core"),
    ("K8S", "k8s"),
    ("DOCKER", "docker"),
    ("TF-AWS", "terraform/aws"),
    ("TF-GEN", "terraform/general"),
    ("TF-GCP", "terraform/gcp"),
    ("TF-AZURE", "terraform/azure"),
];
