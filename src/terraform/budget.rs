//! The evaluation budget: how much one evaluation may build (bytes of values) and do (steps),
//! and where it ran out.

use std::cell::Cell;

use crate::model::{Entry, Node, Value};
use crate::source::Span;

/// Values built by one evaluation (a root module with every module it calls, each call
/// instance included), in bytes: a value node costs [`NODE_COST`], a string or map key its
/// length. The largest real modules build a few MiB.
pub(crate) const MAX_BUILT: u64 = 128 << 20;
/// Evaluation steps (expressions evaluated, traversal steps, comparisons) of one evaluation;
/// the largest real modules take a few tens of thousands.
pub(crate) const MAX_STEPS: u64 = 4_000_000;
/// What one value node of a list or map costs, in bytes of [`MAX_BUILT`].
pub(crate) const NODE_COST: u64 = std::mem::size_of::<Entry>() as u64;

/// Which part of the [`Budget`] ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Limit {
    /// The size of the values built.
    Size,
    /// The number of evaluation steps.
    Steps,
}

/// Where the budget ran out: an expression of a file among the files linted together (`None`:
/// a value given on the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Exhausted {
    pub(crate) file: Option<usize>,
    pub(crate) span: Span,
    pub(crate) limit: Limit,
}

/// What one evaluation may build and do. Every value is charged when it is built (a copy of
/// a variable, local or bound iterator, a template, a function result, a `for` expression);
/// past the budget, derived values are unknown and `count`, `for_each` and `dynamic` make no
/// more instances. Only the text as written is still evaluated, so the work done after the
/// budget ran out is proportional to the text.
#[derive(Debug)]
pub(crate) struct Budget {
    max_built: u64,
    max_steps: u64,
    built: Cell<u64>,
    steps: Cell<u64>,
    /// Literal values built after the budget ran out.
    after: Cell<u64>,
    exhausted: Cell<Option<Exhausted>>,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::with_limits(MAX_BUILT, MAX_STEPS)
    }
}

/// What the budget counted, for the tests and fuzz targets that check it holds.
#[cfg(any(test, feature = "fuzzing"))]
impl Budget {
    /// Bytes of values built within the budget (never more than its limit).
    pub(crate) fn built(&self) -> u64 {
        self.built.get()
    }

    /// Evaluation steps taken (past the limit, the steps of literal text only).
    pub(crate) fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// Bytes of literal values built after the budget ran out.
    pub(crate) fn built_after(&self) -> u64 {
        self.after.get()
    }

    pub(crate) fn max_built(&self) -> u64 {
        self.max_built
    }

    pub(crate) fn max_steps(&self) -> u64 {
        self.max_steps
    }
}

impl Budget {
    pub(crate) fn new() -> Budget {
        Budget::default()
    }

    pub(crate) fn with_limits(max_built: u64, max_steps: u64) -> Budget {
        Budget {
            max_built,
            max_steps,
            built: Cell::new(0),
            steps: Cell::new(0),
            after: Cell::new(0),
            exhausted: Cell::new(None),
        }
    }

    /// Where the budget ran out first, if it did.
    pub(crate) fn exhausted(&self) -> Option<Exhausted> {
        self.exhausted.get()
    }

    pub(super) fn run_out(&self, at: (Option<usize>, Span), limit: Limit) {
        if self.exhausted.get().is_none() {
            self.exhausted.set(Some(Exhausted {
                file: at.0,
                span: at.1,
                limit,
            }));
        }
    }

    /// Charge `cost` bytes for a value about to be built: `false` (and nothing charged) when
    /// it does not fit.
    pub(super) fn spend(&self, cost: u64, at: (Option<usize>, Span)) -> bool {
        if self.exhausted.get().is_some() {
            return false;
        }
        match self.built.get().checked_add(cost) {
            Some(total) if total <= self.max_built => {
                self.built.set(total);
                true
            }
            _ => {
                self.run_out(at, Limit::Size);
                false
            }
        }
    }

    /// Charge a literal value, which is built whatever the budget says.
    pub(super) fn force(&self, cost: u64, at: (Option<usize>, Span)) {
        if !self.spend(cost, at) {
            self.after.set(self.after.get().saturating_add(cost));
        }
    }

    /// Give back bytes charged for a value that turned out smaller.
    pub(super) fn refund(&self, cost: u64) {
        self.built.set(self.built.get().saturating_sub(cost));
    }

