//! Filesystem functions: `file`, `fileexists` and `templatefile`. They read only regular files
//! below the scan root (`Inputs::root`), at most 1 MiB each, their reading counted as steps;
//! a template sees only its own variables, and the budget running out inside it is reported
//! at the call.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::model::{Node, Value};
use crate::source::Span;
use crate::terraform::module::Module;

/// Files read by `file()`/`templatefile()` larger than this stay unknown.
const MAX_READ: u64 = 1 << 20;

impl Module<'_> {
    /// `file`, `fileexists` and `templatefile`, reading only regular files below the scan
    /// root. `span` is the call's.
    pub(in crate::terraform) fn file_function(
        &self,
        name: &str,
        args: &[Node],
        span: Span,
        depth: usize,
    ) -> Option<Value> {
        let path = args.first()?.as_str()?;
        let root = self.root.as_ref()?;
        let dir = self.dir.as_deref().unwrap_or(Path::new("."));
        let full = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else if path.starts_with(&*dir.to_string_lossy()) && !dir.as_os_str().is_empty() {
            // `"${path.module}/x"` is already relative to the working directory.
            PathBuf::from(path)
        } else {
            dir.join(path)
        };
        let canonical = std::fs::canonicalize(&full).ok()?;
        if !std::fs::canonicalize(root).is_ok_and(|r| canonical.starts_with(r)) {
            return None;
        }
        if name == "fileexists" {
            // Terraform's `fileexists` is true for regular files only (and fails otherwise).
            return Some(Value::Bool(canonical.is_file()));
        }
        // The canonical path was checked to be inside the root: open that one, so that no
        // link swapped in since leads elsewhere.
        let text = read_regular_file(&canonical, MAX_READ)?;
        if !self.step(text.len() as u64 / 64, span) {
            return None;
        }
        if name == "file" {
            return Some(Value::String(text));
        }
        let vars = args.get(1)?;
        let template = hcl_edit::parser::parse_template(&text).ok()?;
        let bindings: Vec<(String, Rc<Node>)> = vars
            .entries()
            .iter()
            .map(|e| (e.key.clone(), Rc::new(e.value.clone())))
            .collect();
        // A template sees only its variables: bind them over everything else.
        let saved = std::mem::take(&mut *self.scope.borrow_mut());
        self.scope.borrow_mut().extend(bindings);
        // Its text is not among the files linted: the budget running out in it is the call's.
        let foreign = self
            .foreign
            .replace(Some(self.foreign.get().unwrap_or(span)));
        let node = self.template(&template, 0, Span::default(), depth + 1);
        self.foreign.set(foreign);
        *self.scope.borrow_mut() = saved;
        match node.value {
            Value::String(s) => Some(Value::String(s)),
            _ => None,
        }
    }
}

/// The text of the regular file at `path`, if it holds at most `max` bytes of UTF-8. A FIFO, a
/// device or a directory is never read (nor waited on): see [`crate::source::open_regular`].
fn read_regular_file(path: &Path, max: u64) -> Option<String> {
    // The path is canonical: a link here was swapped in after it was resolved.
    let file = crate::source::open_regular_resolved(path).ok()?;
    let bytes = crate::source::read_bounded(file, max).ok()?;
    String::from_utf8(bytes).ok()
}
