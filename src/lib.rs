//! rampart: a security linter for Terraform, Dockerfiles and Kubernetes manifests.

pub mod image;
pub mod model;
pub mod parse;
pub mod source;
pub mod terraform;
