//! The rampart language server, protocol only: document store, position conversions,
//! publishing, code actions, hover and configuration reload. Linting is done by whatever
//! implements [`Linter`] (the rampart core).

pub mod linter;
pub mod position;
mod server;
pub mod transport;

pub use linter::{
    Diagnostic, Edit, FileDiagnostics, Fix, Level, Linter, Related, Safety, Settings,
};
pub use server::{path_to_uri, run, run_stdio, uri_to_path, FIX_ALL_KIND};
