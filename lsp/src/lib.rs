//! The rampart language server, protocol only: document store, position conversions,
//! publishing, code actions, hover and configuration reload. Linting is done by whatever
//! implements [`Linter`] (the rampart core), on a worker thread.

pub mod linter;
pub mod position;
mod server;
pub mod transport;
mod uri;

pub use linter::{
    Diagnostic, Edit, FileDiagnostics, Fix, Level, Linter, Related, Safety, Settings,
};
pub use server::{run, run_stdio, Ending, FIX_ALL_KIND};
pub use uri::{path_to_uri, uri_to_path};
