//! Every tag a rule may carry, with what it means: the one place tags are defined. Profiles and
//! `--select TAG` match tags, so a misspelt tag would silently drop a rule from them; a tag
//! missing here fails the build of the rule that uses it, and `cargo test --test registry`
//! names the rule and the tag.

/// (tag, meaning), grouped: what a rule looks at, Pod Security Standards levels, categories,
/// then cloud services.
pub const TAGS: &[(&str, &str)] = &[
    // What a rule looks at.
    (
        "kubernetes",
        "Kubernetes manifests and Helm/Kustomize output",
    ),
    ("dockerfile", "Dockerfiles and Containerfiles"),
    ("terraform", "Terraform configurations and plans"),
    (
        "input",
        "the input itself: files that cannot be read, parsed or evaluated",
    ),
    ("aws", "Amazon Web Services resources"),
    ("azure", "Microsoft Azure resources"),
    ("gcp", "Google Cloud resources"),
    // Pod Security Standards levels (also profiles).
    (
        "pss-baseline",
        "forbidden by the Pod Security Standards Baseline level",
    ),
    (
        "pss-restricted",
        "required by the Pod Security Standards Restricted level",
    ),
    // Categories.
    ("access-control", "who may reach or administer a resource"),
    (
        "attack-surface",
        "exposed ports, services and tools an attacker could use",
    ),
    (
        "authentication",
        "how users and services prove who they are",
    ),
    ("availability", "keeping a service running"),
    ("backup", "backups and recovery of data"),
    ("capabilities", "Linux capabilities"),
    ("encryption", "encryption at rest or in transit"),
    ("hardening", "defence in depth"),
    ("host", "access to the node or host"),
    (
        "host-namespaces",
        "sharing the node's PID, IPC or network namespace",
    ),
    ("images", "container images and their references"),
    ("integrity", "verifying what is downloaded or logged"),
    ("isolation", "separation between workloads or tenants"),
    ("least-privilege", "permissions beyond what is needed"),
    (
        "linux-hardening",
        "seccomp, AppArmor, SELinux and similar kernel controls",
    ),
    ("logging", "audit and access logs"),
    ("metadata", "the cloud instance metadata service"),
    ("network", "network exposure and firewall rules"),
    ("packages", "installing operating system packages"),
    (
        "pod-security",
        "the security context of pods and containers",
    ),
    (
        "privilege-escalation",
        "gaining more privileges than granted",
    ),
    (
        "public-access",
        "resources reachable or readable from the internet",
    ),
    ("rbac", "Kubernetes role-based access control"),
    ("reliability", "behaviour under failure"),
    ("remote-access", "SSH, RDP, serial consoles and similar"),
    ("resilience", "recovering from deletion or failure"),
    ("resources", "CPU and memory requests and limits"),
    ("secrets", "credentials in code, images or configuration"),
    ("shell", "shell commands in RUN instructions"),
    ("supply-chain", "where code, images and modules come from"),
    ("suppressions", "rampart's own suppression comments"),
    (
        "vulnerability-scanning",
        "scanning images for known vulnerabilities",
    ),
    ("windows", "Windows containers"),
    // Cloud services.
    ("acr", "Azure Container Registry"),
    ("aks", "Azure Kubernetes Service"),
    ("app-service", "Azure App Service"),
    ("bigquery", "Google BigQuery"),
    ("cloudtrail", "AWS CloudTrail"),
    (
        "compute",
        "virtual machines (EC2, Compute Engine, Azure VMs)",
    ),
    ("ebs", "Amazon EBS volumes"),
    ("ec2", "Amazon EC2"),
    ("ecr", "Amazon ECR"),
    ("ecs", "Amazon ECS"),
    ("eks", "Amazon EKS"),
    ("elb", "Elastic Load Balancing"),
    ("gke", "Google Kubernetes Engine"),
    ("iam", "identity and access management policies and roles"),
    ("keyvault", "Azure Key Vault"),
    ("kms", "key management services"),
    ("lambda", "AWS Lambda"),
    ("opensearch", "Amazon OpenSearch Service"),
    ("rds", "Amazon RDS"),
    ("redshift", "Amazon Redshift"),
    ("s3", "Amazon S3"),
    (
        "sql",
        "managed SQL databases (Cloud SQL, Azure SQL, Azure databases)",
    ),
    ("storage", "object and blob storage"),
    ("vpc", "virtual networks"),
];

/// Is `tag` in `TAGS`? (A `const fn`, so `declare_rule!` can check tags at compile time.)
pub const fn is_known(tag: &str) -> bool {
    let mut i = 0;
    while i < TAGS.len() {
        if eq(TAGS[i].0.as_bytes(), tag.as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

/// Fails the build of a rule whose tags are not all in `TAGS`; the error is the unknown tag,
/// at the rule's `declare_rule!`.
pub const fn assert_known(tags: &[&str]) {
    let mut i = 0;
    while i < tags.len() {
        let unknown_tag = tags[i];
        if !is_known(unknown_tag) {
            panic!("{}", unknown_tag); // not in TAGS: fix the rule's spelling, or add the tag to TAGS
        }
        i += 1;
    }
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