    /// Count `n` steps: `false` once the steps run out.
    pub(super) fn step(&self, n: u64, at: (Option<usize>, Span)) -> bool {
        let total = self.steps.get().saturating_add(n);
        self.steps.set(total);
        if total > self.max_steps {
            self.run_out(at, Limit::Steps);
        }
        self.exhausted.get().is_none()
    }

    /// The cost of a copy of `node`, found by a walk that stops as soon as it is over
    /// `limit`: `None` then.
    pub(super) fn cost_of(node: &Node, limit: u64) -> Option<u64> {
        let mut total = 0u64;
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            total = total.saturating_add(NODE_COST);
            match &n.value {
                Value::String(s) | Value::Ref(s) => total = total.saturating_add(s.len() as u64),
                Value::Partial(p) => {
                    total = total.saturating_add((p.prefix.len() + p.suffix.len()) as u64)
                }
                Value::List(items) => stack.extend(items),
                Value::Map(entries) => {
                    for e in entries {
                        total = total.saturating_add(e.key.len() as u64);
                        stack.push(&e.value);
                    }
                }
                _ => {}
            }
            if total > limit {
                return None;
            }
        }
        Some(total)
    }

    /// Charge a copy of `node` (see [`Budget::spend`]).
    pub(super) fn spend_copy(&self, node: &Node, at: (Option<usize>, Span)) -> bool {
        if self.exhausted.get().is_some() {
            return false;
        }
        let left = self.max_built - self.built.get();
        match Budget::cost_of(node, left) {
            Some(cost) => self.spend(cost, at),
            None => {
                self.run_out(at, Limit::Size);
                false
            }
        }
    }

    /// Charge `cost` bytes for a value about to be built, given back once it is built (the
    /// value is charged as a whole then): `None` when it does not fit.
    pub(super) fn reserve(&self, cost: u64, at: (Option<usize>, Span)) -> Option<Reserved<'_>> {
        self.spend(cost, at)
            .then_some(Reserved { budget: self, cost })
    }
}

/// A reservation of the budget, given back when dropped.
pub(super) struct Reserved<'b> {
    budget: &'b Budget,
    cost: u64,
}

impl Drop for Reserved<'_> {
    fn drop(&mut self) {
        self.budget.refund(self.cost);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_charged_by_size_and_the_walk_stops_at_the_limit() {
        let s = Span::default();
        let leaf = |t: &str| Node::new(Value::String(t.to_string()), s);
        let list = Node::new(Value::List(vec![leaf("abc"), leaf("de")]), s);
        assert_eq!(Budget::cost_of(&list, u64::MAX), Some(3 * NODE_COST + 5));
        assert_eq!(Budget::cost_of(&list, 3 * NODE_COST + 4), None);
        let map = Node::new(
            Value::Map(vec![Entry {
                key: "key".to_string(),
                key_span: s,
                value: list.clone(),
            }]),
            s,
        );
        assert_eq!(Budget::cost_of(&map, u64::MAX), Some(4 * NODE_COST + 8));

        let budget = Budget::with_limits(4 * NODE_COST + 8, 100);
        assert!(budget.spend_copy(&map, (Some(0), s)));
        assert_eq!(budget.built(), 4 * NODE_COST + 8);
        assert!(budget.exhausted().is_none());
        // Nothing more fits, and what does not fit is not charged.
        assert!(!budget.spend_copy(&leaf(""), (Some(1), Span::new(3, 4))));
        assert_eq!(budget.built(), 4 * NODE_COST + 8);
        let e = budget.exhausted().unwrap();
        assert_eq!(
            (e.file, e.span, e.limit),
            (Some(1), Span::new(3, 4), Limit::Size)
        );
        // The first place it ran out is kept; literals are still built, counted apart.
        assert!(!budget.spend(1, (Some(2), s)));
        budget.force(10, (Some(2), s));
        assert_eq!(budget.built_after(), 10);
        assert_eq!(budget.exhausted().unwrap().file, Some(1));
    }

    #[test]
    fn steps_run_out() {
        let budget = Budget::with_limits(u64::MAX, 10);
        assert!(budget.step(10, (Some(0), Span::default())));
        assert!(!budget.step(1, (Some(0), Span::new(1, 2))));
        assert_eq!(budget.exhausted().unwrap().limit, Limit::Steps);
    }
}
