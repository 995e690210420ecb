//! Every rule, one file each. This table is the registry.

pub mod helpers;

pub mod core {
    pub mod evaluation_budget_exceeded;
    pub mod internal_error;
    pub mod module_not_found;
    pub mod parse_error;
    pub mod unreadable_file;
    pub mod unused_suppression;
}

pub mod k8s {
    pub mod added_capabilities;
    pub mod apparmor_unconfined;
    pub mod capabilities_drop_all;
    pub mod default_namespace;
    pub mod default_service_account;
    pub mod exposed_service;
    pub mod host_ipc;
    pub mod host_network;
    pub mod host_path_volume;
    pub mod host_pid;
    pub mod host_port;
    pub mod host_process;
    pub mod image_digest;
    pub mod image_pull_policy;
    pub mod latest_image_tag;
    pub mod missing_probes;
    pub mod missing_resource_limits;
    pub mod network_policy_coverage;
    pub mod privilege_escalation;
    pub mod privileged_container;
    pub mod probe_host;
    pub mod proc_mount;
    pub mod rbac_admission_and_csr;
    pub mod rbac_binding_subjects;
    pub mod rbac_create_workloads;
    pub mod rbac_escalation;
    pub mod rbac_pod_exec;
    pub mod rbac_secrets;
    pub mod rbac_wildcard;
    pub mod restricted_volume_types;
    pub mod run_as_non_root;
    pub mod run_as_root_user;
    pub mod seccomp_required;
    pub mod seccomp_unconfined;
    pub mod secret_in_env;
    pub mod selinux_options;
    pub mod service_account_token;
    pub mod unsafe_sysctls;
    pub mod untrusted_registry;
    pub mod writable_root_filesystem;
}

pub mod docker {
    pub mod add_instead_of_copy;
    pub mod add_url_without_checksum;
    pub mod apt_install_recommends;
    pub mod base_image_digest;
    pub mod exposed_admin_port;
    pub mod heavy_base_image;
    pub mod latest_base_image;
    pub mod maintainer;
    pub mod missing_healthcheck;
    pub mod package_cache;
    pub mod pipe_to_shell;
    pub mod relative_workdir;
    pub mod root_user;
    pub mod secret_file_copied;
    pub mod secret_in_env;
    pub mod sudo;
    pub mod tls_verification_disabled;
    pub mod unpinned_packages;
    pub mod unsigned_packages;
    pub mod untrusted_registry;
    pub mod world_writable;
}

pub mod terraform {
    pub mod general {
        pub mod module_source_unpinned;
    }
    pub mod azure {
        pub mod acr_admin_user;
        pub mod aks_api_authorized_ips;
        pub mod aks_network_policy;
        pub mod aks_private_cluster;
        pub mod aks_rbac;
        pub mod app_service_ftps;
        pub mod app_service_https_only;
        pub mod app_service_tls;
        pub mod database_ssl;
        pub mod keyvault_expiry;
        pub mod keyvault_recoverable;
        pub mod managed_disk_encryption;
        pub mod nsg_open_admin_ports;
        pub mod sql_auditing;
        pub mod sql_firewall_open;
        pub mod sql_public_network_access;
        pub mod storage_https_only;
        pub mod storage_network_default_allow;
        pub mod storage_public_blob;
        pub mod storage_tls;
        pub mod vm_password_auth;
    }
    pub mod gcp {
        pub mod bigquery_public_dataset;
        pub mod cloud_kms_rotation;
        pub mod compute_default_service_account;
        pub mod firewall_open;
        pub mod gcs_public_bucket;
        pub mod gcs_uniform_access;
        pub mod gke_client_certificate;
        pub mod gke_legacy_abac;
        pub mod gke_master_authorized_networks;
        pub mod gke_network_policy;
        pub mod gke_private_nodes;
        pub mod iam;
        pub mod iam_basic_role;
        pub mod project_ssh_keys;
        pub mod serial_port;
        pub mod service_account_privileges;
        pub mod shielded_vm;
        pub mod sql_backups;
        pub mod sql_public_ip;
        pub mod sql_ssl;
        pub mod vpc_flow_logs;
    }
    pub mod network;
    pub mod setting;
    pub mod aws {
        pub mod cloudtrail_kms;
        pub mod cloudtrail_log_validation;
        pub mod cloudtrail_multi_region;
        pub mod default_security_group_open;
        pub mod ebs_unencrypted;
        pub mod ec2_public_ip;
        pub mod ecr_mutable_tags;
        pub mod ecr_public_policy;
        pub mod ecr_scan_on_push;
        pub mod ecs_task_env_secrets;
        pub mod eks_control_plane_logging;
        pub mod eks_public_endpoint;
        pub mod eks_secrets_encryption;
        pub mod iam_admin_attached;
        pub mod iam_admin_policy;
        pub mod iam_passrole_wildcard;
        pub mod iam_privilege_escalation;
        pub mod iam_user_policy;
        pub mod iam_wildcard_action;
        pub mod iam_write_any_resource;
        pub mod imdsv2;
        pub mod instance_volume_unencrypted;
        pub mod kms_public_policy;
        pub mod kms_rotation;
        pub mod lambda_env_secrets;
        pub mod lb_http_listener;
        pub mod lb_tls_policy;
        pub mod nacl_open;
        pub mod open_security_group;
        pub mod opensearch_encryption;
        pub mod policy;
        pub mod public_access_block_disabled;
        pub mod public_bucket_acl;
        pub mod rds_backups_disabled;
        pub mod rds_deletion_protection;
        pub mod rds_public;
        pub mod rds_unencrypted;
        pub mod redshift_public;
        pub mod s3_access_logging;
        pub mod s3_customer_key;
        pub mod s3_public_policy;
        pub mod s3_versioning;
        pub mod user_data_secrets;
    }
}

