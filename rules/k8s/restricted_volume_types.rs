use crate::k8s::each_volume;
use crate::k8s::pss::RESTRICTED_VOLUMES;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A pod volume of a type the Pod Security Standards Restricted level does not allow. The
    /// allowed types are `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`,
    /// `persistentVolumeClaim`, `projected` and `secret`; everything else (`hostPath`, `nfs`,
    /// `iscsi`, `rbd`, `gitRepo`, cloud disks…) is flagged. `hostPath` is left to
    /// `host-path-volume`, which the Baseline level already forbids.
    ///
    /// ## Why it matters
    /// Volume types outside the list attach storage directly from the pod spec, bypassing the
    /// PersistentVolume layer where administrators control what storage is reachable;
    /// `gitRepo` runs `git` on the node with attacker-supplied input.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: data
    ///     nfs:
    ///       server: nfs.example.com
    ///       path: /exports
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// volumes:
    ///   - name: data
    ///     persistentVolumeClaim:
    ///       claimName: data
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub struct RestrictedVolumeTypes {
        code: "K8S-018",
        name: "restricted-volume-types",
        title: "Volume type outside the Restricted list",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-restricted", "storage"],
        severity: Severity::Low,
        equivalents: Equivalents {
            trivy: &[Peer::exact("KSV-0028")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Restricted: Volume Types"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
    }
}

impl Check for RestrictedVolumeTypes {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, volume) in each_volume(cx.resources) {
            let name = volume.get("name").map(|n| n.display()).unwrap_or_default();
            for e in volume.entries() {
                if e.key == "name"
                    || e.key == "hostPath"
                    || RESTRICTED_VOLUMES.contains(&e.key.as_str())
                {
                    continue;
                }
                out.push(Finding::on(
                    &Self::META,
                    resource,
                    e.key_span,
                    format!(
                        "{} volume \"{name}\" is of type `{}`, outside the Restricted list",
                        resource.name, e.key
                    ),
                ));
            }
        }
    }
}
