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

#[cfg(test)]
mod tests {
    use crate::model::Node;
    use crate::parse::terraform::parse;
    use crate::terraform::{Inputs, Module, ModuleFile};

    /// The attributes of the one resource of `text`, evaluated in `dir` below `root`.
    fn evaluate(text: &str, dir: &std::path::Path, root: &std::path::Path) -> Node {
        let tf = parse(text).unwrap();
        let files = [ModuleFile {
            file: 0,
            name: "main.tf",
            tf: &tf,
        }];
        let inputs = Inputs {
            dir: Some(dir.to_path_buf()),
            root: Some(root.to_path_buf()),
            ..Inputs::default()
        };
        let module = Module::with_inputs(&files, &inputs);
        module.resources(&files[0]).remove(0).body
    }

    #[test]
    fn files_are_read_below_the_root_only() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("app");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("policy.json"), "{}").unwrap();
        std::fs::write(dir.join("t.tpl"), "acl=${acl}").unwrap();
        std::fs::write(root.path().join("outside.txt"), "secret").unwrap();
        let text = r#"resource "r" "x" {
  read    = file("policy.json")
  module  = file("${path.module}/policy.json")
  exists  = fileexists("missing.json")
  dir     = fileexists(".")
  tpl     = templatefile("t.tpl", { acl = "private" })
  unbound = templatefile("t.tpl", {})
}
"#;
        let body = evaluate(text, &dir, root.path());
        let get = |k: &str| body.get(k).unwrap();
        assert_eq!(get("read").as_str(), Some("{}"));
        assert_eq!(get("module").as_str(), Some("{}"));
        assert!(
            get("exists").is_unknown(),
            "a missing file cannot be resolved"
        );
        assert_eq!(get("dir").as_bool(), Some(false));
        assert_eq!(get("tpl").as_str(), Some("acl=private"));
        assert!(get("unbound").is_unknown());
        // Above the root: never read.
        let body = evaluate(
            "resource \"r\" \"x\" { v = file(\"../outside.txt\") }\n",
            &dir,
            &dir,
        );
        assert!(body.get("v").unwrap().is_unknown());
    }

    /// A FIFO (or a link to one) reads as unknown without waiting on it; a regular file
    /// beside it as its text.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_unknown_and_never_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            dir.path().join("x"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        std::os::unix::fs::symlink("x", dir.path().join("link")).unwrap();
        std::fs::write(dir.path().join("policy.json"), "{\"Statement\": []}").unwrap();
        let text = r#"resource "r" "x" {
  acl    = file("x")
  policy = templatefile("link", {})
  exists = fileexists("x")
  json   = file("policy.json")
}
"#;
        let body = evaluate(text, dir.path(), dir.path());
        let get = |k: &str| body.get(k).unwrap();
        assert!(get("acl").is_unknown());
        assert!(get("policy").is_unknown());
        assert_eq!(get("exists").as_bool(), Some(false));
        assert_eq!(get("json").as_str(), Some("{\"Statement\": []}"));
    }
}
