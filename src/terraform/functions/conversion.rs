//! Type conversion functions: `tostring`, `tobool`, `tonumber`, `tolist`/`toset`/`tomap`
//! (values are untyped here: the argument as it is), `can`, and `try`, which takes its first
//! argument when that is fully known.

use super::{contains_unknown, Call};
use crate::model::Value;

pub(super) const NAMES: &[&str] = &[
    "tostring", "tobool", "tonumber", "tolist", "toset", "tomap", "can",
];

pub(super) fn call(c: &Call) -> Option<Value> {
    Some(match c.name {
        "tostring" => Value::String(c.string(0)?),
        "tobool" => match c.string(0)?.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return None,
        },
        "tonumber" => Value::Number(c.string(0)?.parse().ok()?),
        "tolist" | "toset" | "tomap" => c.arg(0)?.value.clone(),
        // Its argument is known (the caller checked): it can be evaluated.
        "can" => Value::Bool(true),
        _ => return None,
    })
}

/// `try`: its first argument when it holds nothing unknown; unknown otherwise (an error in
/// it would make Terraform move on to the next one, which cannot be told here).
pub(super) fn try_first(c: &Call) -> Option<Value> {
    let first = c.arg(0)?;
    (!contains_unknown(first)).then(|| first.value.clone())
}

#[cfg(test)]
mod tests {
    use crate::terraform::functions::eval;

    #[test]
    fn conversions() {
        assert_eq!(eval("tostring(1.5)").as_str(), Some("1.5"));
        assert_eq!(eval(r#"tobool("true")"#).as_bool(), Some(true));
        assert!(eval(r#"tobool("yes")"#).is_unknown());
        assert_eq!(eval(r#"tonumber("42")"#).as_f64(), Some(42.0));
        assert_eq!(eval(r#"toset(["a", "a"])"#).as_list().len(), 2);
        assert_eq!(eval("can(1)").as_bool(), Some(true));
        assert!(eval("can(var.x)").is_unknown());
    }

    #[test]
    fn try_takes_a_known_first_argument() {
        assert_eq!(eval(r#"try("a", var.x)"#).as_str(), Some("a"));
        assert!(eval(r#"try(var.x, "a")"#).is_unknown());
        assert!(eval(r#"try(["a", var.x], [])"#).is_unknown());
    }
}
