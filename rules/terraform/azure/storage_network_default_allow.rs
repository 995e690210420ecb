use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::lookup;
use crate::terraform::join::referenced;

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_storage_account` whose network rules let every network in: `network_rules`
    /// with `default_action = "Allow"`, or no network rules at all — neither an inline
    /// `network_rules` block nor an `azurerm_storage_account_network_rules` that configures it (by
    /// `storage_account_id` reference) — which is Azure's default. Accounts with
    /// `public_network_access_enabled = false` are not flagged.
    ///
    /// ## Why it matters
    /// With the default action Allow the account's endpoints answer the whole internet; a leaked
    /// key or SAS token works from anywhere. Deny by default with virtual network rules, IP rules or
    /// private endpoints limits where credentials can be used.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_storage_account" "data" {
    ///   name = "exampledata"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_storage_account" "data" {
    ///   name = "exampledata"
    ///
    ///   network_rules {
    ///     default_action             = "Deny"
    ///     virtual_network_subnet_ids = [azurerm_subnet.app.id]
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/storage/common/storage-network-security
    pub struct StorageNetworkDefaultAllow {
        code: "TF-AZURE-004",
        name: "storage-network-default-allow",
        title: "Storage account accepts traffic from every network",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "storage", "network"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_35")],
            trivy: &[Peer::exact("AZU-0012")],
            kics: &[Peer::exact("Default Azure Storage Account Network Access Is Too Permissive")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 3.8", "NIST 800-53 SC-7"],
        references: &["https://learn.microsoft.com/azure/storage/common/storage-network-security"],
    }
}

impl Check for StorageNetworkDefaultAllow {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "azurerm_storage_account")))
        {
            if r.body
                .get("public_network_access_enabled")
                .and_then(Node::as_bool)
                == Some(false)
            {
                continue;
            }
            let split = cx.resources.iter().find(|x| {
                x.tf_type() == Some(("resource", "azurerm_storage_account_network_rules"))
                    && x.body
                        .get("storage_account_id")
                        .and_then(|id| referenced(cx.resources, id, &["azurerm_storage_account"]))
                        .is_some_and(|a| a.name == r.name)
            });
            let (holder, action) = match split {
                Some(s) => (s, s.body.get("default_action")),
                None => (r, lookup(&r.body, &["network_rules", "default_action"])),
            };
            match action {
                Some(a) if a.as_str().is_some_and(|s| s.eq_ignore_ascii_case("Allow")) => {
                    let mut f = Finding::on(
                        &Self::META,
                        holder,
                        a.span,
                        format!(
                            "{} accepts traffic from every network (`default_action = \"Allow\"`)",
                            r.name
                        ),
                    )
                    .with_origin(a, holder.file, "the action");
                    f.resource = Some(r.name.clone());
                    out.push(f);
                }
                Some(_) => {}
                None if split.is_none() && r.body.get("network_rules").is_none() => {
                    out.push(Finding::on(
                        &Self::META,
                        r,
                        r.head,
                        format!(
                            "{} has no network rules: it accepts traffic from every network",
                            r.name
                        ),
                    ))
                }
                None => {}
            }
        }
    }
}
