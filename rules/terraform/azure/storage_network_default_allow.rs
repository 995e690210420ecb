use crate::model::{Node, Resource};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::lookup;
use crate::terraform::join::referenced;

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_storage_account` whose network rules let every network in: `network_rules`
    /// with `default_action = "Allow"`, or no network rules at all — neither an inline
    /// `network_rules` block nor an `azurerm_storage_account_network_rules` that configures it (by
    /// a `storage_account_id` or `storage_account_name` reference, or the account's literal
    /// name) — which is Azure's default. Accounts with `public_network_access_enabled = false`
    /// are not flagged. An `azurerm_storage_account_network_rules` with `default_action =
    /// "Allow"` for an account this module does not declare (its id or name comes from a
    /// variable) is flagged on its own: the explicit Allow is known.
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
            let split = split_rules(cx)
                .find(|x| configured_account(cx.resources, x).is_some_and(|a| a.name == r.name));
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
        // Rules for an account declared elsewhere.
        for rules in split_rules(cx).filter(|x| configured_account(cx.resources, x).is_none()) {
            let Some(a) = rules.body.get("default_action") else {
                continue;
            };
            if a.as_str().is_some_and(|s| s.eq_ignore_ascii_case("Allow")) {
                out.push(
                    Finding::on(
                        &Self::META,
                        rules,
                        a.span,
                        format!(
                            "{} lets every network reach its storage account (`default_action = \"Allow\"`)",
                            rules.name
                        ),
                    )
                    .with_origin(a, rules.file, "the action"),
                );
            }
        }
    }
}

fn split_rules<'a>(cx: &'a Context<'_>) -> impl Iterator<Item = &'a Resource> {
    cx.resources
        .iter()
        .filter(|x| x.tf_type() == Some(("resource", "azurerm_storage_account_network_rules")))
}

/// The account of this module that `azurerm_storage_account_network_rules` configures: by a
/// reference in `storage_account_id` or `storage_account_name`, or by the account's literal
/// name.
fn configured_account<'a>(resources: &'a [Resource], rules: &Resource) -> Option<&'a Resource> {
    const ACCOUNT: &[&str] = &["azurerm_storage_account"];
    let by_id = rules.body.get("storage_account_id");
    let by_name = rules.body.get("storage_account_name");
    if let Some(a) = [by_id, by_name]
        .into_iter()
        .flatten()
        .find_map(|n| referenced(resources, n, ACCOUNT))
    {
        return Some(a);
    }
    let name = by_name?.as_str()?;
    resources.iter().find(|r| {
        r.tf_type() == Some(("resource", "azurerm_storage_account"))
            && r.body.get("name").and_then(Node::as_str) == Some(name)
    })
}