use crate::rule::{Rule, RuleMeta};

/// Every rule, in code order within each domain.
pub static RULES: &[&dyn Rule] = &[
    &core::parse_error::ParseError,
    &core::unreadable_file::UnreadableFile,
    &core::internal_error::InternalError,
    &core::unused_suppression::UnusedSuppression,
    &core::module_not_found::ModuleNotFound,
    &core::evaluation_budget_exceeded::EvaluationBudgetExceeded,
    &k8s::privileged_container::PrivilegedContainer,
    &k8s::host_network::HostNetwork,
    &k8s::host_pid::HostPid,
    &k8s::host_ipc::HostIpc,
    &k8s::latest_image_tag::LatestImageTag,
    &k8s::missing_resource_limits::MissingResourceLimits,
    &k8s::untrusted_registry::UntrustedRegistryK8s,
    &k8s::host_process::HostProcess,
    &k8s::added_capabilities::AddedCapabilities,
    &k8s::host_path_volume::HostPathVolume,
    &k8s::host_port::HostPort,
    &k8s::apparmor_unconfined::AppArmorUnconfined,
    &k8s::selinux_options::SeLinuxOptions,
    &k8s::proc_mount::ProcMount,
    &k8s::seccomp_unconfined::SeccompUnconfined,
    &k8s::unsafe_sysctls::UnsafeSysctls,
    &k8s::probe_host::ProbeHost,
    &k8s::restricted_volume_types::RestrictedVolumeTypes,
    &k8s::privilege_escalation::PrivilegeEscalation,
    &k8s::run_as_non_root::RunAsNonRoot,
    &k8s::run_as_root_user::RunAsRootUser,
    &k8s::seccomp_required::SeccompRequired,
    &k8s::capabilities_drop_all::CapabilitiesDropAll,
    &k8s::writable_root_filesystem::WritableRootFilesystem,
    &k8s::image_digest::ImageDigest,
    &k8s::image_pull_policy::ImagePullPolicy,
    &k8s::missing_probes::MissingProbes,
    &k8s::service_account_token::ServiceAccountToken,
    &k8s::default_service_account::DefaultServiceAccount,
    &k8s::default_namespace::DefaultNamespace,
    &k8s::secret_in_env::SecretInEnvK8s,
    &k8s::rbac_wildcard::RbacWildcard,
    &k8s::rbac_secrets::RbacSecrets,
    &k8s::rbac_escalation::RbacEscalation,
    &k8s::rbac_pod_exec::RbacPodExec,
    &k8s::rbac_create_workloads::RbacCreateWorkloads,
    &k8s::rbac_admission_and_csr::RbacAdmissionAndCsr,
    &k8s::rbac_binding_subjects::RbacBindingSubjects,
    &k8s::exposed_service::ExposedService,
    &k8s::network_policy_coverage::NetworkPolicyCoverage,
    &docker::latest_base_image::LatestBaseImage,
    &docker::root_user::RootUser,
    &docker::pipe_to_shell::PipeToShell,
    &docker::sudo::Sudo,
    &docker::add_instead_of_copy::AddInsteadOfCopy,
    &docker::add_url_without_checksum::AddUrlWithoutChecksum,
    &docker::maintainer::Maintainer,
    &docker::relative_workdir::RelativeWorkdir,
    &docker::exposed_admin_port::ExposedAdminPort,
    &docker::tls_verification_disabled::TlsVerificationDisabled,
    &docker::secret_in_env::SecretInEnv,
    &docker::unsigned_packages::UnsignedPackages,
    &docker::secret_file_copied::SecretFileCopied,
    &docker::world_writable::WorldWritable,
    &docker::apt_install_recommends::AptInstallRecommends,
    &docker::unpinned_packages::UnpinnedPackages,
    &docker::package_cache::PackageCache,
    &docker::missing_healthcheck::MissingHealthcheck,
    &docker::base_image_digest::BaseImageDigest,
    &docker::heavy_base_image::HeavyBaseImage,
    &docker::untrusted_registry::UntrustedRegistry,
    &terraform::aws::public_bucket_acl::PublicBucketAcl,
    &terraform::aws::open_security_group::OpenSecurityGroup,
    &terraform::aws::rds_public::RdsPublic,
    &terraform::aws::imdsv2::Imdsv2,
    &terraform::aws::iam_admin_policy::IamAdminPolicy,
    &terraform::aws::public_access_block_disabled::PublicAccessBlockDisabled,
    &terraform::aws::s3_public_policy::S3PublicPolicy,
    &terraform::aws::default_security_group_open::DefaultSecurityGroupOpen,
    &terraform::aws::rds_unencrypted::RdsUnencrypted,
    &terraform::aws::rds_backups_disabled::RdsBackupsDisabled,
    &terraform::aws::rds_deletion_protection::RdsDeletionProtection,
    &terraform::aws::ebs_unencrypted::EbsUnencrypted,
    &terraform::aws::ec2_public_ip::Ec2PublicIp,
    &terraform::aws::iam_wildcard_action::IamWildcardAction,
    &terraform::aws::iam_passrole_wildcard::IamPassroleWildcard,
    &terraform::aws::kms_rotation::KmsRotation,
    &terraform::aws::kms_public_policy::KmsPublicPolicy,
    &terraform::aws::cloudtrail_multi_region::CloudtrailMultiRegion,
    &terraform::aws::cloudtrail_log_validation::CloudtrailLogValidation,
    &terraform::aws::cloudtrail_kms::CloudtrailKms,
    &terraform::aws::eks_secrets_encryption::EksSecretsEncryption,
    &terraform::aws::ecr_scan_on_push::EcrScanOnPush,
    &terraform::aws::ecr_mutable_tags::EcrMutableTags,
    &terraform::aws::ecr_public_policy::EcrPublicPolicy,
    &terraform::aws::lambda_env_secrets::LambdaEnvSecrets,
    &terraform::aws::redshift_public::RedshiftPublic,
    &terraform::aws::opensearch_encryption::OpensearchEncryption,
    &terraform::aws::s3_versioning::S3Versioning,
    &terraform::aws::s3_access_logging::S3AccessLogging,
    &terraform::aws::s3_customer_key::S3CustomerKey,
    &terraform::aws::nacl_open::NaclOpen,
    &terraform::aws::instance_volume_unencrypted::InstanceVolumeUnencrypted,
    &terraform::aws::user_data_secrets::UserDataSecrets,
    &terraform::aws::iam_privilege_escalation::IamPrivilegeEscalation,
    &terraform::aws::iam_user_policy::IamUserPolicy,
    &terraform::aws::iam_admin_attached::IamAdminAttached,
    &terraform::aws::eks_public_endpoint::EksPublicEndpoint,
    &terraform::aws::eks_control_plane_logging::EksControlPlaneLogging,
    &terraform::aws::lb_http_listener::LbHttpListener,
    &terraform::aws::lb_tls_policy::LbTlsPolicy,
    &terraform::aws::ecs_task_env_secrets::EcsTaskEnvSecrets,
    &terraform::aws::iam_write_any_resource::IamWriteAnyResource,
    &terraform::general::module_source_unpinned::ModuleSourceUnpinned,
    &terraform::gcp::gcs_public_bucket::GcsPublicBucket,
    &terraform::gcp::gcs_uniform_access::GcsUniformAccess,
    &terraform::gcp::firewall_open::FirewallOpen,
    &terraform::gcp::sql_public_ip::SqlPublicIp,
    &terraform::gcp::sql_ssl::SqlSsl,
    &terraform::gcp::sql_backups::SqlBackups,
    &terraform::gcp::gke_legacy_abac::GkeLegacyAbac,
    &terraform::gcp::gke_client_certificate::GkeClientCertificate,
    &terraform::gcp::gke_master_authorized_networks::GkeMasterAuthorizedNetworks,
    &terraform::gcp::gke_private_nodes::GkePrivateNodes,
    &terraform::gcp::gke_network_policy::GkeNetworkPolicy,
    &terraform::gcp::compute_default_service_account::ComputeDefaultServiceAccount,
    &terraform::gcp::iam_basic_role::IamBasicRole,
    &terraform::gcp::service_account_privileges::ServiceAccountPrivileges,
    &terraform::gcp::cloud_kms_rotation::CloudKmsRotation,
    &terraform::gcp::project_ssh_keys::ProjectSshKeys,
    &terraform::gcp::serial_port::SerialPort,
    &terraform::gcp::shielded_vm::ShieldedVm,
    &terraform::gcp::vpc_flow_logs::VpcFlowLogs,
    &terraform::gcp::bigquery_public_dataset::BigqueryPublicDataset,
    &terraform::azure::storage_https_only::StorageHttpsOnly,
    &terraform::azure::storage_tls::StorageTls,
    &terraform::azure::storage_public_blob::StoragePublicBlob,
    &terraform::azure::storage_network_default_allow::StorageNetworkDefaultAllow,
    &terraform::azure::nsg_open_admin_ports::NsgOpenAdminPorts,
    &terraform::azure::sql_firewall_open::SqlFirewallOpen,
    &terraform::azure::sql_public_network_access::SqlPublicNetworkAccess,
    &terraform::azure::sql_auditing::SqlAuditing,
    &terraform::azure::database_ssl::DatabaseSsl,
    &terraform::azure::keyvault_recoverable::KeyvaultRecoverable,
    &terraform::azure::keyvault_expiry::KeyvaultExpiry,
    &terraform::azure::aks_rbac::AksRbac,
    &terraform::azure::aks_network_policy::AksNetworkPolicy,
    &terraform::azure::aks_api_authorized_ips::AksApiAuthorizedIps,
    &terraform::azure::aks_private_cluster::AksPrivateCluster,
    &terraform::azure::vm_password_auth::VmPasswordAuth,
    &terraform::azure::managed_disk_encryption::ManagedDiskEncryption,
    &terraform::azure::app_service_https_only::AppServiceHttpsOnly,
    &terraform::azure::app_service_tls::AppServiceTls,
    &terraform::azure::app_service_ftps::AppServiceFtps,
    &terraform::azure::acr_admin_user::AcrAdminUser,
];

pub fn metas() -> Vec<&'static RuleMeta> {
    RULES.iter().map(|r| r.meta()).collect()
}

/// A rule by code, name or alias (any case).
pub fn find(selector: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let m = r.meta();
        selector.eq_ignore_ascii_case(m.code)
            || selector.eq_ignore_ascii_case(m.name)
            || m.aliases.iter().any(|a| selector.eq_ignore_ascii_case(a))
    })
}

pub use core::evaluation_budget_exceeded::EvaluationBudgetExceeded;
pub use core::internal_error::InternalError;
pub use core::module_not_found::ModuleNotFound;
pub use core::parse_error::ParseError;
pub use core::unreadable_file::UnreadableFile;
pub use core::unused_suppression::UnusedSuppression;
