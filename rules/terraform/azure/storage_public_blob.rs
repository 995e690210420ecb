use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::rule::Related;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};
use crate::terraform::join::referenced;

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_storage_container` whose `container_access_type` is `blob` or `container`
    /// (anonymous read, reported on the account it belongs to when that is in the module), and an
    /// `azurerm_storage_account` that allows public containers: `allow_nested_items_to_be_public`
    /// `true` or unset (the provider default is `true`), or the 2.x `allow_blob_public_access =
    /// true`.
    ///
    /// ## Why it matters
    /// Anonymous access needs no credential at all: anyone with the URL reads the blobs, and
    /// with `container` access lists them too. Turning it off at the account level makes a later
    /// mistake on one container harmless.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_storage_container" "assets" {
    ///   name                  = "assets"
    ///   storage_account_name  = azurerm_storage_account.data.name
    ///   container_access_type = "blob"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_storage_account" "data" {
    ///   name                            = "exampledata"
    ///   allow_nested_items_to_be_public = false
    /// }
    ///
    /// resource "azurerm_storage_container" "assets" {
    ///   name                  = "assets"
    ///   storage_account_name  = azurerm_storage_account.data.name
    ///   container_access_type = "private"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: anonymous readers (a static site, public downloads) lose access. The fix
    /// sets `allow_nested_items_to_be_public = false` on the account and `container_access_type =
    /// "private"` on containers.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent
    pub struct StoragePublicBlob {
        code: "TF-AZURE-003",
        name: "storage-public-blob",
        title: "Blob containers can be, or are, public",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "storage", "public-access"],
        severity: Severity::High,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_190"), Peer::exact("CKV_AZURE_34"), Peer::exact("CKV2_AZURE_47")],
            trivy: &[Peer::exact("AZU-0007")],
            kics: &[Peer::partial("Public Storage Account", "also flags network rules that allow everyone"), Peer::exact("Storage Container Is Publicly Accessible")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 3.7", "NIST 800-53 AC-3"],
        references: &["https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent"],
    }
}

const NESTED: Setting = Setting {
    types: &["azurerm_storage_account"],
    path: &["allow_nested_items_to_be_public"],
    want: Want::Bool {
        want: false,
        default: true,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: Some(legacy),
};

/// Provider 2.x accounts say `allow_blob_public_access` instead.
fn legacy(r: &crate::model::Resource) -> bool {
    r.body.get("allow_blob_public_access").is_some()
}

impl Check for StoragePublicBlob {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        NESTED.report(&Self::META, cx, out, |r, value| match value {
            Some(_) => format!("{} sets `allow_nested_items_to_be_public = true`: its containers may be made public", r.name),
            None => format!("{} leaves `allow_nested_items_to_be_public` unset (the provider default is true): its containers may be made public", r.name),
        });
        for r in cx.resources {
            match r.tf_type() {
                Some(("resource", "azurerm_storage_account")) => {
                    if let Some(v) = r
                        .body
                        .get("allow_blob_public_access")
                        .filter(|v| v.as_bool() == Some(true))
                    {
                        let fix = replace_scalar(cx.text(r.file), v, "false").map(|e| {
                            Fix::new(
                                "Set `allow_blob_public_access = false`",
                                Applicability::Unsafe,
                                vec![e],
                            )
                        });
                        out.push(
                            Finding::on(&Self::META, r, v.span, format!("{} sets `allow_blob_public_access = true`: its containers may be made public", r.name))
                                .with_origin(v, r.file, "the value")
                                .with_fix(fix),
                        );
                    }
                }
                Some(("resource", "azurerm_storage_container")) => {
                    let Some(v) = r.body.get("container_access_type") else {
                        continue;
                    };
                    let Some(kind) = v.as_str().filter(|k| matches!(*k, "blob" | "container"))
                    else {
                        continue;
                    };
                    let what = if kind == "container" {
                        "list and read"
                    } else {
                        "read"
                    };
                    let fix = replace_scalar(cx.text(r.file), v, "private").map(|e| {
                        Fix::new(
                            "Set `container_access_type = \"private\"`",
                            Applicability::Unsafe,
                            vec![e],
                        )
                    });
                    let mut f = Finding::on(
                        &Self::META,
                        r,
                        v.span,
                        format!("{} lets anyone on the internet {what} its blobs (`container_access_type = \"{kind}\"`)", r.name),
                    )
                    .with_origin(v, r.file, "the access type")
                    .with_fix(fix);
                    let account = ["storage_account_id", "storage_account_name"]
                        .iter()
                        .filter_map(|k| r.body.get(k))
                        .find_map(|n| referenced(cx.resources, n, &["azurerm_storage_account"]));
                    if let Some(a) = account {
                        f.resource = Some(a.name.clone());
                        f.related.push(Related {
                            file: a.file,
                            span: a.head,
                            message: format!("{} is declared here", a.name),
                        });
                    }
                    out.push(f);
                }
                _ => {}
            }
        }
    }
}
