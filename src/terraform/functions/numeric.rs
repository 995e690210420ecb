//! Numeric functions: `min`, `max`, `abs`, `ceil`, `floor`.

use super::Call;
use crate::model::Value;

pub(super) const NAMES: &[&str] = &["min", "max", "abs", "ceil", "floor"];

pub(super) fn call(c: &Call) -> Option<Value> {
    Some(match c.name {
        "min" | "max" => {
            let numbers: Vec<f64> = c.args.iter().map(|a| a.as_f64()).collect::<Option<_>>()?;
            let pick = if c.name == "min" { f64::min } else { f64::max };
            Value::Number(numbers.into_iter().reduce(pick)?)
        }
        "abs" => Value::Number(c.number(0)?.abs()),
        "ceil" => Value::Number(c.number(0)?.ceil()),
        "floor" => Value::Number(c.number(0)?.floor()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::terraform::functions::eval;

    #[test]
    fn numeric_functions() {
        assert_eq!(eval("min(3, 1, 2)").as_f64(), Some(1.0));
        assert_eq!(eval("max(3, 1, 2)").as_f64(), Some(3.0));
        assert!(eval("max()").is_unknown());
        assert!(eval(r#"min(1, "x")"#).is_unknown());
        assert_eq!(eval("abs(-4)").as_f64(), Some(4.0));
        // Checked against `terraform console` (1.11).
        assert_eq!(eval("ceil(1.2)").as_f64(), Some(2.0));
        assert_eq!(eval("ceil(-1.2)").as_f64(), Some(-1.0));
        assert_eq!(eval("floor(-1.2)").as_f64(), Some(-2.0));
        assert_eq!(eval("floor(5)").as_f64(), Some(5.0));
        assert!(eval(r#"floor("x")"#).is_unknown());
    }
}
