//! Variable values from outside the configuration: `.tfvars` and `.tfvars.json` files (those a
//! root module reads by itself, and `--var-file`) and `--var name=value`.

use std::rc::Rc;

use super::budget::Budget;
use super::module::{Module, ModuleFile};
use crate::model::{Node, Value};
use crate::parse::terraform::TfFile;
use crate::source::Span;

/// Whether a file of a module is a variables file rather than configuration.
pub(super) fn is_tfvars(name: &str) -> bool {
    name.ends_with(".tfvars") || name.ends_with(".tfvars.json")
}

impl<'a> Module<'a> {
    /// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` in lexical order
    /// of their names, override the defaults of the variables they name.
    pub(super) fn read_tfvars(&mut self, files: &[ModuleFile<'a>], budget: &Rc<Budget>) {
        let mut tfvars: Vec<&ModuleFile> = files
            .iter()
            .filter(|f| tfvars_rank(f.name).is_some())
            .collect();
        tfvars.sort_by_key(|f| (tfvars_rank(f.name), f.name));
        for f in tfvars {
            for (name, value, file) in tfvars_values(f.tf, f.file, budget) {
                if self.vars.contains_key(&name) {
                    self.vars.insert(name, (value, file));
                }
            }
        }
    }
}

/// The assignments of a `.tfvars` or `.tfvars.json` file, evaluated within `budget` (they may
/// not refer to anything).
pub(crate) fn tfvars_values(
    tf: &TfFile,
    file: usize,
    budget: &Rc<Budget>,
) -> Vec<(String, Node, Option<usize>)> {
    if let Some(vars) = &tf.json_vars {
        return vars
            .iter()
            .map(|(name, _, value)| (name.clone(), value.clone(), Some(file)))
            .collect();
    }
    let empty = Module::empty(budget.clone());
    empty.file.set(Some(file));
    tf.body
        .attributes()
        .map(|attr| {
            (
                attr.key.as_str().to_string(),
                empty.eval(&attr.value, tf.base, 0),
                Some(file),
            )
        })
        .collect()
}

/// The order in which Terraform reads the variable files of a root module by itself:
/// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars` and `*.auto.tfvars.json`
/// (by name). `None`: a variable file read only when named with `--var-file`.
fn tfvars_rank(name: &str) -> Option<u8> {
    match name {
        "terraform.tfvars" => Some(0),
        "terraform.tfvars.json" => Some(1),
        _ if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => Some(2),
        _ => None,
    }
}

/// A `--var name=value` value: numbers, `true`/`false`, lists and objects written in HCL are
/// typed as Terraform types them; anything else is a string.
pub(crate) fn cli_value(text: &str) -> Node {
    let span = Span::default();
    let trimmed = text.trim();
    if let Ok(n) = trimmed.parse::<f64>() {
        return Node::new(Value::Number(n), span);
    }
    match trimmed {
        "true" => return Node::new(Value::Bool(true), span),
        "false" => return Node::new(Value::Bool(false), span),
        _ => {}
    }
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        if let Ok(expr) = hcl_edit::parser::parse_expr(trimmed) {
            return Module::empty(Rc::new(Budget::new()))
                .eval(&expr, 0, 0)
                .placed(span);
        }
    }
    Node::new(Value::String(text.to_string()), span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::terraform::parse;

    #[test]
    fn tfvars_override_defaults() {
        let main = parse("variable \"acl\" { default = \"private\" }\nresource \"aws_s3_bucket\" \"b\" { acl = var.acl }\n").unwrap();
        let vars = parse("acl = \"public-read\"\n").unwrap();
        let files = [
            ModuleFile {
                file: 0,
                name: "main.tf",
                tf: &main,
            },
            ModuleFile {
                file: 1,
                name: "terraform.tfvars",
                tf: &vars,
            },
        ];
        let module = Module::new(&files);
        let r = &module.resources(&files[0])[0];
        assert_eq!(r.body.get("acl").unwrap().as_str(), Some("public-read"));
    }

    #[test]
    fn command_line_values_are_typed_as_terraform_types_them() {
        assert_eq!(cli_value("3").as_f64(), Some(3.0));
        assert_eq!(cli_value(" true ").as_bool(), Some(true));
        assert_eq!(cli_value("[\"a\", \"b\"]").as_list().len(), 2);
        assert_eq!(
            cli_value("{ k = \"v\" }").get("k").and_then(Node::as_str),
            Some("v")
        );
        // Not HCL: the text as it is.
        assert_eq!(cli_value("[oops").as_str(), Some("[oops"));
        assert_eq!(cli_value("eu-west-1").as_str(), Some("eu-west-1"));
    }

    #[test]
    fn variable_files_are_ranked_as_terraform_reads_them() {
        let mut names = [
            "b.auto.tfvars",
            "terraform.tfvars.json",
            "a.auto.tfvars.json",
            "terraform.tfvars",
        ];
        names.sort_by_key(|n| (tfvars_rank(n), *n));
        assert_eq!(
            names,
            [
                "terraform.tfvars",
                "terraform.tfvars.json",
                "a.auto.tfvars.json",
                "b.auto.tfvars"
            ]
        );
        assert_eq!(tfvars_rank("prod.tfvars"), None);
        assert!(is_tfvars("prod.tfvars") && is_tfvars("x.tfvars.json") && !is_tfvars("main.tf"));
    }
}
