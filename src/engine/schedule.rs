//! Running the units of a scan on worker threads, results handed on in order.

use std::collections::BTreeMap;

use super::{run_unit, Unit};
use crate::lint::FileResult;

/// Lint the units on `threads` workers that take them in order, and hand the results to
/// `sink` in that order. A worker never runs far ahead of the slowest unit in flight, so the
/// results waiting for their turn stay few.
pub(super) fn run_in_order(units: Vec<Unit>, threads: usize, sink: &mut dyn FnMut(FileResult)) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Mutex};
    let count = units.len();
    let units: Vec<Mutex<Option<Unit>>> = units.into_iter().map(|u| Mutex::new(Some(u))).collect();
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, count.max(1));
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, Vec<FileResult>)>(threads * 4);
        for _ in 0..threads {
            let tx = tx.clone();
            let (units, next) = (&units, &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let unit = units[i].lock().map(|mut u| u.take()).ok().flatten();
                let results = unit.map(run_unit).unwrap_or_default();
                if tx.send((i, results)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut waiting: BTreeMap<usize, Vec<FileResult>> = BTreeMap::new();
        let mut turn = 0;
        for (i, results) in rx {
            waiting.insert(i, results);
            while let Some(mut results) = waiting.remove(&turn) {
                results.sort_by(|a, b| a.path.cmp(&b.path));
                for f in results {
                    sink(f);
                }
                turn += 1;
            }
        }
    });
}
